// Forward returns after `watch` events and their summary (see forward_returns.hpp).
#include "interpreter/stats/forward_returns.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "interpreter/number.hpp"

namespace sluice {

namespace {
constexpr double nan_value() { return std::numeric_limits<double>::quiet_NaN(); }
}  // namespace

namespace {

// forward_path up to the path's extremes: the status, the return and the horizon's last
// timeline point (`later`), or nullopt when the status is not ok. Shared by forward_path
// and forward_paths so that both decide every case the same way.
std::optional<std::size_t> horizon_end(const std::vector<time_point>& timeline,
                                       const std::vector<double>& x, std::size_t t_index,
                                       duration h, event_return& e) {
  e.index = t_index;
  e.ret = e.max_drawdown = e.max_runup = nan_value();
  if (t_index >= timeline.size() || t_index >= x.size()) {
    e.status = return_status::no_data;
    return std::nullopt;
  }
  e.time = timeline[t_index];
  const double now = x[t_index];
  if (std::isnan(now) || now == 0) {  // nothing to measure from, however recent
    e.status = return_status::no_data;
    return std::nullopt;
  }
  std::size_t later;
  if (h.is_bars()) {
    later = t_index + static_cast<std::size_t>(h.count);
    if (later >= timeline.size()) {
      e.status = return_status::pending;
      return std::nullopt;
    }
  } else {
    const time_point target = add(timeline[t_index], h);
    if (target > timeline.back()) {  // the horizon passes the end of the data
      e.status = return_status::pending;
      return std::nullopt;
    }
    later = static_cast<std::size_t>(
        std::upper_bound(timeline.begin(), timeline.end(), target) - timeline.begin() - 1);
  }
  const double then = x[later];
  if (std::isnan(then)) {  // the series ended (or has a gap) before t + h
    e.status = return_status::no_data;
    return std::nullopt;
  }
  e.status = return_status::ok;
  e.ret = then / now - 1;
  return later;
}

// The path's extremes from the lowest and highest value over (t, t + h] (NaN values
// skipped), each taken together with X(t) itself.
void set_extremes(event_return& e, double now, double low, double high) {
  e.max_drawdown = std::min(now, low) / now - 1;
  e.max_runup = std::max(now, high) / now - 1;
}

}  // namespace

event_return forward_path(const std::vector<time_point>& timeline, const std::vector<double>& x,
                          std::size_t t_index, duration h) {
  event_return e;
  const std::optional<std::size_t> later = horizon_end(timeline, x, t_index, h, e);
  if (!later) return e;
  const double now = x[t_index];
  double low = now, high = now;
  for (std::size_t s = t_index + 1; s <= *later; ++s) {
    if (std::isnan(x[s])) continue;
    low = std::min(low, x[s]);
    high = std::max(high, x[s]);
  }
  set_extremes(e, now, low, high);
  return e;
}

std::vector<event_return> forward_paths(const std::vector<time_point>& timeline,
                                        const std::vector<double>& x, std::size_t first,
                                        std::size_t last, duration h) {
  std::vector<event_return> out;
  if (last <= first) return out;
  out.reserve(last - first);
  // The windows (t, later] move right as t does (later never decreases while the timeline
  // is sorted), so two monotonic queues of indices give every window's lowest and highest
  // value in amortised constant time: each index enters and leaves each queue once. The
  // queues live in vectors read from `*_head`; values are never NaN (NaN is skipped, as
  // forward_path skips it). A window that ends before the last index already queued (a
  // timeline out of order) is scanned directly instead, so the result never depends on
  // the order.
  std::vector<std::size_t> lows, highs;
  std::size_t low_head = 0, high_head = 0;
  std::size_t queued = first;  // every index in (first, queued] has been offered to the queues
  for (std::size_t t = first; t < last; ++t) {
    event_return e;
    const std::optional<std::size_t> later = horizon_end(timeline, x, t, h, e);
    if (later) {
      const double now = x[t];
      if (*later < queued) {
        e = forward_path(timeline, x, t, h);
      } else {
        for (; queued < *later;) {
          const std::size_t s = ++queued;
          if (std::isnan(x[s])) continue;
          while (lows.size() > low_head && x[lows.back()] >= x[s]) lows.pop_back();
          lows.push_back(s);
          while (highs.size() > high_head && x[highs.back()] <= x[s]) highs.pop_back();
          highs.push_back(s);
        }
        while (low_head < lows.size() && lows[low_head] <= t) ++low_head;
        while (high_head < highs.size() && highs[high_head] <= t) ++high_head;
        set_extremes(e, now, low_head < lows.size() ? x[lows[low_head]] : now,
                     high_head < highs.size() ? x[highs[high_head]] : now);
      }
    }
    out.push_back(e);
  }
  return out;
}

double forward_return(const std::vector<time_point>& timeline, const std::vector<double>& x,
                      std::size_t t_index, duration h) {
  // The return only: the path's extremes would cost a scan of the horizon, and the
  // report's event study asks for every point's return at ~90 offsets.
  event_return e;
  horizon_end(timeline, x, t_index, h, e);
  return e.ret;
}

std::vector<double> forward_returns(const std::vector<time_point>& timeline,
                                    const std::vector<double>& x,
                                    const std::vector<std::size_t>& starts, duration h) {
  std::vector<double> out;
  out.reserve(starts.size());
  const bool walk = std::is_sorted(timeline.begin(), timeline.end()) &&
                    std::is_sorted(starts.begin(), starts.end()) && !h.is_bars() && h.count >= 0;
  if (!walk) {  // bars need no search; anything out of order is looked up point by point
    for (std::size_t t : starts) out.push_back(forward_return(timeline, x, t, h));
    return out;
  }
  // Calendar horizons: t + h never decreases as t does, so the horizon's last point
  // (the last timeline point <= t + h, horizon_end's upper_bound - 1) only moves right.
  std::size_t later = 0;
  for (std::size_t t : starts) {
    if (t >= timeline.size() || t >= x.size()) {
      out.push_back(nan_value());
      continue;
    }
    const double now = x[t];
    const time_point target = add(timeline[t], h);
    if (std::isnan(now) || now == 0 || target > timeline.back()) {
      out.push_back(nan_value());
      continue;
    }
    later = std::max(later, t);
    while (later + 1 < timeline.size() && timeline[later + 1] <= target) ++later;
    out.push_back(x[later] / now - 1);  // NaN when x has no value there, as forward_return
  }
  return out;
}

event_return basket_forward_path(const std::vector<time_point>& timeline,
                                 const std::vector<std::vector<double>>& parts, std::size_t t_index,
                                 duration h) {
  event_return e;
  e.index = t_index;
  e.ret = e.max_drawdown = e.max_runup = nan_value();
  e.status = return_status::no_data;
  if (parts.empty() || t_index >= timeline.size()) return e;
  e.time = timeline[t_index];
  std::vector<double> bought;  // each component's value at the event: its 1/k stake
  for (const auto& x : parts) {
    if (t_index >= x.size() || std::isnan(x[t_index]) || x[t_index] == 0) return e;
    bought.push_back(x[t_index]);
  }
  std::size_t later;
  if (h.is_bars()) {
    later = t_index + static_cast<std::size_t>(h.count);
    if (later >= timeline.size()) {
      e.status = return_status::pending;
      return e;
    }
  } else {
    const time_point target = add(timeline[t_index], h);
    if (target > timeline.back()) {
      e.status = return_status::pending;
      return e;
    }
    later = static_cast<std::size_t>(std::upper_bound(timeline.begin(), timeline.end(), target) -
                                     timeline.begin() - 1);
  }
  // The portfolio's value relative to the event: mean of x_j(s) / x_j(t). A point where a
  // component has no value is skipped on the path; at t + h it makes the return no data
  // (the component ended or has a gap: the basket cannot be valued there).
  const auto value_at = [&](std::size_t s) {
    double sum = 0;
    for (std::size_t j = 0; j < parts.size(); ++j) {
      if (std::isnan(parts[j][s])) return nan_value();
      sum += parts[j][s] / bought[j];
    }
    return sum / static_cast<double>(parts.size()) - 1;
  };
  const double end = value_at(later);
  if (std::isnan(end)) return e;
  e.status = return_status::ok;
  e.ret = end;
  double low = 0, high = 0;
  for (std::size_t s = t_index + 1; s <= later; ++s) {
    const double v = value_at(s);
    if (std::isnan(v)) continue;
    low = std::min(low, v);
    high = std::max(high, v);
  }
  e.max_drawdown = low;
  e.max_runup = high;
  return e;
}

std::vector<std::string> basket_warnings(const run_result& r) {
  std::vector<std::string> out;
  const auto last_defined = [](const std::vector<double>& x) -> std::optional<std::size_t> {
    for (std::size_t i = x.size(); i-- > 0;)
      if (!std::isnan(x[i])) return i;
    return std::nullopt;
  };
  for (const watched_series& w : r.watched) {
    std::optional<std::size_t> latest;  // the last point any component has a value
    std::vector<std::optional<std::size_t>> ends;
    for (const auto& x : w.components) {
      ends.push_back(last_defined(x));
      if (ends.back() && (!latest || *ends.back() > *latest)) latest = ends.back();
    }
    if (!latest) continue;
    for (std::size_t j = 0; j < w.components.size(); ++j) {
      if (ends[j] && *ends[j] == *latest) continue;
      const std::string name =
          j < w.component_names.size() ? w.component_names[j] : std::to_string(j + 1);
      if (!ends[j]) {
        out.push_back(fmt::format(
            "basket {}: component {} has no value on the timeline; the basket is na everywhere",
            w.name, name));
        continue;
      }
      // The last timeline point with a value: the file's last row plus the staleness its
      // reads allow (the component's coverage line gives the file's own last date).
      out.push_back(fmt::format(
          "basket {}: component {} has no value after {} while others run to {}; forward returns "
          "reaching past {} count as no data",
          w.name, name, format_time(r.timeline[*ends[j]]), format_time(r.timeline[*latest]),
          format_time(r.timeline[*ends[j]])));
    }
  }
  return out;
}

namespace {

bool in_range(time_point t, const stats_range& range) {
  return (!range.from || t >= *range.from) && (!range.to || t <= *range.to);
}

// Counts, summary and episodes of one horizon's per-event returns (in time order).
horizon_stats summarize(duration h, std::vector<event_return> per_event, bool keep_events) {
  horizon_stats s;
  s.horizon = h;
  std::vector<double> returns;
  s.max_drawdown = s.max_runup = nan_value();
  time_point episode_end = 0;
  for (const event_return& e : per_event) {
    switch (e.status) {
      case return_status::pending: ++s.pending; continue;
      case return_status::no_data: ++s.no_data; continue;
      case return_status::ok: break;
    }
    returns.push_back(e.ret);
    s.max_drawdown = std::isnan(s.max_drawdown) ? e.max_drawdown : std::min(s.max_drawdown, e.max_drawdown);
    s.max_runup = std::isnan(s.max_runup) ? e.max_runup : std::max(s.max_runup, e.max_runup);
    // Calendar horizons: an event before the previous episode's last horizon end
    // continues it. Bar horizons are counted as calendar days would be unknowable here:
    // each event is its own episode unless dated the same day.
    if (s.episodes == 0 || e.time >= episode_end) ++s.episodes;
    const time_point end = h.is_bars() ? e.time + 1 : add(e.time, h);
    episode_end = std::max(episode_end, end);
  }
  s.count = returns.size();
  if (keep_events) s.events = std::move(per_event);
  if (returns.empty()) {
    s.mean = s.median = s.hit_rate = s.worst = nan_value();
    return s;
  }
  std::sort(returns.begin(), returns.end());
  double sum = 0;
  std::size_t hits = 0;
  for (double r : returns) {
    sum += r;
    hits += r > 0;
  }
  const std::size_t n = returns.size();
  s.mean = sum / static_cast<double>(n);
  s.median = n % 2 ? returns[n / 2] : (returns[n / 2 - 1] + returns[n / 2]) / 2;
  s.hit_rate = static_cast<double>(hits) / static_cast<double>(n);
  s.worst = returns.front();
  return s;
}

const watched_series* find_watched(const run_result& r, const std::string& name) {
  for (const watched_series& w : r.watched)
    if (w.name == name) return &w;
  return nullptr;
}

std::string percent(double v) { return std::isnan(v) ? "na" : fmt::format("{:+.2f}%", v * 100); }

}  // namespace

std::vector<watch_stats> compute_stats(const program& p, const run_result& r,
                                       const std::vector<duration>& horizons,
                                       const stats_range& range) {
  std::vector<watch_stats> out;
  for (std::uint32_t rule = 0; rule < p.rules.size(); ++rule) {
    for (const compiled_action& a : p.rules[rule].actions) {
      if (a.what != action::kind::watch) continue;
      const watched_series* w = find_watched(r, a.name);
      if (!w) continue;
      watch_stats ws{p.rules[rule].name, a.name, {}};
      for (const duration& h : horizons) {
        std::vector<event_return> per_event;
        for (const event& e : r.events)
          if (e.rule == rule && in_range(e.time, range))
            per_event.push_back(w->components.empty()
                                    ? forward_path(r.timeline, w->values, e.index, h)
                                    : basket_forward_path(r.timeline, w->components, e.index, h));
        ws.horizons.push_back(summarize(h, std::move(per_event), true));
      }
      out.push_back(std::move(ws));
    }
  }
  // The baseline: the same horizons from every timeline point of the report range, per
  // watched series, so that events are compared with the period they were drawn from.
  for (const watched_series& w : r.watched) {
    watch_stats ws{"baseline", w.name, {}};
    for (const duration& h : horizons) {
      // The points in range, from the first to the last of them (one run, the timeline
      // being sorted; any point between them out of range is still left out).
      std::size_t first = 0, last = 0;
      for (std::size_t i = 0; i < r.timeline.size(); ++i)
        if (in_range(r.timeline[i], range)) {
          if (last == 0) first = i;
          last = i + 1;
        }
      std::vector<event_return> per_point;
      if (w.components.empty()) {
        for (event_return& e : forward_paths(r.timeline, w.values, first, last, h))
          if (in_range(r.timeline[e.index], range)) per_point.push_back(e);
      } else {  // a basket: the portfolio bought at each point (no linear-time path here yet)
        for (std::size_t i = first; i < last; ++i)
          if (in_range(r.timeline[i], range))
            per_point.push_back(basket_forward_path(r.timeline, w.components, i, h));
      }
      horizon_stats s = summarize(h, std::move(per_point), false);
      s.episodes = 0;  // every point overlaps its neighbours: episodes mean nothing here
      ws.horizons.push_back(std::move(s));
    }
    out.push_back(std::move(ws));
  }
  return out;
}

std::vector<std::string> stats_warnings(const std::vector<watch_stats>& stats) {
  std::vector<std::string> out;
  for (const watch_stats& s : stats) {
    if (s.rule == "baseline") continue;
    std::string few, overlap;
    for (const horizon_stats& h : s.horizons) {
      const std::string hz = format_duration(h.horizon);
      if (h.count > 0 && h.count < 30) few += fmt::format("{}{} at {}", few.empty() ? "" : ", ", h.count, hz);
      if (h.episodes > 0 && h.episodes < h.count)
        overlap += fmt::format("{}{} in {} episode{} at {}", overlap.empty() ? "" : ", ", h.count,
                               h.episodes, h.episodes == 1 ? "" : "s", hz);
    }
    const std::string where = fmt::format("rule \"{}\", watch {}", s.rule, s.watched);
    if (!few.empty())
      out.push_back(fmt::format("{}: fewer than 30 events with a return ({}): too few to generalise", where, few));
    if (!overlap.empty())
      out.push_back(fmt::format("{}: events whose horizons overlap are not independent ({})", where, overlap));
  }
  return out;
}

std::string format_stats_table(const std::vector<watch_stats>& stats) {
  if (stats.empty()) return "no watch events\n";
  std::size_t width = 8;
  // The watch column is as wide as its longest name: `basket(btc, eth)` is longer than 10.
  std::size_t watch_width = 10;
  for (const watch_stats& s : stats) {
    width = std::max(width, s.rule.size());
    watch_width = std::max(watch_width, s.watched.size());
  }
  const auto row = [&](auto&&... cells) {
    return fmt::format(
        "{:<{}}  {:<{}}  {:>7}  {:>5}  {:>9}  {:>9}  {:>8}  {:>9}  {:>9}  {:>9}  {:>7}  {:>7}\n",
        cells...);
  };
  std::string out = row("rule", width, "watch", watch_width, "horizon", "count", "mean", "median",
                        "hit rate", "worst", "max dd", "max up", "pending", "no data");
  for (const watch_stats& s : stats)
    for (const horizon_stats& h : s.horizons)
      out += row(s.rule, width, s.watched, watch_width, format_duration(h.horizon), h.count,
                 percent(h.mean), percent(h.median),
                 std::isnan(h.hit_rate) ? "na" : fmt::format("{:.0f}%", h.hit_rate * 100),
                 percent(h.worst), percent(h.max_drawdown), percent(h.max_runup), h.pending,
                 h.no_data);
  for (const std::string& w : stats_warnings(stats)) out += "warning: " + w + "\n";
  return out;
}

namespace {
std::string status_text(const event_return& e) {
  switch (e.status) {
    case return_status::pending: return "pending";
    case return_status::no_data: return "no data";
    case return_status::ok: break;
  }
  return percent(e.ret);
}
}  // namespace

std::string format_event_returns_table(const std::vector<watch_stats>& stats) {
  std::string out;
  for (const watch_stats& s : stats) {
    if (s.rule == "baseline" || s.horizons.empty() || s.horizons.front().events.empty()) continue;
    if (out.empty()) out = "forward returns per event\n";
    const std::size_t watch_width = std::max<std::size_t>(10, s.watched.size());
    std::string header = fmt::format("{:<10}  {:<{}}", "date", "watch", watch_width);
    for (const horizon_stats& h : s.horizons) header += fmt::format("  {:>9}", format_duration(h.horizon));
    out += fmt::format("rule \"{}\"\n{}\n", s.rule, header);
    for (std::size_t i = 0; i < s.horizons.front().events.size(); ++i) {
      std::string line = fmt::format(
          "{:<10}  {:<{}}", format_time(s.horizons.front().events[i].time), s.watched, watch_width);
      for (const horizon_stats& h : s.horizons) line += fmt::format("  {:>9}", status_text(h.events[i]));
      out += line + "\n";
    }
  }
  return out;
}

namespace {
std::string json_num(double v) { return std::isnan(v) ? "null" : fmt::format("{:.10g}", v); }
std::string csv_num(double v) { return std::isnan(v) ? "" : fmt::format("{:.10g}", v); }
std::string json_str(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<int>(c));
      continue;
    }
    out += c;
  }
  return out;
}
std::string csv_str(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string quoted = "\"";
  for (char c : s) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}
