// Forward stats: did the thesis pay? For every `watch X` event, X's return at each
// horizon (as-of values), the lowest and highest X inside the horizon, summarised per
// rule, next to a baseline of the same horizons taken from every timeline point of the
// same date range. A horizon that runs past the end of the data is `pending`; an event at
// which X has no value (before X's data begins, after it ends, in a gap) is `no data`.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/program.hpp"
#include "interpreter/run/batch.hpp"

namespace sluice {

// Why an event's forward return is or is not a number.
enum class return_status : std::uint8_t {
  ok,       // X(t) and X(t + h) are both known
  pending,  // t + h is after the last date of the data: too recent to know
  no_data,  // X has no value at t or at t + h although the data reaches t + h
};

// One event's forward return at one horizon.
struct event_return {
  time_point time = 0;     // the event's date
  std::size_t index = 0;   // its timeline point
  return_status status = return_status::ok;
  double ret = 0;           // X(t + h) / X(t) - 1; NaN unless ok
  double max_drawdown = 0;  // min over (t, t + h] of X(s) / X(t) - 1, at most 0; NaN unless ok
  double max_runup = 0;     // max over (t, t + h] of X(s) / X(t) - 1, at least 0; NaN unless ok
};

struct horizon_stats {
  duration horizon;
  std::size_t count = 0;    // events whose return at this horizon is defined
  std::size_t pending = 0;  // events whose horizon passes the end of the data
  std::size_t no_data = 0;  // events at which the watched series has no value (at t or t + h)
  double mean = 0, median = 0, hit_rate = 0, worst = 0;  // NaN when count == 0
  // The deepest drawdown and the largest run-up any counted event saw inside the horizon
  // (event_return::max_drawdown / max_runup); NaN when count == 0.
  double max_drawdown = 0, max_runup = 0;
  // Runs of counted events whose horizons overlap (an event within h of the previous
  // one continues its episode): events in one episode are not independent samples.
  std::size_t episodes = 0;
  std::vector<event_return> events;  // per event, in time order (empty for the baseline)
};

struct watch_stats {
  std::string rule;     // rule name, or "baseline"
  std::string watched;  // series name
  std::vector<horizon_stats> horizons;
};

// The report range: events (and baseline points) dated in [from, to] are counted; the
// forward returns still read the data after `to`.
struct stats_range {
  std::optional<time_point> from, to;
};

// X(t + h) / X(t) - 1, with X(t + h) read at the last timeline point <= t + h; NaN when
// t + h is after the last point or either value is missing.
double forward_return(const std::vector<time_point>& timeline, const std::vector<double>& x,
                      std::size_t t_index, duration h);

// forward_return(timeline, x, t, h) for each t of `starts`, equal to it value for value.
// With a sorted timeline and ascending starts one cursor walks the horizon ends forward
// (linear in points + starts, where a binary search per start cost the report's event
// study half its time); otherwise each start is looked up on its own.
std::vector<double> forward_returns(const std::vector<time_point>& timeline,
                                    const std::vector<double>& x,
                                    const std::vector<std::size_t>& starts, duration h);

// The same with its status and the path's extremes.
event_return forward_path(const std::vector<time_point>& timeline, const std::vector<double>& x,
                          std::size_t t_index, duration h);

// A basket's forward return from t (docs/semantics.md): equal weights bought at t, so
// mean over components j of x_j(t + h) / x_j(t), minus 1; the path's extremes are those
// of the same portfolio. no_data when any component has no value at t or at t + h.
event_return basket_forward_path(const std::vector<time_point>& timeline,
                                 const std::vector<std::vector<double>>& parts, std::size_t t_index,
                                 duration h);

// One warning per basket component that ends before the basket's other components
// ("basket alts: component sol ends 2023-05-01 while others run to ..."), without a
// trailing newline. Needs run_options::keep_watched.
std::vector<std::string> basket_warnings(const run_result& r);

// forward_path(timeline, x, t, h) for every t in [first, last), equal to it field for
// field, in O(n log n) rather than O(n * points per horizon): the baseline's extremes.
std::vector<event_return> forward_paths(const std::vector<time_point>& timeline,
                                        const std::vector<double>& x, std::size_t first,
                                        std::size_t last, duration h);

// Per rule and watched series, then one baseline row per watched series; a basket's
// forward returns are basket_forward_path's.
std::vector<watch_stats> compute_stats(const program& p, const run_result& r,
                                       const std::vector<duration>& horizons,
                                       const stats_range& range = {});

// Warnings a reader needs beside the numbers: too few events (n < 30), overlapping
// horizons. One line each, without a trailing newline.
std::vector<std::string> stats_warnings(const std::vector<watch_stats>& stats);

std::string format_stats_table(const std::vector<watch_stats>& stats);
// Per-event forward returns: one row per event and watched series, one column per horizon.
std::string format_event_returns_table(const std::vector<watch_stats>& stats);
// jsonl: `"type":"stats"` lines (one per rule, watch and horizon), then `"type":"event_return"`
// lines (one per event, watch and horizon).
std::string format_stats_jsonl(const std::vector<watch_stats>& stats);
// csv: one table with a `type` column: `stats` rows (one per rule, watch and horizon) then
// `event_return` rows (one per event, watch and horizon); the columns one kind does not
// use are empty.
std::string format_stats_csv(const std::vector<watch_stats>& stats);

}  // namespace sluice
