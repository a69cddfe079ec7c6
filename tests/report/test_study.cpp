// The event study's quartiles (cli/report/study.cpp, by selection) against sorting, on a
// random series with gaps over an irregular timeline.
#ifdef SLUICE_REPORT_TESTS
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "cli/report/study.hpp"
#include "interpreter/stats/forward_returns.hpp"

namespace {

using sluice::duration;
using sluice::ms_per_day;
using sluice::time_point;

struct series {
  std::vector<time_point> t;
  std::vector<double> x;
};

// Steps of 1 to 4 days (weekends, holidays), a random walk, about 1 value in 12 missing.
series random_series(std::mt19937& rng, std::size_t n) {
  series s;
  std::uniform_int_distribution<int> step(1, 4), missing(0, 11);
  std::normal_distribution<double> move(0.0, 0.03);
  time_point t = 1'500'000'000'000 - 1'500'000'000'000 % ms_per_day;
  double v = 100;
  for (std::size_t i = 0; i < n; ++i) {
    t += ms_per_day * step(rng);
    v *= std::exp(move(rng));
    s.t.push_back(t);
    s.x.push_back(missing(rng) == 0 ? std::nan("") : v);
  }
  return s;
}

}  // namespace

TEST_CASE("report: the event study's quartiles equal those of the sorted returns", "[report]") {
  std::mt19937 rng(7);
  const series s = random_series(rng, 400);
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < s.t.size(); i += 3) starts.push_back(i);
  const std::vector<duration> offsets = {{duration::unit::days, 0}, {duration::unit::days, 9},
                                         {duration::unit::days, 30}, {duration::unit::days, 200}};
  const auto study = sluice::report::study_paths(s.t, s.x, starts, offsets);
  for (std::size_t k = 0; k < offsets.size(); ++k) {
    std::vector<double> r;
    for (std::size_t i : starts) {
      const double v = sluice::forward_return(s.t, s.x, i, offsets[k]);
      if (!std::isnan(v)) r.push_back(v);
    }
    std::sort(r.begin(), r.end());
    REQUIRE(study.n[k] == r.size());
    REQUIRE(r.size() > 10);
    // Linear interpolation between the neighbouring order statistics.
    auto q = [&](double at) {
      const double pos = at * static_cast<double>(r.size() - 1);
      const auto lo = static_cast<std::size_t>(pos);
      return r[lo] + (r[std::min(lo + 1, r.size() - 1)] - r[lo]) * (pos - static_cast<double>(lo));
    };
    CHECK(study.p25[k] == q(0.25));
    CHECK(study.p75[k] == q(0.75));
  }
}
#endif  // SLUICE_REPORT_TESTS
