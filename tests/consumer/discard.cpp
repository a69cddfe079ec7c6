// Compiled by tests/consumer/run.cmake with -Werror: a result of the C++ API that is dropped
// must not compile ([[nodiscard]] on status, compile_result, run_result's producers, ...).
// SLUICE_DISCARD selects the dropped call; without it, the same calls kept compile cleanly.
#include <sluice/sluice.hpp>

int main() {
  sluice::engine e;
  const sluice::timestamp t[] = {0};
  const double v[] = {1};
#if SLUICE_DISCARD == 1
  e.compile("x > 1 then watch x");
#elif SLUICE_DISCARD == 2
  e.add_series("x", t, v);
#else
  const sluice::status added = e.add_series("x", t, v);
  const sluice::compile_result r = e.compile("x > 1 then watch x");
  return added.ok && r.ok() ? 0 : 1;
#endif
}
