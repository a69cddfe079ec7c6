// Gathering a report's data block (see gather.hpp).
#include "cli/report/gather.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <set>

#include "cli/report/downsample.hpp"
#include "cli/report/study.hpp"
#include "interpreter/data/catalog.hpp"
#include "interpreter/number.hpp"
#include "interpreter/reference/reference_eval.hpp"
#include "interpreter/stats/forward_returns.hpp"
#include "interpreter/vm/vm.hpp"

namespace sluice::report {

using json = nlohmann::ordered_json;

namespace {

constexpr const char* no_lookahead_text =
    "Each rule at a date reads only observations dated on or before it (less each series' "
    "publication lag); the forward returns after an event are measured afterwards and never "
    "feed a rule.";

json number_or_null(double v) { return std::isnan(v) ? json(nullptr) : json(v); }

// Fractions that are only drawn or listed (event-study paths, per-event returns and
// drawdowns), to 6 decimals (0.0001 percentage points): the page shows 2, and a full
// double costs three times the bytes. The tables' statistics keep every digit.
json drawn_fraction(double v) {
  if (std::isnan(v)) return nullptr;
  const double r = std::round(v * 1e6) / 1e6;
  return r == 0 ? 0.0 : r;  // never "-0.0"
}

// The rule statement behind a compiled rule, for its source text.
std::string rule_text(const program& p, const compiled_rule& r) {
  if (r.module >= p.modules.size()) return {};
  const module_ast& m = *p.modules[r.module];
  for (const statement& s : m.statements) {
    const auto* rs = std::get_if<rule_stmt>(&s.body);
    if (rs && rs->condition == r.condition_node)
      return m.source.substr(s.range.begin.offset, s.range.end.offset - s.range.begin.offset);
  }
  return {};
}

// Thresholds drawn on a rule's chart: literal levels compared with a series in the rule's
// own condition (`russell breaks 2600`, `vix above 30`, `x between 1 and 2`). Conditions
// inside defs (`cascade()`) are not followed: their levels belong to the def.
void find_thresholds(const module_ast& m, node_id id, json& out) {
  if (id == no_node) return;
  const node& n = m.at(id);
  auto literal = [&](node_id k) -> std::optional<double> {
    const node& x = m.at(k);
    if (x.kind != node_kind::number || x.is_percent) return std::nullopt;
    return std::stod(x.digits) * std::pow(10.0, x.exponent10);
  };
  if ((n.kind == node_kind::compare || n.kind == node_kind::crosses || n.kind == node_kind::between) &&
      !n.kids.empty() && m.at(n.kids[0]).kind == node_kind::name) {
    for (std::size_t k = 1; k < n.kids.size(); ++k)
      if (auto v = literal(n.kids[k])) out.push_back({{"series", m.at(n.kids[0]).text}, {"value", *v}});
  }
  for (node_id k : n.kids) find_thresholds(m, k, out);
}

// Largest absolute finite value, for grouping series that share an axis.
double magnitude(const std::vector<double>& v) {
  double m = 0;
  for (double x : v)
    if (std::isfinite(x)) m = std::max(m, std::abs(x));
  return m;
}

// The first lines of `sluice explain` for a firing: the condition tree's top entries.
std::vector<std::string> explain_lines(basic_reference_evaluator<double>& ref, std::uint32_t rule,
                                       std::size_t t) {
  std::vector<std::string> lines;
  const auto trace = ref.trace(rule, t);
  for (const auto& e : trace) {
    if (lines.size() == 4) break;
    const std::string value = !e.value.is_condition ? format_number(e.value.number)
                              : e.value.truth == 1  ? "true"
                              : e.value.truth == 0  ? "false"
                                                    : "na";
    lines.push_back(fmt::format("{:{}}{}: {}{}", "", 2 * e.depth, e.text, value,
                                e.inputs.empty() ? "" : " \u2014 " + e.inputs));
  }
  return lines;
}

// A timeline as t0, the spacing unit and each step in units (small integers in JSON), all in
// seconds: the page's charts resolve whole seconds (a time with milliseconds is drawn at its
// second; the event lists print it in full).
json encode_times(const std::vector<time_point>& t) {
  auto second = [](time_point x) { return floor_div(x, ms_per_second); };
  std::int64_t unit = 0;
  for (std::size_t i = 1; i < t.size(); ++i) unit = std::gcd(unit, second(t[i]) - second(t[i - 1]));
  if (unit == 0) unit = ms_per_day / ms_per_second;
  json dt = json::array();
  for (std::size_t i = 1; i < t.size(); ++i) dt.push_back((second(t[i]) - second(t[i - 1])) / unit);
  return {{"t0", t.empty() ? 0 : second(t.front())}, {"unit", unit}, {"dt", std::move(dt)}};
}

// Sorted instants (event dates, band edges) in the same form, with their count first.
json encode_instants(const std::vector<time_point>& t) {
  json j = {{"n", t.size()}};
  json times = encode_times(t);
  for (auto& [key, value] : times.items()) j[key] = std::move(value);
  return j;
}

// Whether the k-th of `total` events is among the first or last `limit / 2` (a limit
// shared evenly between the two ends, so the page shows how a rule began and ended).
bool among_ends(std::size_t k, std::size_t total, std::size_t limit) {
  const std::size_t half = limit / 2;
  return k < half || k + half >= total;
}

// A drawn column in few bytes. Its values are integers m / 10^scale at the smallest
// scale (at most 6) where every value is exact, as CSV decimals are; the column is written
// as `d`, each m minus the previous non-null m (the first from 0), null for na. A weekend
// of a daily index repeats Friday's value, so it costs "0". The page adds the differences
// back up and divides: IEEE division is correctly rounded, so m / 10^scale is the same
// double as the value (the double nearest the decimal, as parsing it gives). A column with
// no such scale is written as plain numbers (`values`).
json encode_column(const std::vector<double>& x, const std::vector<std::size_t>& keep) {
  static constexpr double pow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
  for (int scale = 0; scale < 7; ++scale) {
    const double p = pow10[scale];
    bool exact = true;
    for (std::size_t i : keep) {
      const double v = x[i];
      if (std::isnan(v)) continue;
      if (!(std::abs(v) * p < 9e15) || static_cast<double>(std::llround(v * p)) / p != v) {
        exact = false;
        break;
      }
    }
    if (!exact) continue;
    json d = json::array();
    long long previous = 0;
    for (std::size_t i : keep) {
      if (std::isnan(x[i])) {
        d.push_back(nullptr);
        continue;
      }
      const long long m = std::llround(x[i] * p);
      d.push_back(m - previous);
      previous = m;
    }
    return {{"scale", scale}, {"d", std::move(d)}};
  }
  json values = json::array();
  for (std::size_t i : keep) values.push_back(number_or_null(x[i]));
  return {{"values", std::move(values)}};
}

// The offsets of the event-study paths: up to ~90 steps out to the longest horizon.
std::vector<duration> study_offsets(const std::vector<duration>& horizons) {
  bool bars = false;
  std::int64_t longest = 0;
  for (const duration& h : horizons) {
    bars = bars || h.is_bars();
    const std::int64_t days = h.kind == duration::unit::months ? h.count * 31 : h.count;
    longest = std::max(longest, days);
  }
  const std::int64_t step = std::max<std::int64_t>(1, longest / 90);
  std::vector<duration> out;
  for (std::int64_t d = 0; d <= longest; d += step)
    out.push_back({bars ? duration::unit::bars : duration::unit::days, d});
  return out;
}

// A forward-return table row: the numbers of `run --stats` (interpreter/stats/): max
// drawdown is the lowest value inside the horizon against the value at the start.
json horizon_row(const horizon_stats& s) {
  return {{"horizon", format_duration(s.horizon)},
          {"n", s.count},
          {"pending", s.pending},
          {"no_data", s.no_data},
          {"mean", number_or_null(s.mean)},
          {"median", number_or_null(s.median)},
          {"hit_rate", number_or_null(s.hit_rate)},
          {"worst", number_or_null(s.worst)},
          {"max_drawdown", number_or_null(s.max_drawdown)}};
}

json study_json(const path_study& s) {
  json mean = json::array(), p25 = json::array(), p75 = json::array();
  for (std::size_t k = 0; k < s.mean.size(); ++k) {
    mean.push_back(drawn_fraction(s.mean[k]));
    p25.push_back(drawn_fraction(s.p25[k]));
    p75.push_back(drawn_fraction(s.p75[k]));
  }
  return {{"mean", std::move(mean)}, {"p25", std::move(p25)}, {"p75", std::move(p75)}, {"n", s.n}};
}

}  // namespace

std::optional<json> gather(const gather_input& in, diagnostics& diags) {
  const program& p = *in.p;
  run_options run = in.run;
  run.keep_watched = true;
  const run_result result = run_batch(p, *in.data, run, diags);
  if (!result.ok) return std::nullopt;

  // The columns the charts draw: every series a rule reads, and each rule's condition.
  std::vector<reg_index> numbers, conditions;
  std::vector<std::string> number_names;
  for (const compiled_rule& r : p.rules) {
    for (const auto& [name, reg] : r.values)
      if (std::find(number_names.begin(), number_names.end(), name) == number_names.end()) {
        number_names.push_back(name);
        numbers.push_back(reg);
      }
    conditions.push_back(r.condition);
  }
  run_options plain = in.run;
  plain.exact = false;  // the picture is drawn in doubles either way
  const column_result cols = run_columns(p, *in.data, plain, numbers, conditions, diags);
  if (!cols.ok) return std::nullopt;
  const std::vector<time_point>& timeline = result.timeline;
  auto column_of = [&](const std::string& name) -> const std::vector<double>& {
    const auto at = std::find(number_names.begin(), number_names.end(), name) - number_names.begin();
    return cols.numbers[static_cast<std::size_t>(at)];
  };

  json doc;
  doc["format"] = 2;
  doc["sluice"] = SLUICE_VERSION_STRING;
  doc["rule_file"] = in.rule_file;
  doc["timeline"] = {{"first", timeline.empty() ? "" : format_time(timeline.front())},
                     {"last", timeline.empty() ? "" : format_time(timeline.back())},
                     {"points", timeline.size()}};
  doc["report_range"] = {{"from", in.from ? json(format_time(*in.from)) : json(nullptr)},
                         {"to", in.to ? json(format_time(*in.to)) : json(nullptr)}};
  doc["no_lookahead"] = no_lookahead_text;

  doc["data"] = json::array();  // the files read: filled by the caller once they are loaded
  json lags = json::array();
  for (const series_spec& s : p.series)
    lags.push_back({{"series", s.name},
                    {"file", s.path},
                    {"lag", s.lag ? json(format_duration(*s.lag)) : json("none")}});
  doc["series"] = std::move(lags);
  json horizons = json::array();
  for (const duration& h : in.horizons) horizons.push_back(format_duration(h));
  doc["horizons"] = std::move(horizons);

  // Frames: the points a chart draws. One shared frame when the timeline is short enough;
  // above the limit, one per rule, downsampled over that rule's own columns.
  json frames = json::array();
  auto make_frame = [&](const std::vector<std::string>& names) {
    std::vector<const std::vector<double>*> drawn;
    for (const std::string& n : names) drawn.push_back(&column_of(n));
    const std::vector<std::size_t> keep = downsample_indices(drawn, timeline.size(), in.draw_limit);
    std::vector<time_point> times;
    for (std::size_t i : keep) times.push_back(timeline[i]);
    json frame = encode_times(times);
    frame["points"] = keep.size();
    frame["of"] = timeline.size();
    json columns = json::object();
    for (std::size_t c = 0; c < names.size(); ++c) columns[names[c]] = encode_column(*drawn[c], keep);
    frame["columns"] = std::move(columns);
    frames.push_back(std::move(frame));
    return frames.size() - 1;
  };
  const bool shared = timeline.size() <= in.draw_limit;
  if (shared) make_frame(number_names);

  // The reference evaluator gives the explanation lines (as `sluice explain` prints them).
  std::map<std::pair<std::uint32_t, std::string>, series_values<double>> fetched;
  for (const input_spec& is : p.inputs) {
    const auto key = std::make_pair(is.series, is.field);
    if (!fetched.count(key) && !fetch_series(*in.data, p.series[is.series], is.field, fetched[key], diags))
      return std::nullopt;
  }
  basic_reference_evaluator<double> ref(
      p,
      [&](std::uint32_t s, const std::string& f) -> const series_values<double>* {
        auto it = fetched.find({s, f});
        return it == fetched.end() ? nullptr : &it->second;
      },
      std::nullopt, std::nullopt);

  const std::vector<watch_stats> stats = compute_stats(p, result, in.horizons, {in.from, in.to});
  auto stats_row = [&](const std::string& rule, const std::string& watched) -> const watch_stats* {
    for (const watch_stats& s : stats)
      if (s.rule == rule && s.watched == watched) return &s;
    return nullptr;
  };
  auto in_range = [&](time_point t) { return (!in.from || t >= *in.from) && (!in.to || t <= *in.to); };
  std::vector<std::size_t> range_points;  // the baseline's starts, as run --stats takes them
  for (std::size_t i = 0; i < timeline.size(); ++i)
    if (in_range(timeline[i])) range_points.push_back(i);
  const std::vector<duration> offsets = study_offsets(in.horizons);
  json offset_json = json::array();
  for (const duration& d : offsets) offset_json.push_back(d.count);
  doc["study_offsets"] = {{"unit", !offsets.empty() && offsets[0].is_bars() ? "bars" : "days"},
                          {"values", std::move(offset_json)}};
  // The baseline (every timeline point) per watched series, once for all the rules that
  // watch it; a rule's watch entry names it by its series.
  json baselines = json::object();

  json rules = json::array();
  for (std::uint32_t ri = 0; ri < p.rules.size(); ++ri) {
    const compiled_rule& r = p.rules[ri];
    json rj;
    rj["name"] = r.name;
    rj["location"] = r.location;
    rj["text"] = rule_text(p, r);
    rj["actions"] = std::vector<std::string>(r.action_texts.begin(), r.action_texts.end());

    // The chart: the series the rule reads, one axis per group of similar magnitude.
    std::vector<std::string> names;
    for (const auto& [name, reg] : r.values) names.push_back(name);
    json series = json::array();
    // Series share an axis when the catalogue gives them the same units (or neither has
    // an entry) and their largest values are within a factor of 4: the Russell (index
    // points) and the TGA (USD) never share one, whatever their levels.
    std::vector<std::pair<std::string_view, double>> axes;  // units, magnitude
    for (const std::string& n : names) {
      const double m = magnitude(column_of(n));
      const catalog_entry* entry = find_catalog_entry(n);
      const std::string_view units = entry ? entry->units : std::string_view();
      std::size_t axis = 0;
      for (; axis < axes.size(); ++axis) {
        const auto& [u, a] = axes[axis];
        if (u == units && m > 0 && a > 0 && std::max(m, a) / std::min(m, a) < 4) break;
      }
      if (axis == axes.size()) axes.emplace_back(units, m);
      series.push_back({{"name", n}, {"axis", axis}});
    }
    json thresholds = json::array();
    find_thresholds(*p.modules[r.module], r.condition_node, thresholds);
    rj["chart"] = {{"frame", shared ? 0 : make_frame(names)},
                   {"series", std::move(series)},
                   {"thresholds", std::move(thresholds)}};

    // Where the condition held, inside the report range: runs of true points, as their
    // first and last times one after the other (exact dates, delta-encoded).
    const std::vector<std::uint8_t>& held = cols.conditions[ri];
    std::vector<time_point> band_edges;
    std::size_t held_points = 0;
    for (std::size_t i = 0; i < held.size(); ++i) {
      if (held[i] != c_true || !in_range(timeline[i])) continue;
      std::size_t j = i;
      while (j + 1 < held.size() && held[j + 1] == c_true && in_range(timeline[j + 1])) ++j;
      held_points += j - i + 1;
      band_edges.push_back(timeline[i]);
      band_edges.push_back(timeline[j]);
      i = j;
    }
    rj["held"] = {{"points", held_points},
                  {"episodes", band_edges.size() / 2},
                  {"bands", encode_instants(band_edges)}};

    // Events: every firing as a marker (its exact date, and the first drawn series' value
    // there for the triangle's height); the first and last detail_limit / 2 also with
    // their values, and the first and last explain_limit / 2 with their explanation.
    std::vector<std::size_t> starts;  // timeline points of the events, in time order
    std::vector<const event*> fired;
    for (const event& e : result.events)
      if (e.rule == ri && in_range(e.time)) {
        starts.push_back(e.index);
        fired.push_back(&e);
      }
    std::vector<time_point> fired_times;
    for (const event* e : fired) fired_times.push_back(e->time);
    json markers = encode_instants(fired_times);
    markers["y"] = names.empty() ? json(nullptr) : encode_column(column_of(names[0]), starts);
    rj["markers"] = std::move(markers);
    std::vector<std::size_t> detailed;  // positions among the events
    json events = json::array();
    for (std::size_t k = 0; k < fired.size(); ++k) {
      if (!among_ends(k, fired.size(), in.detail_limit)) continue;
      const event& e = *fired[k];
      detailed.push_back(k);
      json values = json::array();
      for (const event_value& v : e.values) values.push_back({v.name, number_or_null(v.value)});
      json ej = {{"k", k}, {"date", format_time(e.time)}, {"values", std::move(values)}};
      if (among_ends(k, fired.size(), in.explain_limit)) {
        const auto& rt = ref.timeline();
        const auto at = std::lower_bound(rt.begin(), rt.end(), e.time);
        if (at != rt.end() && *at == e.time)
          ej["explain"] = explain_lines(ref, ri, static_cast<std::size_t>(at - rt.begin()));
      }
      events.push_back(std::move(ej));
    }
    rj["events"] = std::move(events);

    // Per watched series: the forward-return table, flags, event study, per-event returns.
    json watches = json::array();
    for (const compiled_action& a : r.actions) {
      if (a.what != action::kind::watch) continue;
      const watch_stats* ws = stats_row(r.name, a.name);
      const watch_stats* base = stats_row("baseline", a.name);
      const watched_series* col = nullptr;
      for (const watched_series& w : result.watched)
        if (w.name == a.name) col = &w;
      if (!ws || !base || !col) continue;
      json wj;
      wj["series"] = a.name;
      json rows = json::array(), flags = json::array(), per_event_returns = json::array(),
           per_event_drawdowns = json::array();
      for (std::size_t h = 0; h < in.horizons.size(); ++h) {
        const horizon_stats& s = ws->horizons[h];
        json row = horizon_row(s);
        row["episodes"] = s.episodes;  // independent runs of events (not kept for the baseline)
        rows.push_back(std::move(row));
        if (s.count < 30)
          flags.push_back(fmt::format("{}: n = {} < 30; too few events to generalise from",
                                      format_duration(in.horizons[h]), s.count));
        if (s.episodes < s.count)
          flags.push_back(fmt::format("{}: events overlap: {} events in {} independent episodes",
                                      format_duration(in.horizons[h]), s.count, s.episodes));
      }
      // Per listed event and horizon, the return and drawdown run --stats computed for it
      // (its per-event list holds the same events in the same order); na where its status
      // is not ok.
      for (std::size_t k : detailed) {
        json ret = json::array(), dd = json::array();
        for (const horizon_stats& s : ws->horizons) {
          const event_return* er = nullptr;
          if (k < s.events.size() && s.events[k].index == starts[k]) {
            er = &s.events[k];
          } else {  // not expected: find it by its timeline point
            for (const event_return& x : s.events)
              if (x.index == starts[k]) er = &x;
          }
          const bool ok = er && er->status == return_status::ok;
          ret.push_back(ok ? drawn_fraction(er->ret) : json(nullptr));
          dd.push_back(ok ? drawn_fraction(er->max_drawdown) : json(nullptr));
        }
        per_event_returns.push_back(std::move(ret));
        per_event_drawdowns.push_back(std::move(dd));
      }
      if (!baselines.contains(a.name)) {
        json brows = json::array();
        for (const horizon_stats& s : base->horizons) brows.push_back(horizon_row(s));
        baselines[a.name] = {
            {"rows", std::move(brows)},
            {"study", study_json(study_paths(timeline, col->values, range_points, offsets))}};
      }
      wj["rows"] = std::move(rows);
      wj["flags"] = std::move(flags);
      wj["study"] = study_json(study_paths(timeline, col->values, starts, offsets));
      wj["event_returns"] = std::move(per_event_returns);
      wj["event_drawdowns"] = std::move(per_event_drawdowns);
      watches.push_back(std::move(wj));
    }
    rj["watch"] = std::move(watches);
    rules.push_back(std::move(rj));
  }
  doc["frames"] = std::move(frames);
  doc["rules"] = std::move(rules);
  doc["baselines"] = std::move(baselines);
  return doc;
}

}  // namespace sluice::report
