// The stdout sink: one JSON line per event (the default) or a table row.
#include <fmt/format.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/watch/sinks.hpp"

namespace sluice::watch {
namespace {

class stdout_sink final : public sink {
 public:
  explicit stdout_sink(stdout_format f) : format_(f) {}
  std::string name() const override { return "stdout"; }
  delivery deliver(const outgoing& e, std::string& why) override {
    if (format_ == stdout_format::none) return delivery::delivered;
    const std::string line = format_ == stdout_format::jsonl
                                 ? e.json + "\n"
                                 : fmt::format("{:<10}  {:<28}  {}  [{}]\n", e.date, e.rule, e.message, e.id);
    // Flushed per event: a reader of the pipe sees each alert at once.
    if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size() || std::fflush(stdout) != 0) {
      why = "cannot write to stdout";
      return delivery::retry_later;
    }
    return delivery::delivered;
  }

 private:
  stdout_format format_;
};

}  // namespace

std::unique_ptr<sink> make_stdout_sink(stdout_format format) { return std::make_unique<stdout_sink>(format); }

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
