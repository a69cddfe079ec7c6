// The event study of `sluice report`: the mean path of a watched series after the events,
// rebased to 0% at each event, with its 25th..75th percentile band, from the same forward
// returns as `run --stats` (interpreter/stats/forward_returns.hpp).
#pragma once
#include <cstddef>
#include <vector>

#include "interpreter/time.hpp"

namespace sluice::report {

// The mean and the 25th..75th percentile band of x's return from each start to each
// offset (forward_return semantics, so na past the data's end is left out), and how many
// starts had a value at each offset.
struct path_study {
  std::vector<double> mean, p25, p75;
  std::vector<std::size_t> n;
};
path_study study_paths(const std::vector<time_point>& timeline, const std::vector<double>& x,
                       const std::vector<std::size_t>& starts, const std::vector<duration>& offsets);

}  // namespace sluice::report
