// Helpers shared by the fetch providers (see provider.hpp).
#include "cli/fetch/provider.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdlib>

namespace sluice::fetch {

std::string base_url(const char* env_name, const char* fallback) {
  const char* v = std::getenv(env_name);
  std::string url = v && *v ? v : fallback;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

http_result get(const fetch_context& ctx, std::string url, std::vector<std::string> headers) {
  http_request request;
  request.url = std::move(url);
  request.headers = std::move(headers);
  request.timeout_seconds = ctx.timeout_seconds;
  request.retries = ctx.retries;
  request.backoff_ms = ctx.backoff_ms;
  return http_get(request, ctx.log ? ctx.log : [](const std::string&) {});
}

namespace {

// The message of a JSON error body, as the providers write them: FRED's
// {"error_code": 400, "error_message": "..."} (pretty-printed over several lines),
// CoinGecko's {"error": "coin not found"} and {"status": {"error_message": "..."}},
// Yahoo's {"chart": {"error": {"code": "...", "description": "..."}}}; "" otherwise.
std::string json_error_text(const std::string& body) {
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return "";
  auto text = [](const nlohmann::json& j, const char* key) -> std::string {
    return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
  };
  if (auto m = text(json, "error_message"); !m.empty()) return m;
  if (auto m = text(json, "error"); !m.empty()) return m;
  if (json.contains("status"))
    if (auto m = text(json["status"], "error_message"); !m.empty()) return m;
  if (json.contains("chart") && json["chart"].is_object() && json["chart"].contains("error")) {
    const auto& e = json["chart"]["error"];
    if (auto m = text(e, "description"); !m.empty()) return m;
  }
  return "";
}

// The body's first non-empty line, printable, at most 160 characters.
std::string first_line(const std::string& body) {
  std::string line;
  for (char c : body) {
    if (c == '\n' || c == '\r') {
      if (!line.empty()) break;
      continue;
    }
    line += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
    if (line.size() >= 160) {
      line += "...";
      break;
    }
  }
  return line;
}

}  // namespace

std::string failure_message(const http_result& r, const std::string& shown_url) {
  std::string snippet = json_error_text(r.body);
  if (snippet.empty()) snippet = first_line(r.body);
  std::string out = fmt::format("{} from {}", r.error, shown_url);
  if (r.attempts > 1) out += fmt::format(" (after {} attempts)", r.attempts);
  if (!snippet.empty() && r.status >= 400) out += fmt::format(": {}", snippet);
  return out;
}

std::string html_instead_of(const std::string& body, const std::string& expected) {
  const auto first = body.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  if (first == std::string::npos || body[first] != '<') return "";
  return fmt::format("the server answered with an HTML page instead of {} (a login, "
                     "consent or error page?)", expected);
}

time_point day_of(time_point t) { return day_number(t) * ms_per_day; }

std::string number_text(double v) { return fmt::format("{}", v); }

}  // namespace sluice::fetch
