// Forward stats: did the thesis pay? For every `watch X` event, X's return at each
// horizon (as-of values; na when the horizon passes the end of the data), summarised per
// rule, next to a baseline of the same horizons taken from every timeline point.
#pragma once
#include <string>
#include <vector>

#include "interpreter/program.hpp"
#include "interpreter/run/batch.hpp"

namespace sluice {

struct horizon_stats {
  duration horizon;
  std::size_t count = 0;  // events whose return at this horizon is defined
  std::size_t pending = 0;  // events whose horizon passes the end of the data
  double mean = 0, median = 0, hit_rate = 0, worst = 0;  // NaN when count == 0
};

struct watch_stats {
  std::string rule;     // rule name, or "baseline"
  std::string watched;  // series name
  std::vector<horizon_stats> horizons;
};

// A watched series over the whole timeline (filled by run_batch when asked).
struct watched_column {
  std::string name;
  std::vector<double> values;
};

// X(t + h) / X(t) - 1, with X(t + h) read at the last timeline point <= t + h; NaN when
// t + h is after the last point or either value is missing.
double forward_return(const std::vector<time_point>& timeline, const std::vector<double>& x,
                      std::size_t t_index, duration h);

// Per rule and watched series, then one baseline row per watched series.
std::vector<watch_stats> compute_stats(const program& p, const run_result& r,
                                       const std::vector<duration>& horizons);

std::string format_stats_table(const std::vector<watch_stats>& stats);
std::string format_stats_jsonl(const std::vector<watch_stats>& stats);
std::string format_stats_csv(const std::vector<watch_stats>& stats);

}  // namespace sluice
