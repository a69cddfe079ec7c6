// The benchmark workloads (docs/performance.md): deterministic market-like series and the
// rule texts of W1 (four rules, bar windows), W2 (weekly tga, calendar windows) and W3
// (1,000 generated rules sharing subexpressions). Header-only: the generator, the Sluice
// runner and the hand-written loop all include it, so every program sees the same data.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace bench {

// Milliseconds (Sluice's time unit) since the Unix epoch of 1900-01-01 (a Monday), the
// first generated day.
constexpr std::int64_t day_ms = 86'400'000;
constexpr std::int64_t first_day_ms = -25'567 * day_ms;

// The four daily series on one business-day calendar (Mon-Fri, no holidays), and tga's
// Wednesday observations for W2. Values have two decimals, like prices.
struct market {
  std::vector<std::int64_t> times;  // business days, seconds
  std::vector<double> russell, spx, tga, alts;
  std::vector<std::int64_t> weekly_times;  // Wednesdays
  std::vector<double> tga_weekly;
};

// splitmix64: a tiny deterministic generator (no libm, no std::distributions, whose
// output differs between standard libraries).
class rng {
 public:
  explicit rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Roughly standard normal: the sum of four uniforms, centred and scaled (variance 1).
  double normal() { return (uniform() + uniform() + uniform() + uniform() - 2.0) * 1.7320508075688772; }

 private:
  std::uint64_t state_;
};

// A mean-reverting walk around `centre` with relative volatility `vol` per step, kept
// positive and rounded to cents (so CSV text and memory hold the same doubles).
inline double step(double x, double centre, double vol, double pull, double shock) {
  double next = x + x * vol * shock - pull * (x - centre);
  if (next < 0.01 * centre) next = 0.01 * centre;
  return next;
}

inline double cents(double x) {
  const double scaled = x * 100.0;
  const auto k = static_cast<std::int64_t>(scaled + (scaled >= 0 ? 0.5 : -0.5));
  return static_cast<double>(k) / 100.0;
}

inline market generate(std::size_t n, std::uint64_t seed = 20240601) {
  market m;
  m.times.reserve(n);
  m.russell.reserve(n);
  m.spx.reserve(n);
  m.tga.reserve(n);
  m.alts.reserve(n);
  rng r(seed);
  double russell = 2500, spx = 4000, tga = 700, alts = 1000;
  std::int64_t day = 0;  // days since 1900-01-01
  for (std::size_t i = 0; i < n; ++i) {
    m.times.push_back(first_day_ms + day * day_ms);
    m.russell.push_back(cents(russell));
    m.spx.push_back(cents(spx));
    m.tga.push_back(cents(tga));
    m.alts.push_back(cents(alts));
    if (day % 7 == 2) {  // Wednesday
      m.weekly_times.push_back(m.times.back());
      m.tga_weekly.push_back(m.tga.back());
    }
    russell = step(russell, 2600, 0.012, 0.004, r.normal());
    spx = step(spx, 4000, 0.01, 0.0005, r.normal());
    tga = step(tga, 700, 0.02, 0.01, r.normal());
    alts = step(alts, 1000, 0.03, 0.001, r.normal());
    day += (day % 7 == 4) ? 3 : 1;  // Friday -> Monday
  }
  return m;
}

// `YYYY-MM-DD` for milliseconds since the epoch (H. Hinnant's civil_from_days).
inline std::string iso_date(std::int64_t ms) {
  std::int64_t z = ms / day_ms;
  if (ms % day_ms < 0) --z;
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y0 = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned mo = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = y0 + (mo <= 2 ? 1 : 0);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), mo, d);
  return buf;
}

// The rules of each workload. Every implementation (Sluice, the hand loop, Lua, pandas)
// computes these; rule i is reported as R<i+1>.
inline const char* w1_rules() {
  return "# W1: four rules over four aligned daily series, bar windows.\n"
         "rule \"R1\": when russell breaks 2600 and tga falls over 28 bars then watch alts\n"
         "rule \"R2\": when sma(spx, 50 bars) crosses above sma(spx, 200 bars) then watch spx\n"
         "rule \"R3\": when spx rises over 20 bars followed by russell outperforms spx over 20 bars"
         " within 60 bars then watch russell\n"
         "rule \"R4\": when alts hits new high over 250 bars and zscore(russell, 100 bars) > 1"
         " then watch alts\n";
}

// W2: tga is the weekly series (as-of alignment), windows are calendar spans.
inline const char* w2_rules() {
  return "# W2: the W1 rules with tga weekly and calendar windows.\n"
         "rule \"R1\": when russell breaks 2600 and tga falls over 4w then watch alts\n"
         "rule \"R2\": when sma(spx, 70d) crosses above sma(spx, 280d) then watch spx\n"
         "rule \"R3\": when spx rises over 4w followed by russell outperforms spx over 4w"
         " within 60d then watch russell\n"
         "rule \"R4\": when alts hits new high over 365d and zscore(russell, 140d) > 1"
         " then watch alts\n";
}

// W3: `count` rules, each an event atom (a crossing, a level break, a new high) joined
// with a state atom (a 5% move, a z-score, an outperformance, a trend) or a second event,
// drawn from a pool of ~150 atoms, so most subexpressions are shared by many rules and
// rules fire about as rarely as real ones do.
inline std::string w3_rules(std::size_t count, std::uint64_t seed = 7) {
  const char* series[] = {"russell", "spx", "tga", "alts"};
  const int fast[] = {10, 20, 50};
  const int slow[] = {100, 200};
  const int look[] = {5, 20, 60};
  const char* levels[] = {"2600", "4000", "700", "1000"};
  std::vector<std::string> events, states;
  for (int s = 0; s < 4; ++s) {
    const std::string x = series[s];
    for (int f : fast)
      for (int l : slow)
        events.push_back("sma(" + x + ", " + std::to_string(f) + " bars) crosses above sma(" + x +
                         ", " + std::to_string(l) + " bars)");
    events.push_back(x + " breaks " + levels[s]);
    events.push_back(x + " breaks below " + levels[s]);
    for (int l : look) {
      events.push_back(x + " hits new high over " + std::to_string(l * 4) + " bars");
      states.push_back(x + " rises by 5% over " + std::to_string(l) + " bars");
      states.push_back(x + " falls by 5% over " + std::to_string(l) + " bars");
      states.push_back("zscore(" + x + ", " + std::to_string(l * 5) + " bars) > 1");
      for (int o = 0; o < 4; ++o)
        if (o != s)
          states.push_back(x + " outperforms " + series[o] + " over " + std::to_string(l) + " bars");
    }
    states.push_back(x + " > sma(" + x + ", 200 bars)");
  }
  rng r(seed);
  std::string text = "# W3: generated rules sharing subexpressions.\n";
  for (std::size_t i = 0; i < count; ++i) {
    const std::string& a = events[r.next() % events.size()];
    const bool two_events = r.next() % 8 == 0;
    const std::string& b = two_events ? events[r.next() % events.size()] : states[r.next() % states.size()];
    text += "rule \"R" + std::to_string(i + 1) + "\": when " + a + (two_events ? " or " : " and ") +
            b + " then watch alts\n";
  }
  return text;
}

}  // namespace bench
