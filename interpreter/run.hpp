// Running a compiled program over history (batch): align the series on one timeline, feed
// the VM block by block, and turn firings into events.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/csv_loader.hpp"
#include "interpreter/diagnostics.hpp"
#include "interpreter/program.hpp"

namespace sluice {

// The defined observations of one series column, ascending in time.
struct observations {
  std::vector<time_point> times;
  std::vector<double> values;
};

// Where a run gets its data: the CLI reads CSV files, hosts hand over memory.
class series_provider {
 public:
  virtual ~series_provider() = default;
  // Fills `out` for spec's column (`field` empty) or the named field. Reports problems
  // to `diags` and returns false when the series cannot be provided.
  virtual bool fetch(const series_spec& spec, const std::string& field, observations& out,
                     diagnostics& diags) = 0;
};

// Reads CSV files (each once) and keeps their load reports for the user.
class csv_provider : public series_provider {
 public:
  bool fetch(const series_spec& spec, const std::string& field, observations& out,
             diagnostics& diags) override;
  // Per file: rows read/used/rejected, notes; in load order.
  const std::vector<const csv_table*>& tables() const { return order_; }

 private:
  std::map<std::string, csv_table> tables_;
  std::map<std::string, csv_failure> failures_;
  std::vector<const csv_table*> order_;
};

struct event_value {
  std::string name;
  double value;
};

// One rule firing.
struct event {
  time_point time = 0;
  std::size_t index = 0;  // position on the timeline
  std::uint32_t rule = 0;
  std::string rule_name;
  std::vector<event_value> values;    // the series its condition referenced, at `time`
  std::vector<std::string> actions;   // "watch alts for 90d", "signal stage3", "alert"
  std::vector<std::string> messages;  // alert texts, interpolated
};

struct run_options {
  std::optional<time_point> from;  // events before this are not reported (warm-up still runs)
  std::optional<time_point> to;    // the timeline ends here
  std::size_t block_size = 1024;
  bool keep_watched = false;       // keep watched series' columns (forward stats need them)
};

// A watched series' values on the whole timeline (kept when run_options::keep_watched).
struct watched_series {
  std::string name;
  reg_index reg = 0;
  std::vector<double> values;
};

struct run_result {
  bool ok = false;
  std::vector<event> events;
  std::size_t timeline_points = 0;
  time_point first = 0, last = 0;
  std::vector<time_point> timeline;       // kept with keep_watched
  std::vector<watched_series> watched;    // kept with keep_watched
};

// Staleness when the load statement gives none: the larger of 7 days and 4x the median
// spacing of the observations (SPEC 3).
duration default_staleness(const observations& obs);

// As-of alignment: for each timeline point t, the value of the last observation dated
// <= t - shift - lag, or NaN when none exists or it is older than `stale`.
std::vector<double> align(const observations& obs, const std::vector<time_point>& timeline,
                          duration shift, std::optional<duration> lag, duration stale);

run_result run_batch(const program& p, series_provider& data, const run_options& options,
                     diagnostics& diags);

}  // namespace sluice
