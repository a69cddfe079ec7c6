// exact_vs_double: exact mode's cost against double mode on the same workload. W1 or W2
// (bench/workload.hpp) over N generated bars, handed over in memory; run_batch with
// run_options::exact off and on, best of R; checks that both fire the same rules (the
// generated prices have two decimals and no rule sits on a boundary).
//   exact_vs_double [N] [--w2] [--reps R]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "bench/timing.hpp"
#include "bench/workload.hpp"
#include "interpreter/compile/compiler.hpp"
#include "interpreter/run/run.hpp"

namespace {

// The generated columns; exact mode gets their shortest round-trip text ("2612.48"),
// which series_provider::fetch_text makes and the timing includes (a CSV run parses text
// too).
class memory : public sluice::series_provider {
 public:
  std::map<std::string, sluice::observations> series;
  bool fetch(const sluice::series_spec& spec, const std::string&, sluice::observations& out,
             sluice::diagnostics&) override {
    out = series.at(spec.name);
    return true;
  }
};

std::string tallies(const sluice::program& p, const sluice::run_result& r) {
  std::vector<std::size_t> count(p.rules.size()), sum(p.rules.size());
  for (const sluice::event& e : r.events) {
    ++count[e.rule];
    sum[e.rule] += e.index;
  }
  std::string out;
  for (std::size_t i = 0; i < p.rules.size(); ++i)
    out += p.rules[i].name + " " + std::to_string(count[i]) + " " + std::to_string(sum[i]) + "\n";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 100000;
  int reps = 3;
  bool w2 = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--reps") == 0 && i + 1 < argc) reps = std::max(1, std::atoi(argv[++i]));
    else if (std::strcmp(argv[i], "--w2") == 0) w2 = true;
    else n = std::strtoull(argv[i], nullptr, 10);
  }
  const bench::market m = bench::generate(n);
  memory data;
  data.series["russell"] = {m.times, m.russell};
  data.series["spx"] = {m.times, m.spx};
  data.series["alts"] = {m.times, m.alts};
  data.series["tga"] = w2 ? sluice::observations{m.weekly_times, m.tga_weekly}
                          : sluice::observations{m.times, m.tga};
  sluice::compile_options options;
  for (const char* name : {"russell", "spx", "tga", "alts"}) {
    sluice::host_series h;
    h.name = name;
    options.host.push_back(h);
  }
  sluice::diagnostics diags;
  auto program = sluice::compile_source("w", w2 ? bench::w2_rules() : bench::w1_rules(), options, diags);
  if (!program) {
    std::fprintf(stderr, "exact_vs_double: the workload does not compile\n");
    return 1;
  }
  double best[2] = {1e300, 1e300};
  std::string fired[2];
  for (int mode = 0; mode < 2; ++mode) {
    sluice::run_options run;
    run.exact = mode == 1;
    for (int rep = 0; rep < reps; ++rep) {
      const double start = bench::cpu_seconds();
      const sluice::run_result r = sluice::run_batch(*program, data, run, diags);
      best[mode] = std::min(best[mode], bench::cpu_seconds() - start);
      if (!r.ok) return 1;
      fired[mode] = tallies(*program, r);
    }
  }
  std::printf("workload %s\nbars %zu\ndouble_ns_per_bar %.1f\nexact_ns_per_bar %.1f\nratio %.2f\n",
              w2 ? "W2" : "W1", n, best[0] * 1e9 / n, best[1] * 1e9 / n, best[1] / best[0]);
  if (fired[0] != fired[1]) {
    std::printf("firings differ:\ndouble:\n%sexact:\n%s", fired[0].c_str(), fired[1].c_str());
    return 1;
  }
  return 0;
}
