// hand_loop: the four rules as one fused C++ loop (bench/hand_rules.hpp), the practical
// limit for the VM. Prints fire counts and checksums, then load and compute times.
//   hand_loop DIR [--weekly] [--reps R]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "bench/hand_rules.hpp"
#include "bench/simple_csv.hpp"
#include "bench/timing.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: hand_loop DIR [--weekly] [--reps R]\n");
    return 2;
  }
  const std::string dir = argv[1];
  bool weekly = false;
  int reps = 5;
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--weekly") == 0) weekly = true;
    else if (std::strcmp(argv[i], "--reps") == 0 && i + 1 < argc) reps = std::max(1, std::atoi(argv[++i]));
  }
  const double load_start = bench::cpu_seconds();
  const bench::simple_series russell = bench::read_simple_csv(dir + "/russell.csv");
  const bench::simple_series spx = bench::read_simple_csv(dir + "/spx.csv");
  const bench::simple_series alts = bench::read_simple_csv(dir + "/alts.csv");
  const bench::simple_series tga = bench::read_simple_csv(dir + (weekly ? "/tga_weekly.csv" : "/tga.csv"));
  const double load_seconds = bench::cpu_seconds() - load_start;
  // The fused loop relies on one shared daily calendar.
  if (spx.times != russell.times || alts.times != russell.times || (!weekly && tga.times != russell.times)) {
    std::fprintf(stderr, "hand_loop: the daily series are not aligned\n");
    return 1;
  }
  const std::size_t n = russell.times.size();
  double best = 1e300;
  bench::tallies t;
  for (int rep = 0; rep < reps; ++rep) {
    const double start = bench::cpu_seconds();
    t = weekly ? bench::hand_w2(russell.times.data(), russell.values.data(), spx.values.data(),
                                alts.values.data(), n, tga.times.data(), tga.values.data(),
                                tga.times.size())
               : bench::hand_w1(russell.values.data(), spx.values.data(), tga.values.data(),
                                alts.values.data(), n);
    best = std::min(best, bench::cpu_seconds() - start);
  }
  std::printf("%spoints %zu\nload_s %.6f\nload_bytes %zu\ncompute_s %.6f\nrss_kb %ld\n",
              t.text().c_str(), n, load_seconds,
              russell.bytes + spx.bytes + alts.bytes + tga.bytes, best, bench::peak_rss_kb());
  return 0;
}
