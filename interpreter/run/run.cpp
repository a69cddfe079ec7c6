// The batch driver (see run.hpp): timeline first, then blocks through the VM.
#include "interpreter/run/run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <iterator>
#include <type_traits>

#include "interpreter/numeric/decimal.hpp"
#include "interpreter/number.hpp"
#include "interpreter/vm/vm.hpp"

namespace sluice {

namespace {

void report(diagnostics& diags, const series_spec& spec, std::string message,
            std::string note = {}) {
  diagnostic d;
  d.file = spec.path.empty() ? spec.name : spec.path;
  d.has_pos = false;
  d.message = std::move(message);
  d.note = std::move(note);
  diags.add(std::move(d));
}

}  // namespace

bool series_provider::fetch_text(const series_spec& spec, const std::string& field,
                                 text_observations& out, diagnostics& diags) {
  observations obs;
  if (!fetch(spec, field, obs, diags)) return false;
  out.times = std::move(obs.times);
  out.values.clear();
  out.values.reserve(obs.values.size());
  for (double v : obs.values) out.values.push_back(fmt::format("{}", v));  // shortest round trip
  return true;
}

bool csv_provider::fetch(const series_spec& spec, const std::string& field, observations& out,
                         diagnostics& diags) {
  int column = -1;
  const csv_table* table = locate(spec, field, column, diags);
  if (!table) return false;
  defined_cells(*table, column, out.times, out.values);
  return true;
}

bool csv_provider::fetch_text(const series_spec& spec, const std::string& field,
                              text_observations& out, diagnostics& diags) {
  int column = -1;
  const csv_table* table = locate(spec, field, column, diags);
  if (!table) return false;
  auto text = load_column_text(spec.path, *table, column);
  if (!text) {
    report(diags, spec, fmt::format("{} changed while it was read; run again", spec.path));
    return false;
  }
  out.times.clear();
  out.values.clear();
  for (std::size_t r = 0; r < table->times.size(); ++r) {
    if ((*text)[r].empty()) continue;  // missing cell
    out.times.push_back(table->times[r]);
    out.values.push_back(std::move((*text)[r]));
  }
  return true;
}

const csv_table* csv_provider::locate(const series_spec& spec, const std::string& field,
                                      int& column, diagnostics& diags) {
  auto fail = [&](std::string message, std::string note = {}) -> const csv_table* {
    report(diags, spec, std::move(message), std::move(note));
    return nullptr;
  };
  if (spec.path.empty()) return fail(fmt::format("no data for series '{}'", spec.name));
  if (failures_.count(spec.path)) return nullptr;  // reported once already
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
  column = wanted.empty() ? table.default_column : find_column(table, wanted);
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
  return &table;
}

namespace {

duration staleness_of(const std::vector<time_point>& times) {
  const std::int64_t week = 7;
  if (times.size() < 2) return {duration::unit::days, week};
  // The median gap (the element at index size/2 in sorted order). Calendars have few
  // distinct gaps (1 and 3 days for business days), so count them in a small table; only
  // irregular series fall back to nth_element over all gaps.
  const std::size_t count = times.size() - 1;
  constexpr std::size_t max_distinct = 16;
  std::pair<time_point, std::size_t> seen[max_distinct];
  std::size_t distinct = 0;
  bool few = true;
  for (std::size_t i = 1; i < times.size() && few; ++i) {
    const time_point gap = times[i] - times[i - 1];
    std::size_t k = 0;
    while (k < distinct && seen[k].first != gap) ++k;
    if (k < distinct) ++seen[k].second;
    else if (distinct < max_distinct) seen[distinct++] = {gap, 1};
    else few = false;
  }
  time_point median = 0;
  if (few) {
    std::sort(seen, seen + distinct);
    std::size_t below = 0;
    for (std::size_t k = 0; k < distinct; ++k) {
      below += seen[k].second;
      if (below > count / 2) {
        median = seen[k].first;
        break;
      }
    }
  } else {
    std::vector<time_point> gaps;
    gaps.reserve(count);
    for (std::size_t i = 1; i < times.size(); ++i) gaps.push_back(times[i] - times[i - 1]);
    std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(count / 2), gaps.end());
    median = gaps[count / 2];
  }
  const std::int64_t days = (4 * median + seconds_per_day - 1) / seconds_per_day;
  return {duration::unit::days, std::max(week, days)};
}

}  // namespace

duration default_staleness(const std::vector<time_point>& times) { return staleness_of(times); }

