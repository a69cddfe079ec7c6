// What every run starts from: each series column fetched once, the timeline (the union
// of observation times) and every input aligned as-of on it.
#pragma once
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "interpreter/diagnostics.hpp"
#include "interpreter/number.hpp"
#include "interpreter/program.hpp"
#include "interpreter/run/provider.hpp"

namespace sluice {

// Staleness when the load statement gives none: the larger of 7 days and 4x the median
// spacing of the observations (SPEC 3).
duration default_staleness(const std::vector<time_point>& times);
inline duration default_staleness(const observations& obs) { return default_staleness(obs.times); }

// One series column fetched from `data` in the number type Num: fetch() for double;
// fetch_text() parsed as decimals for exact mode (cells that are not numbers are dropped).
template <class Num>
bool fetch_series(series_provider& data, const series_spec& spec, const std::string& field,
                  series_values<Num>& out, diagnostics& diags);

// What every run over a program's inputs starts from (run_batch, run_columns): each series
// column fetched once, the timeline (the union of their observation times, cut at `to`),
// and columns[k], input k as-of aligned on it (pointing into `fetched` where the series
// is its own alignment, else into `aligned`). When every series has the same times (one
// calendar, the common case) the timeline views the first one's times instead of copying
// them: a million-point copy costs more in fresh pages than the VM spends on four rules.
template <class Num>
struct run_inputs {
  std::map<std::pair<std::uint32_t, std::string>, series_values<Num>> fetched;
  std::span<const time_point> timeline;
  std::vector<time_point> merged_times;  // the timeline's storage when it is a real union
  std::vector<std::vector<Num>> aligned;
  std::vector<const Num*> columns;
};
template <class Num>
bool prepare_inputs(const program& p, series_provider& data, std::optional<time_point> to,
                    run_inputs<Num>& out, diagnostics& diags);

// The timeline's points: the sorted union of observation times (each part ascending, as
// loaders deliver them, merges in linear time; anything else is sorted).
std::vector<time_point> union_of_times(const std::vector<const std::vector<time_point>*>& parts);

// As-of alignment: for each timeline point t, the value of the last observation dated
// <= t - shift - lag, or NaN when none exists or it is older than `stale`.
std::vector<double> align(const observations& obs, const std::vector<time_point>& timeline,
                          duration shift, std::optional<duration> lag, duration stale);

// The same for any number type (exact mode aligns decimals): `values[i]` observed at
// `times[i]`; na where nothing is visible.
template <class Num>
std::vector<Num> align_values(const std::vector<time_point>& times, const std::vector<Num>& values,
                              std::span<const time_point> timeline, duration shift,
                              std::optional<duration> lag, duration stale) {
  std::vector<Num> out(timeline.size(), number_traits<Num>::na());
  std::size_t j = 0;
  for (std::size_t i = 0; i < timeline.size(); ++i) {
    time_point as_of = subtract(timeline[i], shift);
    if (lag) as_of = subtract(as_of, *lag);
    // as_of never decreases along the timeline, so one forward walk suffices.
    while (j < times.size() && times[j] <= as_of) ++j;
    if (j == 0) continue;
    const std::size_t k = j - 1;
    if (times[k] >= subtract(as_of, stale)) out[i] = values[k];
  }
  return out;
}

}  // namespace sluice
