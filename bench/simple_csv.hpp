// The CSV reader of the hand-written programs (hand loop, Lua host): what a practical
// one-off program would write for `date,value` files with ISO dates, no general handling
// of quoting, missing cells or other date formats (Sluice's loader does all of that).
#pragma once
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace bench {

struct simple_series {
  std::vector<std::int64_t> times;  // seconds since the epoch
  std::vector<double> values;
  std::size_t bytes = 0;
};

inline std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// Reads `date,value` rows after a header line; exits with a message on anything else.
inline simple_series read_simple_csv(const std::string& path) {
  simple_series s;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::exit(1);
  }
  std::string bytes;
  std::fseek(f, 0, SEEK_END);
  bytes.resize(static_cast<std::size_t>(std::ftell(f)));
  std::fseek(f, 0, SEEK_SET);
  if (std::fread(bytes.data(), 1, bytes.size(), f) != bytes.size()) std::exit(1);
  std::fclose(f);
  s.bytes = bytes.size();
  const char* p = bytes.data();
  const char* end = p + bytes.size();
  while (p < end && *p != '\n') ++p;  // header
  s.times.reserve(bytes.size() / 18);
  s.values.reserve(bytes.size() / 18);
  auto digits = [](const char* q, int n) {
    int v = 0;
    for (int i = 0; i < n; ++i) v = v * 10 + (q[i] - '0');
    return v;
  };
  while (++p < end) {
    if (end - p < 12 || p[4] != '-' || p[7] != '-' || p[10] != ',') {
      std::fprintf(stderr, "%s: unexpected row\n", path.c_str());
      std::exit(1);
    }
    const std::int64_t day = days_from_civil(digits(p, 4), static_cast<unsigned>(digits(p + 5, 2)),
                                             static_cast<unsigned>(digits(p + 8, 2)));
    double v = 0;
    auto r = std::from_chars(p + 11, end, v);
    if (r.ec != std::errc()) {
      std::fprintf(stderr, "%s: bad number\n", path.c_str());
      std::exit(1);
    }
    s.times.push_back(day * 86'400'000);  // milliseconds, as Sluice's times
    s.values.push_back(v);
    p = r.ptr;
    while (p < end && *p != '\n') ++p;
  }
  return s;
}

}  // namespace bench
