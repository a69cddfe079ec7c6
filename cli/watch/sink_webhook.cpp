// The --webhook sink: an HTTP POST per event through libcurl, with the event id as the
// Idempotency-Key header so that a receiver can drop the re-send of an event in flight.
// 2xx: delivered. 408, 429, 5xx, timeouts and refused connections: tried again later (the
// watcher's backoff, delivery.hpp). Any other status (400, 401, 404, ...): the receiver
// refuses the event for good; it is reported and not retried.
#include <curl/curl.h>
#include <fmt/format.h>

#include "cli/watch/sinks.hpp"

namespace sluice::watch {
namespace {

std::size_t discard(char*, std::size_t size, std::size_t n, void*) { return size * n; }

class webhook_sink final : public sink {
 public:
  webhook_sink(std::string url, std::string body_template, double timeout)
      : url_(std::move(url)), template_(std::move(body_template)), timeout_(timeout) {
    static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    (void)initialised;
    curl_ = curl_easy_init();
  }
  ~webhook_sink() override {
    if (curl_) curl_easy_cleanup(curl_);
  }
  std::string name() const override { return "webhook " + url_; }

  delivery deliver(const outgoing& e, std::string& why) override {
    if (!curl_) {
      why = "libcurl could not be initialised";
      return delivery::retry_later;
    }
    const std::string body = template_.empty() ? e.json : render_template(template_, e);
    const long code = post(body, e.id, why);
    if (code >= 200 && code < 300) return delivery::delivered;
    const bool retryable = code == 0 || code == 408 || code == 429 || code >= 500;
    return retryable ? delivery::retry_later : delivery::gave_up;
  }

 private:
  // The HTTP status, or 0 when no response came (why says what happened).
  long post(const std::string& body, const std::string& id, std::string& why) {
    curl_easy_reset(curl_);
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, template_.empty() || template_.front() == '{'
                                             ? "Content-Type: application/json"
                                             : "Content-Type: text/plain; charset=utf-8");
    headers = curl_slist_append(headers, fmt::format("Idempotency-Key: {}", id).c_str());
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    curl_easy_setopt(curl_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl_, CURLOPT_POST, 1L);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ * 1000));
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_ * 1000));
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl_, CURLOPT_USERAGENT, "sluice-watch");
    const CURLcode rc = curl_easy_perform(curl_);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
      why = fmt::format("POST {}: {}", url_, curl_easy_strerror(rc));
      return 0;
    }
    long code = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &code);
    if (code < 200 || code >= 300) why = fmt::format("POST {}: HTTP status {}", url_, code);
    return code;
  }

  std::string url_;
  std::string template_;
  double timeout_;
  CURL* curl_ = nullptr;
};

}  // namespace

std::unique_ptr<sink> make_webhook_sink(const std::string& url, const std::string& body_template,
                                        double timeout_seconds) {
  return std::make_unique<webhook_sink>(url, body_template, timeout_seconds);
}

}  // namespace sluice::watch
