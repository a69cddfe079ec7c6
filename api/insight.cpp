// The embedding API's forward stats, explanations and load reports: what the Python package
// (python/) shows pandas users, on the same code as `sluice run --stats`, `sluice explain`
// and the CLI's load reports.
#define SLUICE_BUILDING_LIBRARY
#include <fmt/format.h>

#include "api/api_internal.hpp"
#include "interpreter/data/catalog.hpp"
#include "interpreter/data/csv_loader.hpp"
#include "interpreter/reference/explain.hpp"
#include "interpreter/run/run.hpp"
#include "interpreter/stats/forward_returns.hpp"

namespace sluice::api {

stats_result program::stats(const run_options& options, const std::vector<period>& horizons) const {
  stats_result out;
  memory_provider data(impl_->series);
  sluice::run_options ro;
  ro.from = detail::from_ms_or_seconds(options.from_ms, options.from);
  ro.to = detail::from_ms_or_seconds(options.to_ms, options.to);
  ro.exact = options.exact;
  ro.keep_watched = true;  // the forward returns read the watched series' columns
  diagnostics diags;
  sluice::run_result r;
  try {
    r = run_batch(*impl_->code, data, ro, diags);
  } catch (const std::bad_alloc&) {
    diags.add({severity::error, "<run>", {}, "out of memory during the run", {}, false});
  }
  for (const sluice::diagnostic& d : diags.items()) out.run.diagnostics.push_back(detail::to_public(d, {}));
  out.run.ok = r.ok;
  out.run.points = r.timeline_points;
  for (const sluice::event& e : r.events) out.run.events.push_back(detail::to_public(e));
  if (!r.ok) return out;

  // The same default as `sluice run --stats` (cli/main.cpp).
  std::vector<sluice::duration> h;
  for (const period& p : horizons) h.push_back(detail::to_duration(p));
  if (h.empty()) h = impl_->code->horizons;
  if (h.empty())
    h = {{sluice::duration::unit::days, 30}, {sluice::duration::unit::days, 60},
         {sluice::duration::unit::days, 90}};
  const std::vector<watch_stats> stats =
      compute_stats(*impl_->code, r, h, stats_range{ro.from, ro.to});
  out.warnings = stats_warnings(stats);
  for (const watch_stats& w : stats)
    for (const horizon_stats& s : w.horizons) {
      const std::string horizon = format_duration(s.horizon);
      out.rows.push_back({w.rule, w.watched, horizon, s.count, s.pending, s.no_data, s.mean,
                          s.median, s.hit_rate, s.worst, s.max_drawdown, s.max_runup, s.episodes});
      for (const sluice::event_return& e : s.events) {
        const char* status = e.status == return_status::ok        ? "ok"
                             : e.status == return_status::pending ? "pending"
                                                                  : "no_data";
        out.events.push_back({w.rule, w.watched, horizon, detail::to_seconds(e.time), status, e.ret,
                              e.max_drawdown, e.max_runup, e.time});
      }
    }
  return out;
}

explanation program::explain(std::string_view rule, std::optional<timestamp> at, bool exact) const {
  std::optional<timestamp_ms> at_ms;
  if (at) at_ms = detail::from_seconds(*at);
  return explain_ms(rule, at_ms, exact);
}

explanation program::explain_ms(std::string_view rule, std::optional<timestamp_ms> at_ms,
                                bool exact) const {
  memory_provider data(impl_->series);
  // The rules' source name (a rule's location is "NAME:LINE"), so `rule` may be a line number.
  std::string file = "<rules>";
  if (!impl_->code->rules.empty()) {
    const std::string& where = impl_->code->rules.front().location;
    file = where.substr(0, where.rfind(':'));
  }
  const sluice::explanation e =
      explain_rule(file, *impl_->code, data, std::string(rule), at_ms, exact);
  explanation out;
  out.ok = e.status == 0;
  out.text = e.text;
  out.error = e.error;
  while (!out.error.empty() && out.error.back() == '\n') out.error.pop_back();
  return out;
}

std::optional<series_data> read_csv(const std::string& path, std::string_view column,
                                    std::string* error, load_report* report) {
  auto failed = [&](std::string message) -> std::optional<series_data> {
    if (error) *error = std::move(message);
    return std::nullopt;
  };
  csv_result r = load_csv_file(path);
  if (!r.table) return failed(fmt::format("{}: {}", path, r.failure.message));
  const csv_table& t = *r.table;
  if (report) {
    report->path = t.path;
    report->rows_read = t.rows_read;
    report->rows_used = t.rows_used;
    report->missing_cells = t.missing_cells;
    report->rejected.clear();
    for (const csv_rejected_row& row : t.rejected) report->rejected.push_back({row.line, row.reason});
    report->notes = t.notes;
    report->text = format_load_report(t);
  }
  const int c = column.empty() ? t.default_column : find_column(t, column);
  if (c < 0)
    return failed(column.empty()
                      ? fmt::format("{} has {} value columns ({}); say which one", path,
                                    t.columns.size(), fmt::join(t.columns, ", "))
                      : fmt::format("{} has no column '{}'", path, column));
  series_data out;
  defined_cells(t, c, out.times_ms, out.values);
  out.times.reserve(out.times_ms.size());
  for (const time_point ms : out.times_ms) out.times.push_back(detail::to_seconds(ms));
  return out;
}

std::optional<period> catalogue_lag(std::string_view name) {
  const catalog_entry* e = find_catalog_entry(name);
  if (!e || e->publication_lag.count == 0) return std::nullopt;
  const bool months = e->publication_lag.kind == duration::unit::months;
  return period{e->publication_lag.count, months ? period::unit::months : period::unit::days};
}

}  // namespace sluice::api
