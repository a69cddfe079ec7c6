// CoinGecko's `/api/v3/coins/{id}/market_chart?vs_currency=usd&days=N&interval=daily`
// answers JSON {"prices": [[ms, price], ...], "market_caps": ..., "total_volumes": ...}.
// Daily points sit at 00:00 UTC; the last point is the price at the time of the request,
// which is not a daily close and is left out. Keys: COINGECKO_API_KEY is sent as
// `x-cg-demo-api-key` (the free demo plan), or as `x-cg-pro-api-key` to
// pro-api.coingecko.com when COINGECKO_API_PLAN=pro. The public and demo plans serve
// the last 365 days only.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <cstring>

#include "cli/fetch/provider.hpp"

namespace sluice::fetch {

download fetch_coingecko(const series_spec& spec, const fetch_context& ctx) {
  download d;
  d.column = "price";
  const char* key = std::getenv("COINGECKO_API_KEY");
  const char* plan = std::getenv("COINGECKO_API_PLAN");
  const bool pro = key && *key && plan && std::strcmp(plan, "pro") == 0;
  std::vector<std::string> headers;
  if (key && *key) headers.push_back(fmt::format("{}: {}", pro ? "x-cg-pro-api-key" : "x-cg-demo-api-key", key));
  // Public and demo plans answer at most 365 days back (an error beyond that).
  constexpr std::int64_t public_limit = 365;
  std::string days = pro ? "max" : std::to_string(public_limit);
  if (ctx.since) {
    std::int64_t n = std::max<std::int64_t>(2, (ctx.now - *ctx.since) / ms_per_day + 1);
    if (!pro && n > public_limit) {
      d.notes.push_back(fmt::format("the file's last dates are more than {} days old, the most "
                                    "the public API serves: the days between stay missing",
                                    public_limit));
      n = public_limit;
    }
    days = std::to_string(n);
  }
  d.url = fmt::format("{}/api/v3/coins/{}/market_chart?vs_currency=usd&days={}&interval=daily",
                      base_url("SLUICE_COINGECKO_URL", pro ? "https://pro-api.coingecko.com"
                                                           : "https://api.coingecko.com"),
                      url_encode(spec.id), days);
  const http_result r = get(ctx, d.url, headers);
  if (!r.ok) {
    d.error = failure_message(r, d.url);
    return d;
  }
  if (auto html = html_instead_of(r.body, "CoinGecko's JSON"); !html.empty()) {
    d.error = fmt::format("{} from {}", html, d.url);
    return d;
  }
  const auto json = nlohmann::json::parse(r.body, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("prices") || !json["prices"].is_array()) {
    d.error = fmt::format("{} did not answer with CoinGecko's market-chart JSON (no 'prices' list)", d.url);
    return d;
  }
  const auto& prices = json["prices"];
  std::size_t intraday = 0;
  for (std::size_t i = 0; i < prices.size(); ++i) {
    const auto& p = prices[i];
    if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !(p[1].is_number() || p[1].is_null())) {
      d.error = fmt::format("{}: prices[{}] is not [milliseconds, price]", d.url, i);
      return d;
    }
    const auto ms = static_cast<time_point>(p[0].get<double>());
    // Daily snapshots are taken at 00:00 UTC (a few in 2018 at 00:05); anything later in
    // the day is a live price.
    if (ms - day_of(ms) > 600 * ms_per_second) {
      ++intraday;
      continue;
    }
    if (p[1].is_null()) continue;
    const time_point date = day_of(ms);
    const std::string value = p[1].is_number_integer() ? std::to_string(p[1].get<std::int64_t>())
                                                       : number_text(p[1].get<double>());
    if (!d.rows.empty() && d.rows.back().date >= date) {
      if (d.rows.back().date == date) continue;  // the first snapshot of a day counts
      d.error = fmt::format("{}: prices are not in ascending time at [{}]", d.url, i);
      return d;
    }
    d.rows.push_back({date, value});
  }
  if (intraday) d.notes.push_back(fmt::format("{} intraday price(s) (not a daily snapshot) left out", intraday));
  d.ok = true;
  return d;
}

}  // namespace sluice::fetch
