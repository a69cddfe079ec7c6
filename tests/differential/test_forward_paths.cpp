// The baseline's forward paths (forward_paths, monotonic queues over the horizon windows)
// and forward_return (the event study's, without the extremes) against the straightforward
// per-point scan (forward_path) and against this file's own scan written from the
// definition (min and max of X over (t, t + h]), on generated series with gaps, zeros,
// repeated values and irregular, duplicated and unsorted timelines.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "interpreter/stats/forward_returns.hpp"

namespace {

using sluice::duration;
using sluice::event_return;
using sluice::ms_per_day;
using sluice::time_point;

// Bitwise equality, so that NaN equals NaN and a different rounding shows.
bool same(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

std::string describe(const event_return& e) {
  return "index " + std::to_string(e.index) + " time " + std::to_string(e.time) + " status " +
         std::to_string(static_cast<int>(e.status)) + " ret " + std::to_string(e.ret) + " dd " +
         std::to_string(e.max_drawdown) + " up " + std::to_string(e.max_runup);
}

bool same(const event_return& a, const event_return& b) {
  return a.index == b.index && a.time == b.time && a.status == b.status && same(a.ret, b.ret) &&
         same(a.max_drawdown, b.max_drawdown) && same(a.max_runup, b.max_runup);
}

struct data {
  std::vector<time_point> t;
  std::vector<double> x;
};

// kind 0: daily steps of 1..4 days; 1: steps of 0..2 days (duplicated times);
// 2: hourly; 3: like 0 with a few neighbours swapped (an unsorted timeline).
data generate(std::mt19937_64& rng, std::size_t n, int kind) {
  data d;
  time_point t = 1'400'000'000'000 - 1'400'000'000'000 % ms_per_day;
  double v = 50;
  std::uniform_int_distribution<int> pick(0, 99);
  std::normal_distribution<double> move(0.0, 0.02);
  for (std::size_t i = 0; i < n; ++i) {
    if (kind == 2)
      t += ms_per_day / 24;
    else
      t += ms_per_day * static_cast<time_point>(kind == 1 ? rng() % 3 : 1 + rng() % 4);
    const int p = pick(rng);
    if (p < 3)
      v = std::round(v);  // runs of equal values
    else
      v *= std::exp(move(rng));
    d.t.push_back(t);
    d.x.push_back(p >= 3 && p < 10 ? std::nan("") : p == 10 ? 0.0 : p == 11 ? -v : v);
  }
  if (kind == 3)
    for (std::size_t i = 1; i + 1 < n; i += 37) std::swap(d.t[i], d.t[i + 1]);
  return d;
}

// The extremes from the definition: the last timeline point at or before t + h by a
// linear search (bars: t + h points on), then the lowest and highest non-NaN value after t.
void check_extremes(const data& d, const event_return& e, duration h) {
  if (e.status != sluice::return_status::ok) return;
  std::size_t later = e.index;
  if (h.is_bars()) {
    later = e.index + static_cast<std::size_t>(h.count);
  } else {
    const time_point target = sluice::add(d.t[e.index], h);
    while (later + 1 < d.t.size() && d.t[later + 1] <= target) ++later;
  }
  const double now = d.x[e.index];
  double low = now, high = now;
  for (std::size_t s = e.index + 1; s <= later; ++s)
    if (!std::isnan(d.x[s])) low = std::min(low, d.x[s]), high = std::max(high, d.x[s]);
  INFO(describe(e));
  CHECK(e.max_drawdown == low / now - 1);
  CHECK(e.max_runup == high / now - 1);
}

}  // namespace

TEST_CASE("forward_paths equals forward_path at every point (the baseline's drawdowns)",
          "[stats]") {
  std::mt19937_64 rng(19);
  const std::vector<duration> horizons = {
      {duration::unit::bars, 0},  {duration::unit::bars, 1},   {duration::unit::bars, 17},
      {duration::unit::days, 0},  {duration::unit::days, 1},   {duration::unit::days, 7},
      {duration::unit::days, 90}, {duration::unit::months, 1}, {duration::unit::months, 3},
  };
  std::size_t ok = 0;  // points whose windows were compared (the comparison saw real windows)
  for (int run = 0; run < 48; ++run) {
    const int kind = run % 4;
    const std::size_t n = 1 + rng() % (run < 8 ? 12 : 700);
    const data d = generate(rng, n, kind);
    for (const duration& h : horizons) {
      // The whole timeline, and a sub-range (as --from/--to give the baseline).
      const std::size_t first = run % 3 == 0 ? 0 : rng() % n;
      const std::size_t last = run % 3 == 0 ? n : first + rng() % (n - first + 1);
      const std::vector<event_return> fast = sluice::forward_paths(d.t, d.x, first, last, h);
      REQUIRE(fast.size() == last - first);
      for (std::size_t i = first; i < last; ++i) {
        const event_return slow = sluice::forward_path(d.t, d.x, i, h);
        INFO("run " << run << " kind " << kind << " n " << n << " horizon "
                    << sluice::format_duration(h) << "\n fast " << describe(fast[i - first])
                    << "\n slow " << describe(slow));
        REQUIRE(same(fast[i - first], slow));
        // forward_return skips the extremes' scan; its return is forward_path's.
        REQUIRE(same(sluice::forward_return(d.t, d.x, i, h), slow.ret));
        if (kind != 3) check_extremes(d, slow, h);  // the linear search needs a sorted timeline
        ok += slow.status == sluice::return_status::ok;
      }
    }
  }
  CHECK(ok > 20000);
}

TEST_CASE("forward_paths on an empty or reversed range is empty", "[stats]") {
  const std::vector<time_point> t = {0, ms_per_day, 2 * ms_per_day};
  const std::vector<double> x = {1, 2, 3};
  CHECK(sluice::forward_paths(t, x, 0, 0, {duration::unit::days, 1}).empty());
  CHECK(sluice::forward_paths(t, x, 2, 1, {duration::unit::days, 1}).empty());
  // By hand: from 1, the next day reaches 2 (+100%), no point below 1.
  const auto one = sluice::forward_paths(t, x, 0, 1, {duration::unit::days, 1});
  REQUIRE(one.size() == 1);
  CHECK(one[0].ret == 1.0);
  CHECK(one[0].max_drawdown == 0.0);
  CHECK(one[0].max_runup == 1.0);
}

TEST_CASE("forward_returns over many starts equals forward_return at each (the event study)",
          "[stats]") {
  // The cursor of forward_returns against the binary search of forward_return, on every
  // kind of timeline above (an unsorted one takes the per-start path) and on start lists
  // of every point, a random ascending subset (the events), and an unsorted list.
  std::mt19937_64 rng(1919);
  const std::vector<duration> horizons = {
      {duration::unit::bars, 3},    {duration::unit::days, 0},  {duration::unit::days, 1},
      {duration::unit::days, 5},    {duration::unit::days, 90}, {duration::unit::months, 1},
      {duration::unit::months, 13},
  };
  std::size_t numbers = 0;  // returns that were numbers (the comparison saw real cursors)
  for (int run = 0; run < 40; ++run) {
    const int kind = run % 4;
    const std::size_t n = 1 + rng() % (run < 8 ? 12 : 600);
    const data d = generate(rng, n, kind);
    std::vector<std::size_t> all(n), some, shuffled;
    for (std::size_t i = 0; i < n; ++i) {
      all[i] = i;
      if (rng() % 5 == 0) some.push_back(i);
    }
    shuffled = some;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    for (const auto* starts : {&all, &some, &shuffled})
      for (const duration& h : horizons) {
        const std::vector<double> fast = sluice::forward_returns(d.t, d.x, *starts, h);
        REQUIRE(fast.size() == starts->size());
        for (std::size_t k = 0; k < starts->size(); ++k) {
          const double slow = sluice::forward_return(d.t, d.x, (*starts)[k], h);
          INFO("run " << run << " kind " << kind << " n " << n << " start " << (*starts)[k]
                      << " horizon " << sluice::format_duration(h) << " fast " << fast[k]
                      << " slow " << slow);
          REQUIRE(same(fast[k], slow));
          numbers += !std::isnan(slow);
        }
      }
  }
  CHECK(numbers > 20000);
}
