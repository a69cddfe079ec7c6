// The batch driver (see run.hpp): timeline first, then blocks through the VM.
#include "interpreter/run.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "interpreter/number.hpp"
#include "interpreter/vm.hpp"

namespace sluice {

bool csv_provider::fetch(const series_spec& spec, const std::string& field, observations& out,
                         diagnostics& diags) {
  auto fail = [&](std::string message, std::string note = {}) {
    diagnostic d;
    d.file = spec.path.empty() ? spec.name : spec.path;
    d.has_pos = false;
    d.message = std::move(message);
    d.note = std::move(note);
    diags.add(std::move(d));
    return false;
  };
  if (spec.path.empty()) return fail(fmt::format("no data for series '{}'", spec.name));
  if (failures_.count(spec.path)) return false;  // reported once already
  auto found = tables_.find(spec.path);
  if (found == tables_.end()) {
    csv_result r = load_csv_file(spec.path);
    if (!r.table) {
      failures_[spec.path] = r.failure;
      if (r.failure.line > 0)
        return fail(fmt::format("line {}: {}", r.failure.line, r.failure.message));
      return fail(r.failure.message);
    }
    found = tables_.emplace(spec.path, std::move(*r.table)).first;
    order_.push_back(&found->second);
  }
  const csv_table& table = found->second;
  const std::string& wanted = field.empty() ? spec.column : field;
  int column = wanted.empty() ? table.default_column : find_column(table, wanted);
  if (column < 0) {
    if (wanted.empty())
      return fail(fmt::format("{} has {} value columns ({}); say which one", spec.path,
                              table.columns.size(), fmt::join(table.columns, ", ")),
                  fmt::format("use {}.{} or load {} from \"{}\" column \"{}\"", spec.name,
                              table.columns.empty() ? "close" : table.columns[0], spec.name,
                              spec.path, table.columns.empty() ? "Close" : table.columns[0]));
    const std::string near = did_you_mean(wanted, table.columns);
    return fail(fmt::format("{} has no column '{}'; its columns are {}", spec.path, wanted,
                            fmt::join(table.columns, ", ")),
                near.empty() ? "" : fmt::format("did you mean '{}'?", near));
  }
  const std::vector<double>& cells = table.cells[static_cast<std::size_t>(column)];
  out.times.clear();
  out.values.clear();
  for (std::size_t r = 0; r < table.times.size(); ++r) {
    if (number_traits<double>::is_na(cells[r])) continue;
    out.times.push_back(table.times[r]);
    out.values.push_back(cells[r]);
  }
  return true;
}

duration default_staleness(const observations& obs) {
  const std::int64_t week = 7;
  if (obs.times.size() < 2) return {duration::unit::days, week};
  std::vector<time_point> gaps;
  gaps.reserve(obs.times.size() - 1);
  for (std::size_t i = 1; i < obs.times.size(); ++i) gaps.push_back(obs.times[i] - obs.times[i - 1]);
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2), gaps.end());
  const time_point median = gaps[gaps.size() / 2];
  const std::int64_t days = (4 * median + seconds_per_day - 1) / seconds_per_day;
  return {duration::unit::days, std::max(week, days)};
}

std::vector<double> align(const observations& obs, const std::vector<time_point>& timeline,
                          duration shift, std::optional<duration> lag, duration stale) {
  std::vector<double> out(timeline.size(), number_traits<double>::na());
  std::size_t j = 0;
  bool any = false;
  for (std::size_t i = 0; i < timeline.size(); ++i) {
    time_point as_of = subtract(timeline[i], shift);
    if (lag) as_of = subtract(as_of, *lag);
    // as_of never decreases along the timeline, so one forward walk suffices.
    while (j < obs.times.size() && obs.times[j] <= as_of) {
      ++j;
      any = true;
    }
    if (!any || j == 0) continue;
    const std::size_t k = j - 1;
    if (obs.times[k] >= subtract(as_of, stale)) out[i] = obs.values[k];
  }
  return out;
}

namespace {

std::string describe(const compiled_action& a) {
  switch (a.what) {
    case action::kind::watch:
      return a.watch_for ? fmt::format("watch {} for {}", a.name, format_duration(*a.watch_for))
                         : fmt::format("watch {}", a.name);
    case action::kind::signal: return fmt::format("signal {}", a.name);
    case action::kind::alert: return "alert";
  }
  return {};
}

}  // namespace