const char* status_name(return_status s) {
  switch (s) {
    case return_status::pending: return "pending";
    case return_status::no_data: return "no_data";
    case return_status::ok: break;
  }
  return "ok";
}
}  // namespace

std::string format_stats_jsonl(const std::vector<watch_stats>& stats) {
  std::string out;
  for (const watch_stats& s : stats)
    for (const horizon_stats& h : s.horizons)
      out += fmt::format(
          "{{\"type\":\"stats\",\"rule\":\"{}\",\"watch\":\"{}\",\"horizon\":\"{}\",\"count\":{},"
          "\"mean\":{},\"median\":{},\"hit_rate\":{},\"worst\":{},\"max_drawdown\":{},"
          "\"max_runup\":{},\"pending\":{},\"no_data\":{},\"episodes\":{}}}\n",
          json_str(s.rule), json_str(s.watched), format_duration(h.horizon), h.count,
          json_num(h.mean), json_num(h.median), json_num(h.hit_rate), json_num(h.worst),
          json_num(h.max_drawdown), json_num(h.max_runup), h.pending, h.no_data, h.episodes);
  for (const watch_stats& s : stats)
    for (const horizon_stats& h : s.horizons)
      for (const event_return& e : h.events)
        out += fmt::format(
            "{{\"type\":\"event_return\",\"date\":\"{}\",\"rule\":\"{}\",\"watch\":\"{}\","
            "\"horizon\":\"{}\",\"status\":\"{}\",\"return\":{},\"max_drawdown\":{},\"max_runup\":{}}}\n",
            format_time(e.time), json_str(s.rule), json_str(s.watched), format_duration(h.horizon),
            status_name(e.status), json_num(e.ret), json_num(e.max_drawdown), json_num(e.max_runup));
  for (const std::string& w : stats_warnings(stats))
    out += fmt::format("{{\"type\":\"warning\",\"message\":\"{}\"}}\n", json_str(w));
  return out;
}

