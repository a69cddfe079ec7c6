// What `sluice report` shows beyond `run --stats`, computed from the same forward returns
// (interpreter/stats/forward_returns.hpp) so that the page's counts, means, medians, hit
// rates and worst returns are those of `run --stats`: why a return is missing (the horizon
// passes the end of the data, or the series has no value), the drawdown inside each
// horizon, how much the events overlap, and the mean path after the events (the event
// study).
#pragma once
#include <cstddef>
#include <vector>

#include "interpreter/time.hpp"

namespace sluice::report {

// Why forward_return() gave na for point i: the horizon passes the timeline's end
// (`pending`: too recent to know), or the series had no value at either end (`no data`).
bool horizon_passes_end(const std::vector<time_point>& timeline, std::size_t i, duration h);

// The largest peak-to-trough fall of x over the points from i to the last point at or
// before t + h (as forward_return reads them), as a negative fraction (-0.12 = 12%
// below the running peak), 0 when x never fell; NaN when forward_return(i, h) is NaN.
double forward_drawdown(const std::vector<time_point>& timeline, const std::vector<double>& x,
                        std::size_t i, duration h);

// The deepest forward_drawdown(i, h) over every point i of the timeline whose
// forward_return(i, h) is defined (the baseline's max drawdown), in one pass: point by
// point, the largest fall is measured from the highest value since the earliest start
// whose horizon still reaches it (a sliding-window maximum), instead of walking each
// start's horizon (n times its length: hours on 130k hourly points). NaN when no return
// is defined.
double deepest_forward_drawdown(const std::vector<time_point>& timeline, const std::vector<double>& x,
                                duration h);

// Events whose horizons overlap are not independent: runs of events where each starts
// before the previous one's horizon ended (t_next < t + h) form one episode.
std::size_t overlap_episodes(const std::vector<time_point>& timeline,
                             const std::vector<std::size_t>& events, duration h);

// The mean and the 25th..75th percentile band of x's return from each start to each
// offset (forward_return semantics, so na past the data's end is left out), and how many
// starts had a value at each offset.
struct path_study {
  std::vector<double> mean, p25, p75;
  std::vector<std::size_t> n;
};
path_study study_paths(const std::vector<time_point>& timeline, const std::vector<double>& x,
                       const std::vector<std::size_t>& starts, const std::vector<duration>& offsets);

// Median of a copy (NaN when empty), as interpreter/stats/forward_returns.cpp computes it.
double median_of(std::vector<double> v);

}  // namespace sluice::report
