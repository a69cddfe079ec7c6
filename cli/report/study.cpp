// The event study of `sluice report` (see study.hpp).
#include "cli/report/study.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "interpreter/stats/forward_returns.hpp"

namespace sluice::report {

namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// The q-quantile with linear interpolation between neighbours, as if `v` were sorted
// (it is reordered: nth_element, linear time, where sorting every offset's returns of a
// long timeline cost more than the rest of the page).
double quantile(std::vector<double>& v, double q) {
  if (v.empty()) return nan;
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(pos);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(lo), v.end());
  const double below = v[lo];
  if (lo + 1 >= v.size()) return below;
  const double above = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(lo) + 1, v.end());
  return below + (above - below) * (pos - static_cast<double>(lo));
}
}  // namespace

path_study study_paths(const std::vector<time_point>& timeline, const std::vector<double>& x,
                       const std::vector<std::size_t>& starts, const std::vector<duration>& offsets) {
  path_study out;
  std::vector<double> returns;
  returns.reserve(starts.size());
  for (const duration& d : offsets) {
    // One pass over the starts per offset (a cursor over the horizon ends: the starts
    // ascend), not a binary search per start.
    returns.clear();
    for (double r : forward_returns(timeline, x, starts, d))
      if (!std::isnan(r)) returns.push_back(r);
    out.n.push_back(returns.size());
    if (returns.empty()) {
      out.mean.push_back(nan);
      out.p25.push_back(nan);
      out.p75.push_back(nan);
      continue;
    }
    double sum = 0;
    for (double r : returns) sum += r;
    out.mean.push_back(sum / static_cast<double>(returns.size()));
    out.p25.push_back(quantile(returns, 0.25));
    out.p75.push_back(quantile(returns, 0.75));
  }
  return out;
}

}  // namespace sluice::report
