// Forward returns after `watch` events and their summary (see stats.hpp).
#include "interpreter/stats/forward_returns.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "interpreter/number.hpp"

namespace sluice {

double forward_return(const std::vector<time_point>& timeline, const std::vector<double>& x,
                      std::size_t t_index, duration h) {
  const double nan = number_traits<double>::na();
  if (t_index >= timeline.size() || t_index >= x.size()) return nan;
  const time_point target = h.is_bars() ? 0 : add(timeline[t_index], h);
  std::size_t later;
  if (h.is_bars()) {
    later = t_index + static_cast<std::size_t>(h.count);
    if (later >= timeline.size()) return nan;
  } else {
    if (target > timeline.back()) return nan;  // the horizon passes the end of the data
    later = static_cast<std::size_t>(
        std::upper_bound(timeline.begin(), timeline.end(), target) - timeline.begin() - 1);
  }
  const double now = x[t_index];
  const double then = x[later];
  if (std::isnan(now) || std::isnan(then) || now == 0) return nan;
  return then / now - 1;
}

namespace {

horizon_stats summarize(duration h, std::vector<double> returns, std::size_t pending) {
  horizon_stats s;
  s.horizon = h;
  s.pending = pending;
  s.count = returns.size();
  const double nan = number_traits<double>::na();
  if (returns.empty()) {
    s.mean = s.median = s.hit_rate = s.worst = nan;
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

std::string percent(double v) {
  return std::isnan(v) ? "na" : fmt::format("{:+.2f}%", v * 100);
}

}  // namespace

std::vector<watch_stats> compute_stats(const program& p, const run_result& r,
                                       const std::vector<duration>& horizons) {
  std::vector<watch_stats> out;
  for (std::uint32_t rule = 0; rule < p.rules.size(); ++rule) {
    for (const compiled_action& a : p.rules[rule].actions) {
      if (a.what != action::kind::watch) continue;
      const watched_series* w = find_watched(r, a.name);
      if (!w) continue;
      watch_stats ws{p.rules[rule].name, a.name, {}};
      for (const duration& h : horizons) {
        std::vector<double> returns;
        std::size_t pending = 0;
        for (const event& e : r.events) {
          if (e.rule != rule) continue;
          const double ret = forward_return(r.timeline, w->values, e.index, h);
          if (std::isnan(ret)) ++pending;
          else returns.push_back(ret);
        }
        ws.horizons.push_back(summarize(h, std::move(returns), pending));
      }
      out.push_back(std::move(ws));
    }
  }
  // The baseline: the same horizons from every timeline point, per watched series.
  for (const watched_series& w : r.watched) {
    watch_stats ws{"baseline", w.name, {}};
    for (const duration& h : horizons) {
      std::vector<double> returns;
      std::size_t pending = 0;
      for (std::size_t i = 0; i < r.timeline.size(); ++i) {
        const double ret = forward_return(r.timeline, w.values, i, h);
        if (std::isnan(ret)) ++pending;
        else returns.push_back(ret);
      }
      ws.horizons.push_back(summarize(h, std::move(returns), pending));
    }
    out.push_back(std::move(ws));
  }
  return out;
}

std::string format_stats_table(const std::vector<watch_stats>& stats) {
  if (stats.empty()) return "no watch events\n";
  std::size_t width = 8;
  for (const watch_stats& s : stats) width = std::max(width, s.rule.size());
  width = std::min<std::size_t>(width, 48);
  std::string out = fmt::format("{:<{}}  {:<10}  {:>7}  {:>6}  {:>9}  {:>9}  {:>8}  {:>9}  {:>7}\n",
                                "rule", width, "watch", "horizon", "count", "mean", "median",
                                "hit rate", "worst", "pending");
  for (const watch_stats& s : stats)
    for (const horizon_stats& h : s.horizons)
      out += fmt::format("{:<{}}  {:<10}  {:>7}  {:>6}  {:>9}  {:>9}  {:>8}  {:>9}  {:>7}\n",
                         s.rule.substr(0, width), width, s.watched, format_duration(h.horizon),
                         h.count, percent(h.mean), percent(h.median),
                         std::isnan(h.hit_rate) ? "na" : fmt::format("{:.0f}%", h.hit_rate * 100),
                         percent(h.worst), h.pending);
  return out;
}

namespace {
std::string json_num(double v) { return std::isnan(v) ? "null" : fmt::format("{:.10g}", v); }
std::string json_str(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}
}  // namespace

std::string format_stats_jsonl(const std::vector<watch_stats>& stats) {
  std::string out;
  for (const watch_stats& s : stats)
    for (const horizon_stats& h : s.horizons)
      out += fmt::format(
          "{{\"rule\":\"{}\",\"watch\":\"{}\",\"horizon\":\"{}\",\"count\":{},\"mean\":{},"
          "\"median\":{},\"hit_rate\":{},\"worst\":{},\"pending\":{}}}\n",
          json_str(s.rule), json_str(s.watched), format_duration(h.horizon), h.count,
          json_num(h.mean), json_num(h.median), json_num(h.hit_rate), json_num(h.worst), h.pending);
  return out;
}

std::string format_stats_csv(const std::vector<watch_stats>& stats) {
  std::string out = "rule,watch,horizon,count,mean,median,hit_rate,worst,pending\n";
  for (const watch_stats& s : stats)
    for (const horizon_stats& h : s.horizons) {
      std::string rule = s.rule;
      if (rule.find_first_of(",\"") != std::string::npos) {
        std::string quoted = "\"";
        for (char c : rule) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
        rule = quoted + "\"";
      }
      out += fmt::format("{},{},{},{},{},{},{},{},{}\n", rule, s.watched, format_duration(h.horizon),
                         h.count, json_num(h.mean), json_num(h.median), json_num(h.hit_rate),
                         json_num(h.worst), h.pending);
    }
  return out;
}

}  // namespace sluice
