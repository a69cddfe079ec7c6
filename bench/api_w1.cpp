// api_w1: W1 through the public C++ API (include/sluice/sluice.hpp) on series already in
// memory: the baseline of the Python package's overhead (bench/python_w1.py times the same
// work from pandas). The CSVs are read before timing; timed: add_series for the four
// series, compile, run (best CPU time of R repetitions).
//   api_w1 DIR [--reps R]      DIR as written by bench_gen (DIR/w1.sluice and the CSVs)
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

  double best = 1e300;
  std::size_t events = 0;
  for (long rep = 0; rep < reps; ++rep) {
    const double start = bench::cpu_seconds();
    sluice::engine engine;
    for (int s = 0; s < 4; ++s)
      if (!engine.add_series(names[s], data[s].times, data[s].values)) return 1;
    const sluice::compile_result c = engine.compile(rules.str(), "w1.sluice");
    if (!c) {
      std::fprintf(stderr, "%s", c.rendered().c_str());
      return 1;
    }
    const sluice::run_result r = c.value().run();
    const double took = bench::cpu_seconds() - start;
    if (!r.ok) return 1;
    events = r.events.size();
    if (took < best) best = took;
  }
  std::printf("bars %zu\nevents %zu\napi_s %.6f\n", data[0].times.size(), events, best);
  return 0;
}
