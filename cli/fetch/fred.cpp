// FRED (St. Louis Fed). Without a key: the public graph download
// `/graph/fredgraph.csv?id=ID[&cosd=START]` (header `observation_date,ID`, empty or `.`
// for no value). With FRED_API_KEY: the API's `/fred/series/observations` as JSON
// (`observations[].date` and `.value`, "." for no value), which also serves ALFRED
// vintages through realtime_start = realtime_end = the vintage date.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdlib>

#include "cli/fetch/provider.hpp"
#include "interpreter/data/csv_loader.hpp"

namespace sluice::fetch {
namespace {

constexpr const char* graph_host = "https://fred.stlouisfed.org";
constexpr const char* api_host = "https://api.stlouisfed.org";

download from_csv(const series_spec& spec, const fetch_context& ctx) {
  download d;
  d.column = spec.id;
  std::string url = base_url("SLUICE_FRED_URL", graph_host) + "/graph/fredgraph.csv?id=" +
                    url_encode(spec.id);
  if (ctx.since) url += "&cosd=" + format_time(*ctx.since);
  d.url = url;
  const http_result r = get(ctx, url);
  if (!r.ok) {
    d.error = failure_message(r, d.url);
    return d;
  }
  if (auto html = html_instead_of(r.body, "FRED's CSV"); !html.empty()) {
    d.error = fmt::format("{} from {}", html, d.url);
    return d;
  }
  const csv_result parsed = parse_csv(r.body, d.url);
  if (!parsed.table) {
    d.error = fmt::format("{} is not FRED's CSV: {}", d.url, parsed.failure.message);
    return d;
  }
  const csv_table& t = *parsed.table;
  const int column = find_column(t, spec.id);
  if (t.columns.size() != 1 || column != 0) {
    d.error = fmt::format("{} is not FRED's CSV for {}: its columns are '{}'", d.url, spec.id,
                          fmt::join(t.columns, ","));
    return d;
  }
  if (!t.rejected.empty()) {
    d.error = fmt::format("{} has rows Sluice cannot read, e.g. line {}: {}", d.url,
                          t.rejected.front().line, t.rejected.front().reason);
    return d;
  }
  const auto text = column_text(r.body, t, 0);
  if (!text) {
    d.error = fmt::format("{}: could not read the values again as decimals", d.url);
    return d;
  }
  for (std::size_t i = 0; i < t.times.size(); ++i) d.rows.push_back({day_of(t.times[i]), (*text)[i]});
  d.ok = true;
  return d;
}

download from_api(const series_spec& spec, const fetch_context& ctx, const std::string& key) {
  download d;
  d.column = spec.id;
  std::string query = "series_id=" + url_encode(spec.id) + "&file_type=json";
  if (ctx.since) query += "&observation_start=" + format_time(*ctx.since);
  if (spec.vintage) query += "&realtime_start=" + *spec.vintage + "&realtime_end=" + *spec.vintage;
  const std::string path = base_url("SLUICE_FRED_URL", api_host) + "/fred/series/observations?";
  d.url = path + query;  // the manifest and messages never show the key
  const http_result r = get(ctx, path + query + "&api_key=" + url_encode(key));
  if (!r.ok) {
    d.error = failure_message(r, d.url);
    return d;
  }
  if (auto html = html_instead_of(r.body, "FRED's JSON"); !html.empty()) {
    d.error = fmt::format("{} from {}", html, d.url);
    return d;
  }
  const auto json = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object() || !json.contains("observations") ||
      !json["observations"].is_array()) {
    d.error = fmt::format("{} did not answer with FRED's JSON (no 'observations' list)", d.url);
    return d;
  }
  // One answer holds at most `limit` (100000) observations; more would need paging, which
  // no daily FRED series needs. Said rather than silently cut.
  if (json.contains("count") && json["count"].is_number_unsigned() &&
      json["count"].get<std::size_t>() > json["observations"].size()) {
    d.error = fmt::format("{} answered {} of {} observations (a paged answer Sluice does not "
                          "read)", d.url, json["observations"].size(), json["count"].get<std::size_t>());
    return d;
  }
  std::size_t index = 0;
  for (const auto& o : json["observations"]) {
    ++index;
    if (!o.is_object() || !o.contains("date") || !o["date"].is_string() || !o.contains("value") ||
        !o["value"].is_string()) {
      d.error = fmt::format("{}: observation {} lacks a text 'date' or 'value'", d.url, index);
      return d;
    }
    const auto date = parse_iso_date(o["date"].get<std::string>());
    if (!date) {
      d.error = fmt::format("{}: observation {} has a bad date '{}'", d.url, index,
                            o["date"].get<std::string>());
      return d;
    }
    std::string value = o["value"].get<std::string>();
    if (value == ".") value.clear();
    if (!d.rows.empty() && d.rows.back().date >= *date) {
      d.error = fmt::format("{}: observation {} ({}) is not after the one before", d.url, index,
                            format_time(*date));
      return d;
    }
    d.rows.push_back({*date, std::move(value)});
  }
  d.ok = true;
  return d;
}

}  // namespace

download fetch_fred(const series_spec& spec, const fetch_context& ctx) {
  const char* key = std::getenv("FRED_API_KEY");
  if (key && *key) return from_api(spec, ctx, key);
  if (spec.vintage) {
    download d;
    d.error = fmt::format("{}: vintages come from the FRED API; set FRED_API_KEY (a free key "
                          "from fredaccount.stlouisfed.org)", spec.text);
    return d;
  }
  return from_csv(spec, ctx);
}

}  // namespace sluice::fetch