std::string format_stats_csv(const std::vector<watch_stats>& stats) {
  std::string out =
      "type,rule,watch,horizon,date,status,count,mean,median,hit_rate,worst,max_drawdown,"
      "max_runup,pending,no_data,episodes,return\n";
  for (const watch_stats& s : stats)
    for (const horizon_stats& h : s.horizons)
      out += fmt::format("stats,{},{},{},,,{},{},{},{},{},{},{},{},{},{},\n", csv_str(s.rule),
                         csv_str(s.watched), format_duration(h.horizon), h.count, csv_num(h.mean),
                         csv_num(h.median), csv_num(h.hit_rate), csv_num(h.worst),
                         csv_num(h.max_drawdown), csv_num(h.max_runup), h.pending, h.no_data,
                         h.episodes);
  for (const watch_stats& s : stats)
    for (const horizon_stats& h : s.horizons)
      for (const event_return& e : h.events)
        out += fmt::format("event_return,{},{},{},{},{},,,,,,{},{},,,,{}\n", csv_str(s.rule),
                           csv_str(s.watched), format_duration(h.horizon), format_time(e.time),
                           status_name(e.status), csv_num(e.max_drawdown), csv_num(e.max_runup),
                           csv_num(e.ret));
  return out;
}

}  // namespace sluice
