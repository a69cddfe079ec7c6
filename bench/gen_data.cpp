// bench_gen: writes the benchmark data and rule files into a directory.
//   bench_gen DIR N [W3_RULES]
// DIR/{russell,spx,tga,alts}.csv (daily, `date,value`), DIR/tga_weekly.csv (Wednesdays),
// DIR/w1.sluice, DIR/w2.sluice, DIR/w3.sluice, DIR/rules10k.sluice and DIR/rules100k.sluice
// (compile timing and its linearity).
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "bench/workload.hpp"

namespace {

void write_series(const std::string& path, const std::vector<std::int64_t>& times,
                  const std::vector<double>& values) {
  std::string out = "date,value\n";
  out.reserve(times.size() * 20 + 16);
  char buf[64];
  for (std::size_t i = 0; i < times.size(); ++i) {
    out += bench::iso_date(times[i]);
    out += ',';
    const int len = std::snprintf(buf, sizeof buf, "%.2f", values[i]);
    out.append(buf, static_cast<std::size_t>(len));
    out += '\n';
  }
  std::ofstream f(path, std::ios::binary);
  f << out;
  if (!f) {
    std::fprintf(stderr, "bench_gen: cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) {
    std::fprintf(stderr, "bench_gen: cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_gen DIR N [W3_RULES]\n");
    return 2;
  }
  const std::string dir = argv[1];
  std::size_t n = 0, w3 = 1000;
  std::from_chars(argv[2], argv[2] + std::char_traits<char>::length(argv[2]), n);
  if (argc > 3) std::from_chars(argv[3], argv[3] + std::char_traits<char>::length(argv[3]), w3);
  if (n == 0 || n > 2'000'000) {
    std::fprintf(stderr, "bench_gen: N must be 1..2000000 (dates stay within year 9999)\n");
    return 2;
  }
  const bench::market m = bench::generate(n);
  write_series(dir + "/russell.csv", m.times, m.russell);
  write_series(dir + "/spx.csv", m.times, m.spx);
  write_series(dir + "/tga.csv", m.times, m.tga);
  write_series(dir + "/alts.csv", m.times, m.alts);
  write_series(dir + "/tga_weekly.csv", m.weekly_times, m.tga_weekly);
  write_text(dir + "/w1.sluice", bench::w1_rules());
  write_text(dir + "/w2.sluice", bench::w2_rules());
  write_text(dir + "/w3.sluice", bench::w3_rules(w3));
  write_text(dir + "/rules10k.sluice", bench::w3_rules(10000, 11));
  // Compile cost per rule at 10x the size: must stay within 1.5x of rules10k's (linear).
  write_text(dir + "/rules100k.sluice", bench::w3_rules(100000, 11));
  return 0;
}
