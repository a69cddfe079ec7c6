// Built with -fsanitize=thread (SLUICE_TSAN=ON, run by scripts/test in build-tsan/): a
// universe program evaluated member by member on 2 and 7 worker threads, with the
// cross-sectional reductions between phases of every block (interpreter/run/parallel_run.cpp).
// The events must equal one VM's over the whole program; TSan fails the test on any race.
#include <cstdio>
#include <string>

#include "interpreter/run/parallel_run.hpp"
#include "tsan/universe_case.hpp"

int main() {
  using namespace sluice;
  diagnostics diags;
  auto prog = compile_source("u.sluice", universe_case::source(), universe_case::options(), diags);
  if (!prog) {
    for (const diagnostic& d : diags.items()) std::fprintf(stderr, "%s\n", d.message.c_str());
    return 1;
  }
  const auto table = universe_case::data();
  memory_provider one_data(table);
  const run_result one = run_batch(*prog, one_data, {}, diags);
  if (!one.ok || one.events.empty()) return 1;
  const std::string expected = universe_case::listing(one);
  for (unsigned threads : {2u, 7u})
    for (std::size_t block : {0u, 5u}) {
      memory_provider data(table);
      run_options o;
      o.block_size = block;
      const run_result r = run_parallel(*prog, data, o, threads, diags);
      if (!r.ok || universe_case::listing(r) != expected) {
        std::fprintf(stderr, "threads %u, block %zu: the events differ from one VM's\n", threads,
                     block);
        return 1;
      }
    }
  std::printf("universe on threads: %zu events equal on 2 and 7 threads\n", one.events.size());
  return 0;
}