run_result run_batch(const program& p, series_provider& data, const run_options& options,
                     diagnostics& diags) {
  run_result result;
  // 1. The observations behind every input (each series column fetched once).
  std::map<std::pair<std::uint32_t, std::string>, observations> fetched;
  bool ok = true;
  for (const input_spec& in : p.inputs) {
    auto key = std::make_pair(in.series, in.field);
    if (fetched.count(key)) continue;
    observations obs;
    if (!data.fetch(p.series[in.series], in.field, obs, diags)) ok = false;
    fetched.emplace(key, std::move(obs));
  }
  if (!ok) return result;

  // 2. The timeline: the union of their observation dates, up to --to.
  std::vector<time_point> timeline;
  for (const auto& [key, obs] : fetched) timeline.insert(timeline.end(), obs.times.begin(), obs.times.end());
  std::sort(timeline.begin(), timeline.end());
  timeline.erase(std::unique(timeline.begin(), timeline.end()), timeline.end());
  if (options.to) timeline.erase(std::upper_bound(timeline.begin(), timeline.end(), *options.to), timeline.end());
  result.timeline_points = timeline.size();
  if (!timeline.empty()) {
    result.first = timeline.front();
    result.last = timeline.back();
  }

  // 3. Every input aligned as-of on the timeline.
  std::vector<std::vector<double>> columns;
  for (const input_spec& in : p.inputs) {
    const series_spec& spec = p.series[in.series];
    const observations& obs = fetched.at({in.series, in.field});
    const duration stale = spec.stale ? *spec.stale : default_staleness(obs);
    columns.push_back(align(obs, timeline, in.shift, spec.lag, stale));
  }

  // 4. Blocks through the VM; firings become events.
  const std::size_t block = std::max<std::size_t>(1, options.block_size);
  vm<double> machine(p, block);
  if (options.from) machine.set_report_from(*options.from);
  if (options.keep_watched) {
    result.timeline = timeline;
    for (const compiled_rule& rule : p.rules)
      for (const compiled_action& a : rule.actions) {
        if (a.what != action::kind::watch) continue;
        bool seen = false;
        for (const watched_series& w : result.watched) seen = seen || w.name == a.name;
        if (!seen) result.watched.push_back({a.name, a.watched, {}});
      }
    for (watched_series& w : result.watched) w.values.reserve(timeline.size());
  }
  std::vector<const double*> inputs(columns.size());
  std::vector<firing> fired;
  for (std::size_t start = 0; start < timeline.size(); start += block) {
    const std::size_t n = std::min(block, timeline.size() - start);
    for (std::size_t k = 0; k < columns.size(); ++k) inputs[k] = columns[k].data() + start;
    fired.clear();
    machine.execute({n, timeline.data() + start, static_cast<std::int64_t>(start)}, inputs.data(), fired);
    std::sort(fired.begin(), fired.end(), [](const firing& a, const firing& b) {
      return a.index != b.index ? a.index < b.index : a.rule < b.rule;
    });
    for (watched_series& w : result.watched)
      w.values.insert(w.values.end(), machine.number(w.reg), machine.number(w.reg) + n);
    for (const firing& f : fired) {
      const compiled_rule& rule = p.rules[f.rule];
      event e;
      e.time = timeline[start + f.index];
      e.index = start + f.index;
      e.rule = f.rule;
      e.rule_name = rule.name;
      for (const auto& [name, reg] : rule.values) e.values.push_back({name, machine.number(reg)[f.index]});
      for (const compiled_action& a : rule.actions) {
        e.actions.push_back(describe(a));
        if (a.what != action::kind::alert) continue;
        std::string message;
        for (const alert_piece& piece : a.alert) {
          switch (piece.what) {
            case alert_piece::kind::text: message += piece.text; break;
            case alert_piece::kind::value: message += format_number(machine.number(piece.reg)[f.index]); break;
            case alert_piece::kind::date: message += format_time(e.time); break;
            case alert_piece::kind::rule: message += rule.name; break;
          }
        }
        e.messages.push_back(std::move(message));
      }
      result.events.push_back(std::move(e));
    }
  }
  result.ok = true;
  return result;
}

}  // namespace sluice
