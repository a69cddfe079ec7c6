// Coverage lines and staleness warnings (see coverage_report.hpp).
#include "cli/coverage_report.hpp"

#include <fmt/format.h>

#include <filesystem>

namespace sluice {

std::vector<input_coverage> coverage_of_inputs(const program& p, const csv_provider& data) {
  std::vector<input_coverage> out;
  std::vector<std::pair<std::uint32_t, std::string>> seen;
  for (const input_spec& in : p.inputs) {
    const auto key = std::make_pair(in.series, in.field);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    const series_spec& spec = p.series[in.series];
    if (spec.path.empty()) continue;
    const csv_table* table = nullptr;
    for (const csv_table* t : data.tables())
      if (t->path == spec.path) table = t;
    if (!table) continue;
    const std::string& wanted = in.field.empty() ? spec.column : in.field;
    const int column = wanted.empty() ? table->default_column : find_column(*table, wanted);
    if (column < 0) continue;
    std::vector<time_point> times;
    std::vector<double> values;
    defined_cells(*table, column, times, values);
    const std::string name = in.field.empty() ? spec.name : spec.name + "." + in.field;
    input_coverage c{coverage_of(name, spec.path, table->columns[static_cast<std::size_t>(column)], times),
                     spec.stale ? *spec.stale : default_staleness(times)};
    c.coverage.lag = spec.lag;
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<std::string> coverage_warnings(const std::vector<input_coverage>& inputs,
                                           time_point timeline_first, time_point timeline_last) {
  std::vector<std::string> out;
  const duration year{duration::unit::days, 365};
  for (const input_coverage& in : inputs) {
    const series_coverage& c = in.coverage;
    const std::string file = std::filesystem::path(c.path).filename().string();
    if (c.count == 0) {
      out.push_back(fmt::format("{} ({}) has no observations: rules reading it see na", c.name, file));
      continue;
    }
    // The last point at which a read still sees the last observation.
    time_point visible_until = add(c.last, in.stale);
    if (c.lag) visible_until = add(visible_until, *c.lag);
    if (visible_until < timeline_last)
      out.push_back(fmt::format("{} ({}) ends {}, {} before the timeline ends ({}); rules reading "
                                "it see na after {}",
                                c.name, file, format_time(c.last), years_between(c.last, timeline_last),
                                format_time(timeline_last), format_time(visible_until)));
    if (c.first > add(timeline_first, year))
      out.push_back(fmt::format("{} ({}) starts {}, {} after the timeline starts ({}); rules "
                                "reading it see na before then",
                                c.name, file, format_time(c.first), years_between(timeline_first, c.first),
                                format_time(timeline_first)));
  }
  return out;
}

}  // namespace sluice