std::vector<time_point> union_of_times(const std::vector<const std::vector<time_point>*>& parts) {
  std::vector<time_point> out;
  bool sorted = true;
  for (const auto* part : parts) sorted = sorted && std::is_sorted(part->begin(), part->end());
  if (!sorted) {  // not from a loader (which sorts): the general way
    for (const auto* part : parts) out.insert(out.end(), part->begin(), part->end());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }
  // Ascending parts merge in linear time; series on one calendar (the common case) are
  // recognised by one comparison and cost no merge at all.
  std::vector<time_point> merged;
  for (const auto* part : parts) {
    if (out.empty()) {
      out.assign(part->begin(), part->end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
      continue;
    }
    if (*part == out) continue;
    merged.clear();
    merged.reserve(out.size() + part->size());
    std::set_union(out.begin(), out.end(), part->begin(), part->end(), std::back_inserter(merged));
    merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
    out.swap(merged);
  }
  return out;
}

std::vector<double> align(const observations& obs, const std::vector<time_point>& timeline,
                          duration shift, std::optional<duration> lag, duration stale) {
  return align_values(obs.times, obs.values, timeline, shift, lag, stale);
}

// The driver and the events for either number type (double, or exact mode's decimal).
// `value_of(reg)` is the register's value at the firing point; `values` are the event's
// values, already in their store. The event is built whole, not default-constructed and
// then assigned: an empty action list is itself a shared pointer, and replacing it cost
// two atomic reference counts per event.
template <class Num, class ValueOf>
event build_event(const program& p, std::uint32_t rule_index, time_point t, std::size_t index,
                  event_values values, ValueOf value_of) {
  const compiled_rule& rule = p.rules[rule_index];
  std::vector<std::string> messages;
  for (const compiled_action& a : rule.actions) {
    if (a.what != action::kind::alert) continue;
    std::string message;
    for (const alert_piece& piece : a.alert) {
      switch (piece.what) {
        case alert_piece::kind::text: message += piece.text; break;
        case alert_piece::kind::value: message += format_number(value_of(piece.reg)); break;
        case alert_piece::kind::date: message += format_time(t); break;
        case alert_piece::kind::rule: message += rule.name; break;
      }
    }
    messages.push_back(std::move(message));
  }
  return event{t, index, rule_index, rule.name, std::move(values), rule.action_texts, std::move(messages)};
}

// Appends values to an event value store: as doubles, and in exact mode as exact text too.
template <class Num>
void store_numbers(event_value_store& store, const Num* values, std::size_t count) {
  using T = number_traits<Num>;
  if constexpr (std::is_same_v<Num, double>) {
    store.numbers.insert(store.numbers.end(), values, values + count);
  } else {
    for (std::size_t k = 0; k < count; ++k) {
      store.numbers.push_back(T::to_double(values[k]));
      store.texts.push_back(format_number(values[k]));
    }
  }
}

// A single event (streaming sessions) has a store of its own.
template <class Num>
event make_event_of(const program& p, const vm<Num>& machine, const firing& f, time_point t,
                    std::size_t index) {
  const compiled_rule& rule = p.rules[f.rule];
  auto value_of = [&](reg_index r) { return machine.number(r)[f.index]; };
  auto store = std::make_shared<event_value_store>();
  store->names.push_back(rule.value_names);
  std::vector<Num> values;
  for (const auto& [name, reg] : rule.values) values.push_back(value_of(reg));
  store_numbers(*store, values.data(), values.size());
  return build_event<Num>(p, f.rule, t, index, event_values(std::move(store), 0, 0), value_of);
}

event make_event(const program& p, const vm<double>& machine, const firing& f, time_point t,
                 std::size_t index) {
  return make_event_of(p, machine, f, t, index);
}

event make_event(const program& p, const vm<decimal>& machine, const firing& f, time_point t,
                 std::size_t index) {
  return make_event_of(p, machine, f, t, index);
}

// One series column in the run's number type: doubles as fetched, or (exact mode) the
// decimal text parsed as decimals, never through double.
template <class Num>
bool fetch_series(series_provider& data, const series_spec& spec, const std::string& field,
                  series_values<Num>& out, diagnostics& diags) {
  if constexpr (std::is_same_v<Num, double>) {
    observations obs;
    if (!data.fetch(spec, field, obs, diags)) return false;
    out.times = std::move(obs.times);
    out.values = std::move(obs.values);
  } else {
    text_observations obs;
    if (!data.fetch_text(spec, field, obs, diags)) return false;
    for (std::size_t i = 0; i < obs.times.size(); ++i) {
      const Num v = number_traits<Num>::from_text(obs.values[i]);
      if (number_traits<Num>::is_na(v)) continue;  // not a number: no observation
      out.times.push_back(obs.times[i]);
      out.values.push_back(v);
    }
  }
  return true;
}

template bool fetch_series<double>(series_provider&, const series_spec&, const std::string&,
                                   series_values<double>&, diagnostics&);
template bool fetch_series<decimal>(series_provider&, const series_spec&, const std::string&,
                                    series_values<decimal>&, diagnostics&);

template <class Num>
bool prepare_inputs(const program& p, series_provider& data, std::optional<time_point> to,
                    run_inputs<Num>& out, diagnostics& diags) {
  // 1. The observations behind every input (each series column fetched once).
  bool ok = true;
  for (const input_spec& in : p.inputs) {
    auto key = std::make_pair(in.series, in.field);
    if (out.fetched.count(key)) continue;
    series_values<Num> obs;
    if (!fetch_series(data, p.series[in.series], in.field, obs, diags)) ok = false;
    out.fetched.emplace(key, std::move(obs));
  }
  if (!ok) return false;

  // 2. The timeline: the union of their observation dates, up to `to`.
  std::vector<const std::vector<time_point>*> all_times;
  for (const auto& [key, obs] : out.fetched) all_times.push_back(&obs.times);
  const std::vector<time_point>* same = all_times.empty() ? nullptr : all_times.front();
  for (const auto* times : all_times)
    if (same && times != same && *times != *same) same = nullptr;
  if (same && std::adjacent_find(same->begin(), same->end(), std::greater_equal<>()) != same->end())
    same = nullptr;  // not strictly ascending (not from a loader): sort it as a union
  if (same) {
    out.timeline = *same;  // every series on one calendar: it is already the union
  } else {
    out.merged_times = union_of_times(all_times);
    out.timeline = out.merged_times;
  }
  if (to) out.timeline = out.timeline.first(static_cast<std::size_t>(
              std::upper_bound(out.timeline.begin(), out.timeline.end(), *to) - out.timeline.begin()));
  const std::span<const time_point> timeline = out.timeline;

  // 3. Every input aligned as-of on the timeline. A column observed at every timeline
  //    point and read without shift or lag is its own alignment: it is used in place.
  out.aligned.reserve(p.inputs.size());  // no reallocation: columns point into it
  for (const input_spec& in : p.inputs) {
    const series_spec& spec = p.series[in.series];
    const series_values<Num>& obs = out.fetched.at({in.series, in.field});
    const bool unshifted = in.shift.count == 0 && (!spec.lag || spec.lag->count == 0);
    const bool on_timeline = same != nullptr || (obs.times.size() >= timeline.size() &&
                                      std::equal(timeline.begin(), timeline.end(), obs.times.begin()));
    if (unshifted && on_timeline) {
      out.columns.push_back(obs.values.data());
      continue;
    }
    const duration stale = spec.stale ? *spec.stale : staleness_of(obs.times);
    out.aligned.push_back(align_values(obs.times, obs.values, timeline, in.shift, spec.lag, stale));
    out.columns.push_back(out.aligned.back().data());
  }
  return true;
}

template bool prepare_inputs<double>(const program&, series_provider&, std::optional<time_point>,
                                     run_inputs<double>&, diagnostics&);
template bool prepare_inputs<decimal>(const program&, series_provider&, std::optional<time_point>,
                                      run_inputs<decimal>&, diagnostics&);

namespace {

// Orders a block's firings by (point, rule), as events are listed. The VM appends them
// rule by rule, each rule's in point order, so a stable counting sort by point gives that
// order in two linear passes; std::sort took 15% of W3's run (1.8 million firings).
struct firing_order {
  std::vector<std::uint32_t> starts;  // per point of the block: where its firings go
  std::vector<firing> sorted;
};

void order_firings(std::vector<firing>& fired, std::size_t points, firing_order& o) {
  auto by_point_then_rule = [](const firing& a, const firing& b) {
    return a.index != b.index ? a.index < b.index : a.rule < b.rule;
  };
  if (fired.size() < 2) return;
  const bool rule_order = std::is_sorted(fired.begin(), fired.end(),
                                         [](const firing& a, const firing& b) { return a.rule < b.rule; });
  if (!rule_order || fired.size() * 16 < points) {  // a few firings: sorting is cheaper
    std::sort(fired.begin(), fired.end(), by_point_then_rule);
    return;
  }
  o.starts.assign(points + 1, 0);
  for (const firing& f : fired) ++o.starts[f.index + 1];
  for (std::size_t i = 1; i <= points; ++i) o.starts[i] += o.starts[i - 1];
  o.sorted.resize(fired.size());
  for (const firing& f : fired) o.sorted[o.starts[f.index]++] = f;
  fired.swap(o.sorted);
}

template <class Num>
run_result run_batch_of(const program& p, series_provider& data, const run_options& options,
                        diagnostics& diags) {
  using T = number_traits<Num>;
  run_result result;
  run_inputs<Num> in;
  if (!prepare_inputs(p, data, options.to, in, diags)) return result;
  const std::span<const time_point> timeline = in.timeline;
  const std::vector<const Num*>& column_data = in.columns;
  result.timeline_points = timeline.size();
  if (!timeline.empty()) {
    result.first = timeline.front();
    result.last = timeline.back();
  }

  // Blocks through the VM; firings become events.
  const std::size_t block = options.block_size ? options.block_size : block_size_for(p);
  vm<Num> machine(p, block);
  if (options.from) machine.set_report_from(*options.from);
  if (options.keep_watched) {
    result.timeline.assign(timeline.begin(), timeline.end());
    for (const compiled_rule& rule : p.rules)
      for (const compiled_action& a : rule.actions) {
        if (a.what != action::kind::watch) continue;
        bool seen = false;
        for (const watched_series& w : result.watched) seen = seen || w.name == a.name;
        if (!seen) result.watched.push_back({a.name, a.watched, {}});
      }
    for (watched_series& w : result.watched) w.values.reserve(timeline.size());
  }
  // Firings are recorded compactly during the run, with the values their events print
  // (registers are overwritten by the next block), and become events once at the end: one
  // allocation of the event list instead of its growth, which cost more than the VM on
  // rules that fire often.
  struct recorded_firing {
    std::size_t index;
    time_point time;
    std::uint32_t rule;
    std::size_t first_value;  // into snapshot, one value per registers_of[rule]
  };
  std::vector<std::vector<reg_index>> registers_of(p.rules.size());
  for (std::size_t r = 0; r < p.rules.size(); ++r) {
    for (const auto& [name, reg] : p.rules[r].values) registers_of[r].push_back(reg);
    for (const compiled_action& a : p.rules[r].actions)
      for (const alert_piece& piece : a.alert)
        if (piece.what == alert_piece::kind::value) registers_of[r].push_back(piece.reg);
  }
  std::vector<recorded_firing> recorded;
  std::vector<Num> snapshot;

  std::vector<const Num*> inputs(column_data.size());
  std::vector<firing> fired;
  firing_order ordering;
  for (std::size_t start = 0; start < timeline.size(); start += block) {
    const std::size_t n = std::min(block, timeline.size() - start);
    for (std::size_t k = 0; k < column_data.size(); ++k) inputs[k] = column_data[k] + start;
    fired.clear();
    machine.execute({n, timeline.data() + start, static_cast<std::int64_t>(start)}, inputs.data(), fired);
    order_firings(fired, n, ordering);
    for (watched_series& w : result.watched) {
      const Num* column = machine.number(w.reg);
      for (std::size_t i = 0; i < n; ++i) w.values.push_back(T::to_double(column[i]));
    }
    for (const firing& f : fired) {
      recorded.push_back({start + f.index, timeline[start + f.index], f.rule, snapshot.size()});
      for (reg_index r : registers_of[f.rule]) snapshot.push_back(machine.number(r)[f.index]);
    }
  }
  // Every event's values live in one store: each rule's values come first in its
  // registers_of list, so a firing's values start at its first_value in the snapshot.
  auto store = std::make_shared<event_value_store>();
  for (const compiled_rule& rule : p.rules) store->names.push_back(rule.value_names);
  result.events.reserve(recorded.size());
  for (const recorded_firing& f : recorded) {
    const std::vector<reg_index>& regs = registers_of[f.rule];
    auto value_of = [&](reg_index r) {
      const auto at = static_cast<std::size_t>(std::find(regs.begin(), regs.end(), r) - regs.begin());
      return snapshot[f.first_value + at];
    };
    result.events.push_back(
        build_event<Num>(p, f.rule, f.time, f.index, event_values(store, f.rule, f.first_value), value_of));
  }
  if constexpr (std::is_same_v<Num, double>) store->numbers = std::move(snapshot);
  else store_numbers(*store, snapshot.data(), snapshot.size());
  result.ok = true;
  return result;
}

}  // namespace

std::size_t block_size_for(const program& p) {
  const std::size_t bytes_per_point =
      static_cast<std::size_t>(p.num_registers) * sizeof(double) + p.cond_registers;
  constexpr std::size_t budget = std::size_t{1} << 20;
  std::size_t block = 1024;
  while (block < 4096 && 2 * block * bytes_per_point <= budget) block *= 2;
  return block;
}

run_result run_batch(const program& p, series_provider& data, const run_options& options,
                     diagnostics& diags) {
  if (options.exact) return run_batch_of<decimal>(p, data, options, diags);
  return run_batch_of<double>(p, data, options, diags);
}

}  // namespace sluice
