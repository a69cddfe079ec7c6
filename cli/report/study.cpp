// Forward paths after events for `sluice report` (see study.hpp).
#include "cli/report/study.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

#include "interpreter/stats/forward_returns.hpp"

namespace sluice::report {

namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// The last timeline index forward_return reads for (i, h); assumes the horizon is inside.
std::size_t horizon_end(const std::vector<time_point>& timeline, std::size_t i, duration h) {
  if (h.is_bars()) return i + static_cast<std::size_t>(h.count);
  const time_point target = add(timeline[i], h);
  return static_cast<std::size_t>(std::upper_bound(timeline.begin(), timeline.end(), target) -
                                  timeline.begin() - 1);
}

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

bool horizon_passes_end(const std::vector<time_point>& timeline, std::size_t i, duration h) {
  if (i >= timeline.size()) return true;
  if (h.is_bars()) return i + static_cast<std::size_t>(h.count) >= timeline.size();
  return add(timeline[i], h) > timeline.back();
}

double forward_drawdown(const std::vector<time_point>& timeline, const std::vector<double>& x,
                        std::size_t i, duration h) {
  if (std::isnan(forward_return(timeline, x, i, h))) return nan;
  const std::size_t end = horizon_end(timeline, i, h);
  double peak = x[i], worst = 0;
  for (std::size_t k = i; k <= end; ++k) {
    if (std::isnan(x[k])) continue;
    peak = std::max(peak, x[k]);
    worst = std::min(worst, x[k] / peak - 1);
  }
  return worst;
}

double deepest_forward_drawdown(const std::vector<time_point>& timeline, const std::vector<double>& x,
                                duration h) {
  // The starts whose return is defined, and the last point each horizon reads; both grow
  // with the start, so the earliest start whose horizon reaches point k only moves right.
  std::vector<std::size_t> starts, ends;
  for (std::size_t i = 0; i < timeline.size(); ++i)
    if (!std::isnan(forward_return(timeline, x, i, h))) {
      starts.push_back(i);
      ends.push_back(horizon_end(timeline, i, h));
    }
  if (starts.empty()) return nan;
  double worst = 0;
  std::size_t first = 0;        // index into starts: the earliest start reaching k
  std::deque<std::size_t> peak;  // points from that start to k, values decreasing
  for (std::size_t k = 0; k < timeline.size(); ++k) {
    while (first < starts.size() && ends[first] < k) ++first;
    if (first == starts.size()) break;
    if (std::isnan(x[k]) || starts[first] > k) continue;  // no start reads k yet
    while (!peak.empty() && x[peak.back()] <= x[k]) peak.pop_back();
    peak.push_back(k);
    while (peak.front() < starts[first]) peak.pop_front();  // k itself stays
    worst = std::min(worst, x[k] / x[peak.front()] - 1);
  }
  return worst;
}

std::size_t overlap_episodes(const std::vector<time_point>& timeline,
                             const std::vector<std::size_t>& events, duration h) {
  std::size_t episodes = 0;
  for (std::size_t k = 0; k < events.size(); ++k) {
    const bool continues = k > 0 && (h.is_bars() ? events[k] < events[k - 1] + static_cast<std::size_t>(h.count)
                                                  : timeline[events[k]] < add(timeline[events[k - 1]], h));
    if (!continues) ++episodes;
  }
  return episodes;
}

path_study study_paths(const std::vector<time_point>& timeline, const std::vector<double>& x,
                       const std::vector<std::size_t>& starts, const std::vector<duration>& offsets) {
  path_study out;
  std::vector<double> returns;
  returns.reserve(starts.size());
  for (const duration& d : offsets) {
    returns.clear();
    for (std::size_t i : starts) {
      const double r = forward_return(timeline, x, i, d);
      if (!std::isnan(r)) returns.push_back(r);
    }
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

double median_of(std::vector<double> v) {
  if (v.empty()) return nan;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace sluice::report
