// libcurl behind http_get (see http.hpp).
#include "cli/fetch/http.hpp"
#include "interpreter/ascii.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cctype>
#include <chrono>
#include <memory>
#include <thread>

namespace sluice::fetch {
namespace {

// A series history is a few MB at most; a longer body is not one, and is not kept in memory.
constexpr std::size_t max_body_bytes = std::size_t{256} << 20;

struct attempt {
  bool too_large = false;
  long status = 0;
  std::string body;
  std::string content_type;
  std::optional<long> retry_after;
  CURLcode code = CURLE_OK;
  std::string curl_error;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* a = static_cast<attempt*>(user);
  if (a->body.size() + size * count > max_body_bytes) {
    a->too_large = true;
    return 0;  // libcurl stops with CURLE_WRITE_ERROR
  }
  a->body.append(data, size * count);
  return size * count;
}


std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* a = static_cast<attempt*>(user);
  const std::string line(data, size * count);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    const std::string name = lower(line.substr(0, colon));
    std::string value = line.substr(colon + 1);
    const auto b = value.find_first_not_of(" \t");
    const auto e = value.find_last_not_of(" \t\r\n");
    value = b == std::string::npos ? "" : value.substr(b, e - b + 1);
    // Only delta-seconds are read; an HTTP-date Retry-After is left to the backoff.
    if (name == "retry-after" && !value.empty() &&
        value.find_first_not_of("0123456789") == std::string::npos && value.size() < 9)
      a->retry_after = std::stol(value);
    if (name == "content-type") a->content_type = value;
  }
  return size * count;
}

attempt get_once(const http_request& request) {
  attempt a;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) {
    a.code = CURLE_FAILED_INIT;
    a.curl_error = "libcurl could not start";
    return a;
  }
  curl_slist* headers = nullptr;
  for (const std::string& h : request.headers) headers = curl_slist_append(headers, h.c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers,
                                                                          &curl_slist_free_all);
  char error_buffer[CURL_ERROR_SIZE] = {};
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &a);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &a);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
  // Specs name http(s) URLs; a redirect must not lead to file://, ftp:// or another scheme.
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_TIMEOUT, request.timeout_seconds);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, std::min(request.timeout_seconds, 30L));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // gzip/deflate when the server offers it
  // Yahoo refuses requests without a browser-like User-Agent; the others do not care.
  curl_easy_setopt(h, CURLOPT_USERAGENT, "Mozilla/5.0 (compatible; sluice-fetch/" SLUICE_VERSION_STRING ")");
  a.code = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.status);
  if (a.code != CURLE_OK) a.curl_error = error_buffer[0] ? error_buffer : curl_easy_strerror(a.code);
  return a;
}

bool transient(const attempt& a) {
  if (a.code != CURLE_OK)
    return a.code == CURLE_COULDNT_CONNECT || a.code == CURLE_OPERATION_TIMEDOUT ||
           a.code == CURLE_PARTIAL_FILE || a.code == CURLE_RECV_ERROR ||
           a.code == CURLE_GOT_NOTHING || a.code == CURLE_SEND_ERROR;
  return a.status == 429 || (a.status >= 500 && a.status <= 599);
}

std::string describe(const attempt& a, const http_request& request) {
  if (a.too_large)
    return fmt::format("the answer is larger than {} MiB, too large for a series", max_body_bytes >> 20);
  if (a.code == CURLE_PARTIAL_FILE)
    return fmt::format("the download was cut short ({} bytes received, fewer than announced): {}",
                       a.body.size(), a.curl_error);
  if (a.code == CURLE_OPERATION_TIMEDOUT)
    return fmt::format("no complete answer within --timeout {} s", request.timeout_seconds);
  if (a.code != CURLE_OK) return a.curl_error;
  if (a.status == 429)
    return a.retry_after
               ? fmt::format("rate limited (HTTP 429), the server asks to retry after {} s",
                             *a.retry_after)
               : "rate limited (HTTP 429)";
  return fmt::format("HTTP {}", a.status);
}

}  // namespace

http_session::http_session() { curl_global_init(CURL_GLOBAL_DEFAULT); }
http_session::~http_session() { curl_global_cleanup(); }

std::string url_encode(const std::string& text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') out += c;
    else out += fmt::format("%{:02X}", u);
  }
  return out;
}

http_result http_get(const http_request& request,
                     const std::function<void(const std::string&)>& log) {
  http_result result;
  long wait_ms = request.backoff_ms;
  for (int i = 0;; ++i) {
    attempt a = get_once(request);
    result.attempts = i + 1;
    result.status = a.status;
    result.retry_after = a.retry_after;
    result.content_type = a.content_type;
    if (a.code == CURLE_OK && a.status >= 200 && a.status <= 299) {
      result.ok = true;
      result.body = std::move(a.body);
      return result;
    }
    result.error = describe(a, request);
    result.body = std::move(a.body);
    if (!transient(a) || i >= request.retries) return result;
    long this_wait = wait_ms;
    if (a.status == 429 && a.retry_after) {
      if (*a.retry_after > request.max_retry_after) return result;  // not worth blocking on
      this_wait = *a.retry_after * 1000;
    }
    log(fmt::format("{}; retrying in {:.1f} s ({} of {})", result.error, this_wait / 1000.0, i + 1,
                    request.retries));
    std::this_thread::sleep_for(std::chrono::milliseconds(this_wait));
    wait_ms *= 2;
  }
}

}  // namespace sluice::fetch
