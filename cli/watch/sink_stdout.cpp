// The stdout sink: one JSON line per event (the default) or a table row.
#include <fmt/format.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/watch/sinks.hpp"

namespace sluice::watch {
namespace {

class stdout_sink final : public sink {
 public:
  stdout_sink(stdout_format f, bool flush_each) : format_(f), flush_each_(flush_each) {}
  std::string name() const override { return "stdout"; }
  delivery deliver(const outgoing& e, std::string& why) override {
    if (format_ == stdout_format::none) return delivery::delivered;
    bool written = true;
    if (format_ == stdout_format::jsonl) {  // the event's own text, not copied to add the newline
      written = std::fwrite(e.json.data(), 1, e.json.size(), stdout) == e.json.size() &&
                std::fputc('\n', stdout) != EOF;
    } else {
      const std::string line =
          fmt::format("{:<10}  {:<28}  {}  [{}]\n", e.date, e.rule, e.message, e.id);
      written = std::fwrite(line.data(), 1, line.size(), stdout) == line.size();
    }
    // Without flush_each, the round's flush (the caller's) makes the alerts visible at once.
    if (!written || (flush_each_ && std::fflush(stdout) != 0)) {
      why = "cannot write to stdout";
      return delivery::retry_later;
    }
    return delivery::delivered;
  }

 private:
  stdout_format format_;
  bool flush_each_;
};

}  // namespace

std::unique_ptr<sink> make_stdout_sink(stdout_format format, bool flush_each) {
  return std::make_unique<stdout_sink>(format, flush_each);
}

std::string render_template(const std::string& text, const outgoing& e) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    auto field = [&](std::string_view key, const std::string& value) {
      if (text.compare(i, key.size(), key) != 0) return false;
      out += value;
      i += key.size();
      return true;
    };
    if (text[i] == '{' &&
        (field("{id}", e.id) || field("{rule}", e.rule) || field("{date}", e.date) ||
         field("{message_json}", nlohmann::json(e.message).dump()) ||
         field("{message}", e.message) || field("{json}", e.json)))
      continue;
    out += text[i++];
  }
  return out;
}

}  // namespace sluice::watch
