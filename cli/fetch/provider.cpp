// Helpers shared by the fetch providers (see provider.hpp).
#include "cli/fetch/provider.hpp"

#include <fmt/format.h>

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

std::string failure_message(const http_result& r, const std::string& shown_url) {
  std::string snippet;
  for (char c : r.body) {
    if (c == '\n' || c == '\r') {
      if (!snippet.empty()) break;
      continue;
    }
    snippet += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
    if (snippet.size() >= 160) {
      snippet += "...";
      break;
    }
  }
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

time_point day_of(time_point t) {
  const time_point r = t % seconds_per_day;
  return t - (r < 0 ? r + seconds_per_day : r);
}

std::string number_text(double v) { return fmt::format("{}", v); }

}  // namespace sluice::fetch
