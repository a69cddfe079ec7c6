// Yahoo Finance's chart API: `/v8/finance/chart/SYMBOL?period1=..&period2=..&interval=1d`
// answers JSON with chart.result[0].timestamp (bar start, Unix seconds),
// .indicators.quote[0].close and .indicators.adjclose[0].adjclose, and meta.gmtoffset
// (the exchange's offset from UTC, which gives each bar its local trading date).
// Errors come as chart.error.description. The saved column is the close.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/fetch/provider.hpp"

namespace sluice::fetch {
namespace {

// 1900-01-01: Yahoo's histories start after it, and period1=0 would cut pre-1970 ones.
constexpr std::int64_t earliest = -2208988800;

std::string chart_error(const std::string& body) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded()) return "";
  const auto* chart = json.is_object() && json.contains("chart") ? &json["chart"] : nullptr;
  if (!chart || !chart->is_object() || !chart->contains("error") || !(*chart)["error"].is_object())
    return "";
  const auto& e = (*chart)["error"];
  return fmt::format("{}: {}", e.value("code", std::string("error")),
                     e.value("description", std::string("")));
}

}  // namespace

download fetch_yahoo(const series_spec& spec, const fetch_context& ctx) {
  download d;
  d.column = "close";
  // The URL counts Unix seconds; Sluice's times are milliseconds.
  const std::int64_t period1 = ctx.since ? floor_div(*ctx.since, ms_per_second) : earliest;
  // period2 a day ahead so today's finished bar is never cut by clock skew.
  d.url = fmt::format("{}/v8/finance/chart/{}?period1={}&period2={}&interval=1d&events=div%2Csplit",
                      base_url("SLUICE_YAHOO_URL", "https://query1.finance.yahoo.com"),
                      url_encode(spec.id), period1, floor_div(ctx.now + ms_per_day, ms_per_second));
  const http_result r = get(ctx, d.url);
  if (!r.ok) {
    d.error = failure_message(r, d.url);
    return d;
  }
  if (auto html = html_instead_of(r.body, "the chart API's JSON"); !html.empty()) {
    d.error = fmt::format("{} from {}", html, d.url);
    return d;
  }
  const auto json = nlohmann::json::parse(r.body, nullptr, false);
  if (auto e = chart_error(r.body); !e.empty()) {
    d.error = fmt::format("{} answered an error: {}", d.url, e);
    return d;
  }
  const nlohmann::json* result = nullptr;
  if (!json.is_discarded() && json.is_object() && json.contains("chart") && json["chart"].is_object() &&
      json["chart"].contains("result") && json["chart"]["result"].is_array() &&
      !json["chart"]["result"].empty())
    result = &json["chart"]["result"][0];
  if (!result || !result->is_object()) {
    d.error = fmt::format("{} did not answer with the chart API's JSON (no chart.result)", d.url);
    return d;
  }
  const auto& res = *result;
  if (!res.contains("timestamp")) {  // a symbol with no bars in the period
    d.ok = true;
    return d;
  }
  const auto& stamps = res["timestamp"];
  const nlohmann::json* closes = nullptr;
  if (res.contains("indicators") && res["indicators"].contains("quote") &&
      res["indicators"]["quote"].is_array() && !res["indicators"]["quote"].empty() &&
      res["indicators"]["quote"][0].contains("close"))
    closes = &res["indicators"]["quote"][0]["close"];
  if (!stamps.is_array() || !closes || !closes->is_array() || closes->size() != stamps.size()) {
    d.error = fmt::format("{}: chart.result[0] lacks timestamp and indicators.quote[0].close of "
                          "the same length", d.url);
    return d;
  }
  std::int64_t offset = 0;
  std::optional<std::int64_t> open_start, open_end;
  if (res.contains("meta") && res["meta"].is_object()) {
    const auto& meta = res["meta"];
    if (meta.contains("gmtoffset") && meta["gmtoffset"].is_number_integer())
      offset = meta["gmtoffset"].get<std::int64_t>() * ms_per_second;
    if (meta.contains("currentTradingPeriod") && meta["currentTradingPeriod"].contains("regular")) {
      const auto& regular = meta["currentTradingPeriod"]["regular"];
      if (regular.contains("start") && regular["start"].is_number_integer() &&
          regular.contains("end") && regular["end"].is_number_integer()) {
        open_start = regular["start"].get<std::int64_t>() * ms_per_second;
        open_end = regular["end"].get<std::int64_t>() * ms_per_second;
      }
    }
  }
  std::size_t nulls = 0;
  for (std::size_t i = 0; i < stamps.size(); ++i) {
    if (!stamps[i].is_number_integer()) {
      d.error = fmt::format("{}: timestamp {} is not a number", d.url, i + 1);
      return d;
    }
    const time_point t = stamps[i].get<std::int64_t>() * ms_per_second;
    const auto& c = (*closes)[i];
    if (c.is_null()) {
      ++nulls;
      continue;
    }
    if (!c.is_number()) {
      d.error = fmt::format("{}: close {} is not a number", d.url, i + 1);
      return d;
    }
    // A bar of the session still trading has a close that will change: left for the next fetch.
    if (open_start && open_end && t >= *open_start && ctx.now < *open_end) {
      d.notes.push_back(fmt::format("the bar of {} is still trading; left out",
                                    format_time(day_of(t + offset))));
      continue;
    }
    const time_point date = day_of(t + offset);
    const std::string value = c.is_number_integer() ? std::to_string(c.get<std::int64_t>())
                                                    : number_text(c.get<double>());
    if (!d.rows.empty() && d.rows.back().date == date) {
      d.rows.back().value = value;  // Yahoo repeats the last bar with a later timestamp
      continue;
    }
    if (!d.rows.empty() && d.rows.back().date > date) {
      d.error = fmt::format("{}: timestamps are not ascending at {}", d.url, i + 1);
      return d;
    }
    d.rows.push_back({date, value});
  }
  if (nulls) d.notes.push_back(fmt::format("{} bar(s) without a close (null) left out", nulls));
  d.ok = true;
  return d;
}

}  // namespace sluice::fetch
