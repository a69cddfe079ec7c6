// Where `sluice watch` delivers events: stdout (jsonl or table), a command (--exec), an HTTP
// endpoint (--webhook, with libcurl). A sink says whether an event was delivered, should be
// tried again later (it stays in the outbox), or was refused for good (reported, dropped).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "cli/watch/event_json.hpp"
#include "cli/watch/options.hpp"

namespace sluice::watch {

enum class delivery : std::uint8_t { delivered, retry_later, gave_up };

class sink {
 public:
  virtual ~sink() = default;
  // A name that identifies the sink across restarts ("stdout", "webhook URL", "exec CMD").
  virtual std::string name() const = 0;
  // `why` says what went wrong when the result is not `delivered`.
  virtual delivery deliver(const outgoing& e, std::string& why) = 0;
};

// flush_each: each event is flushed before it counts as delivered (with --state: a crash
// must not lose an event recorded as delivered). Otherwise the caller flushes stdout after
// each round of deliveries (one write per round, not per event).
std::unique_ptr<sink> make_stdout_sink(stdout_format format, bool flush_each);
std::unique_ptr<sink> make_exec_sink(const std::string& command);
// One POST per deliver(): 2xx delivered; 408, 429, 5xx and transport errors retry_later;
// other statuses gave_up.
std::unique_ptr<sink> make_webhook_sink(const std::string& url, const std::string& body_template,
                                        double timeout_seconds);

// The template's {id} {rule} {date} {message} {json} replaced by the event's fields, and
// {message_json} by the message as a quoted JSON string.
std::string render_template(const std::string& text, const outgoing& e);

}  // namespace sluice::watch
