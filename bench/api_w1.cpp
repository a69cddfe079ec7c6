// api_w1: W1 through the public C++ API (include/sluice/sluice.hpp) on series already in
// memory: the baseline of the Python package's overhead (bench/python_w1.py times the same
// work from pandas). The CSVs are read before timing; timed: add_series for the four
// series, compile, run (best CPU time of R repetitions).
//   api_w1 DIR [--reps R]      DIR as written by bench_gen (DIR/w1.sluice and the CSVs)
// The bars are re-dated one minute apart from 2000-01-01: a million business days from
// 1900 run past 2262, where pandas' datetime64[ns] ends. W1's windows are all in bars, so
// the events are the same (checked here against the files' own dates).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "bench/timing.hpp"
#include "sluice/sluice.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: api_w1 DIR [--reps R]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const long reps = argc >= 4 && std::string(argv[2]) == "--reps" ? std::atol(argv[3]) : 3;
  const char* const names[] = {"russell", "spx", "tga", "alts"};
  sluice::series_data data[4];
  for (int s = 0; s < 4; ++s) {
    std::string error;
    auto d = sluice::read_csv(dir + "/" + names[s] + ".csv", {}, &error);
    if (!d) {
      std::fprintf(stderr, "api_w1: %s\n", error.c_str());
      return 1;
    }
    data[s] = std::move(*d);
  }
  std::ifstream f(dir + "/w1.sluice");
  std::stringstream rules;
  rules << f.rdbuf();

  // One W1 run through the API: the event count, or -1 after printing why not.
  auto run = [&](const sluice::series_data* series) -> long {
    sluice::engine engine;
    for (int s = 0; s < 4; ++s)
      if (!engine.add_series(names[s], series[s].times, series[s].values)) return -1;
    const sluice::compile_result c = engine.compile(rules.str(), "w1.sluice");
    if (!c) {
      std::fprintf(stderr, "%s", c.rendered().c_str());
      return -1;
    }
    const sluice::run_result r = c.value().run();
    return r.ok ? static_cast<long>(r.events.size()) : -1;
  };
  const long dated_events = run(data);
  const sluice::timestamp minute0 = sluice::to_timestamp({2000, 1, 1});
  for (auto& d : data)
    for (std::size_t i = 0; i < d.times.size(); ++i) d.times[i] = minute0 + 60 * static_cast<sluice::timestamp>(i);

  double best = 1e300;
  long events = 0;
  for (long rep = 0; rep < reps; ++rep) {
    const double start = bench::cpu_seconds();
    events = run(data);
    const double took = bench::cpu_seconds() - start;
    if (events < 0) return 1;
    if (took < best) best = took;
  }
  if (events != dated_events) {
    std::fprintf(stderr, "api_w1: %ld events on minutes, %ld on the files' dates\n", events, dated_events);
    return 1;
  }
  std::printf("bars %zu\nevents %ld\napi_s %.6f\n", data[0].times.size(), events, best);
  return 0;
}
