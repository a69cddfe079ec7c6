// HTTP GET through libcurl, with the retry policy `sluice fetch` promises: 429 and 5xx
// answers and dropped connections are retried with exponential backoff (a 429's
// Retry-After is honoured when it is short), every attempt is bounded by --timeout, and
// a body shorter than its Content-Length is an error, never a result.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sluice::fetch {

struct http_request {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  long timeout_seconds = 60;         // per attempt
  int retries = 3;                   // attempts after the first
  long backoff_ms = 1000;            // first wait; doubles each retry
  long max_retry_after = 60;         // a longer Retry-After is reported, not waited for
};

struct http_result {
  bool ok = false;         // a complete 2xx response
  long status = 0;         // last HTTP status, 0 when no response came
  std::string body;
  std::string content_type;
  std::optional<long> retry_after;  // seconds, from the last response
  std::string error;       // why it failed, in words (status, curl's reason, truncation)
  int attempts = 0;
};

// `log` receives one line per retry ("HTTP 503, retrying in 2 s").
http_result http_get(const http_request& request,
                     const std::function<void(const std::string&)>& log);

// Percent-encodes a URL path segment or query value (RFC 3986 unreserved kept).
std::string url_encode(const std::string& text);

// libcurl's global state, for the lifetime of one command: construct one before http_get.
struct http_session {
  http_session();
  ~http_session();
  http_session(const http_session&) = delete;
  http_session& operator=(const http_session&) = delete;
};

}  // namespace sluice::fetch
