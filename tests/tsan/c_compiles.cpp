// Built with -fsanitize=thread (SLUICE_TSAN=ON, run by scripts/test in build-tsan/): several
// threads compile through the C API on one engine at once, good and bad rule text mixed.
// Each thread must get its own program or its own diagnostics and its own last error (the
// error slot is per thread: a per-engine string raced here). TSan fails the test on any race.
#include <sluice/sluice.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

int main() {
  sluice_engine* engine = sluice_engine_new(nullptr);
  if (!engine) return 1;
  std::vector<int64_t> times;
  std::vector<double> values;
  for (int i = 0; i < 200; ++i) {
    times.push_back(sluice_date(2024, 1, 1) + int64_t(i) * 86400);
    values.push_back(100 + (i % 17) - (i % 5));
  }
  if (sluice_engine_add_series(engine, "x", times.data(), values.data(), times.size(), -1, -1) != 0)
    return 1;

  std::atomic<int> failures{0};
  auto fail = [&](int thread, const std::string& why) {
    std::fprintf(stderr, "thread %d: %s\n", thread, why.c_str());
    failures.fetch_add(1);
  };
  std::vector<std::thread> threads;
  for (int id = 0; id < 4; ++id) {
    threads.emplace_back([&, id] {
      const std::string name = "t" + std::to_string(id);
      for (int round = 0; round < 20; ++round) {
        // A bad program naming a series only this thread uses: its error must name it.
        const std::string bad = "x > missing_" + name + " then watch x";
        if (sluice_compile(engine, bad.data(), bad.size(), name.c_str()))
          fail(id, "bad text compiled");
        const std::string error = sluice_engine_last_error(engine);
        if (error.find("missing_" + name) == std::string::npos) fail(id, "foreign error: " + error);

        sluice_diagnostics* d = nullptr;
        const std::string good = "rule \"" + name + "\": when x crosses above sma(x, " +
                                 std::to_string(3 + round) + " bars) then watch x";
        sluice_program* p = sluice_compile_with(engine, good.data(), good.size(), name.c_str(), &d);
        if (!p) {
          fail(id, std::string("good text refused: ") + sluice_diagnostics_rendered(d));
        } else {
          if (std::strcmp(sluice_engine_last_error(engine), "") != 0)
            fail(id, "error after success");
          if (sluice_program_rule_count(p) != 1 || name != sluice_program_rule(p, 0))
            fail(id, "wrong rule");
          sluice_events* ev = sluice_program_run(p, nullptr, nullptr);
          if (!sluice_events_ok(ev)) fail(id, "run failed");
          sluice_events_free(ev);
        }
        sluice_diagnostics_free(d);
        sluice_program_free(p);
      }
    });
  }
  for (auto& t : threads) t.join();
  sluice_engine_free(engine);
  if (failures.load() == 0) std::puts("concurrent C compiles: ok");
  return failures.load() == 0 ? 0 : 1;
}
