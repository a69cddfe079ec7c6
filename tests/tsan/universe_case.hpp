// A universe program and generated data shared by the thread tests
// (tests/lang/test_universe_threads.cpp) and the ThreadSanitizer program
// (tests/tsan/universe_threads.cpp): 11 symbols over 400 days with missing data (a late
// start, a gap longer than the staleness limit, an early end), a stretch where two
// symbols are equal (ties in rank), and rules with rank, top, breadth, mean and median.
#pragma once
#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "interpreter/compile/compiler.hpp"
#include "interpreter/data/memory_provider.hpp"
#include "interpreter/run/batch.hpp"

namespace sluice::universe_case {

constexpr int symbols = 11;
constexpr int days = 400;

inline std::string symbol(int i) { return fmt::format("s{:02}", i); }

// Prices as random walks from a fixed LCG seed, with the missing stretches above.
inline std::shared_ptr<series_table> data() {
  auto table = std::make_shared<series_table>();
  std::uint64_t state = 0x5eed;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / static_cast<double>(1ULL << 53);
  };
  const time_point start = 18262 * ms_per_day;  // 2020-01-01
  std::vector<std::vector<double>> prices(symbols);
  for (int i = 0; i < symbols; ++i) {
    double p = 100;
    for (int d = 0; d < days; ++d) {
      p *= 1 + (next() - 0.49) * 0.06;
      prices[static_cast<std::size_t>(i)].push_back(p);
    }
  }
  for (int d = 50; d < 90; ++d)
    prices[2][static_cast<std::size_t>(d)] = prices[1][static_cast<std::size_t>(d)];
  for (int i = 0; i < symbols; ++i) {
    auto obs = std::make_shared<observations>();
    for (int d = 0; d < days; ++d) {
      if (i == 3 && d < 100) continue;              // starts late
      if (i == 7 && d >= 150 && d < 210) continue;  // a gap past the staleness limit
      if (i == 10 && d >= 300) continue;            // ends early
      obs->times.push_back(start + d * ms_per_day);
      obs->values.push_back(prices[static_cast<std::size_t>(i)][static_cast<std::size_t>(d)]);
    }
    (*table)[symbol(i)] = std::move(obs);
  }
  auto bench = std::make_shared<observations>();
  for (int d = 0; d < days; ++d) {
    bench->times.push_back(start + d * ms_per_day);
    bench->values.push_back(1000 + d + 40 * (next() - 0.5));
  }
  (*table)["bench"] = std::move(bench);
  return table;
}

inline compile_options options() {
  compile_options o;
  host_universe u;
  u.name = "u";
  for (int i = 0; i <= symbols; ++i) {
    host_series h;
    h.name = i < symbols ? symbol(i) : "bench";
    o.host.push_back(std::move(h));
    if (i < symbols) u.members.push_back(symbol(i));
  }
  o.universes.push_back(std::move(u));
  return o;
}

inline const char* source() {
  return "rule \"lead\": for each s in u when rank(pct(s, 10 bars)) <= 2 and s above sma(s, 20 "
         "bars) then watch s and alert \"{s.name} ranks {rank(pct(s, 10 bars))}\"\n"
         "rule \"top\": for each s in u when top 3 of u by pct(s, 30d) and breadth(u, s above "
         "sma(s, 50 bars)) > 50% then watch s\n"
         "rule \"spread\": for each s in u when pct(s, 10 bars) > mean(u, pct(s, 10 bars)) + 0.05 "
         "and pct(s, 10 bars) > median(u, pct(s, 10 bars)) then watch s and alert \"{s.name} "
         "{mean(u, pct(s, 10 bars)):.6f}\" cooldown 10d\n"
         "rule \"market\": when bench hits new high over 60d then watch bench\n";
}

// Every field of every event, values to 17 digits: two runs agree iff these texts do.
inline std::string listing(const run_result& r) {
  std::string out;
  for (const event& e : r.events) {
    out += fmt::format("{} {} {}", e.time, e.index, e.rule_name);
    for (const auto& v : e.values) out += fmt::format(" {}={:.17g}", v.name, v.value);
    for (const std::string& a : e.actions) out += " [" + a + "]";
    for (const std::string& m : e.messages) out += " \"" + m + "\"";
    out += "\n";
  }
  return out;
}

}  // namespace sluice::universe_case
