// Event output formats (see output.hpp).
#include "cli/output.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <thread>

#include "interpreter/number.hpp"

namespace sluice {

std::string json_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04x}", static_cast<int>(c));
        else out += c;
    }
  }
  return out;
}

namespace {

std::string json_number(double v) {
  return number_traits<double>::is_na(v) ? "null" : format_number(v);
}

// Exact mode's values carry their exact decimal text.
std::string value_text(const event_value& v) {
  return v.text.empty() ? format_number(v.value) : v.text;
}

std::string values_text(const event& e) {
  std::string out;
  for (const event_value& v : e.values) {
    if (!out.empty()) out += ' ';
    out += fmt::format("{}={}", v.name, value_text(v));
  }
  return out;
}

// A rule name cut to `width` at a word boundary, marked with "...", never mid-word. A
// universe rule's `[member]` suffix is kept whole after the cut: it is what tells the
// expanded rules of one long anonymous `for each` rule apart.
std::string fit_rule_name(const std::string& name, std::size_t width) {
  if (name.size() <= width) return name;
  std::string suffix;
  if (const std::size_t open = name.rfind('[');
      name.back() == ']' && open != std::string::npos && name.size() - open + 8 <= width)
    suffix = name.substr(open);
  const std::size_t room = width - suffix.size();
  std::size_t cut = name.rfind(' ', room - 3);
  if (cut == std::string::npos || cut == 0) cut = room - 3;
  return name.substr(0, cut) + "..." + suffix;
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

namespace {

// Formatted text that goes to `file` a chunk at a time (or, without a file, stays whole):
// a universe run prints millions of events, which as one string cost gigabytes.
class chunked_text {
 public:
  explicit chunked_text(std::FILE* file) : file_(file) {}
  std::string& text() { return text_; }
  // Called after each event: writes the chunk out once it is large.
  void event_done() {
    if (file_ && text_.size() >= (std::size_t{1} << 20)) flush();
  }
  bool flush() {
    if (file_ && !text_.empty()) {
      ok_ = ok_ && std::fwrite(text_.data(), 1, text_.size(), file_) == text_.size();
      text_.clear();
    }
    return ok_;
  }

 private:
  std::FILE* file_;
  std::string text_;
  bool ok_ = true;
};

void events_table(std::span<const event> events, bool color, chunked_text& to) {
  std::string& out = to.text();
  if (events.empty()) {
    out += "no events\n";
    return;
  }
  std::size_t rule_width = 4, action_width = 7;
  for (const event& e : events) {
    rule_width = std::max(rule_width, e.rule_name.size());
    action_width = std::max(action_width, fmt::format("{}", fmt::join(e.actions, ", ")).size());
  }
  rule_width = std::min<std::size_t>(rule_width, 48);
  const char* bold = color ? "\x1b[1m" : "";
  const char* dim = color ? "\x1b[2m" : "";
  const char* off = color ? "\x1b[0m" : "";
  fmt::format_to(std::back_inserter(out), "{}{:<10}  {:<{}}  {:<{}}  {}{}\n", bold, "date", "rule",
                 rule_width, "actions", action_width, "values", off);
  for (const event& e : events) {
    const std::string rule = fit_rule_name(e.rule_name, rule_width);
    fmt::format_to(std::back_inserter(out), "{:<10}  {:<{}}  {:<{}}  {}{}{}\n", format_time(e.time),
                   rule, rule_width, fmt::format("{}", fmt::join(e.actions, ", ")), action_width,
                   dim, values_text(e), off);
    for (const std::string& m : e.messages)
      fmt::format_to(std::back_inserter(out), "{:<10}  {}\"{}\"\n", "", "", m);
    to.event_done();
  }
}

// format_time of the events' times, remembered for the next event: events come in time
// order, dozens to a point in a universe run, and formatting a date cost more than the rest
// of an event's line.
class time_text {
 public:
  const std::string& of(time_point t) {
    if (!valid_ || t != time_) {
      text_ = format_time(t);
      time_ = t;
      valid_ = true;
    }
    return text_;
  }

 private:
  bool valid_ = false;
  time_point time_ = 0;
  std::string text_;
};

// `"text"` with JSON escapes; most texts (rule names, symbols) need none and are copied.
void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && c != '"' && c != '\\';
  });
  if (plain)
    out += text;
  else
    out += json_escape(text);
  out += '"';
}

// json_number's text, formatted in place.
void append_json_number(std::string& out, double v) {
  if (number_traits<double>::is_na(v) || !std::isfinite(v))
    out += json_number(v);
  else
    fmt::format_to(std::back_inserter(out), "{:.10g}", v);  // format_number's form
}

// One line per event, appended piece by piece: through fmt's format strings, the text of
// an event cost about 7,000 instructions.
void events_jsonl(std::span<const event> events, chunked_text& to) {
  std::string& out = to.text();
  time_text dates;
  for (const event& e : events) {
    out += "{\"type\":\"event\",\"date\":\"";
    out += dates.of(e.time);
    out += "\",\"rule\":";
    append_json_string(out, e.rule_name);
    out += ",\"actions\":[";
    for (std::size_t i = 0; i < e.actions.size(); ++i) {
      if (i) out += ',';
      append_json_string(out, e.actions[i]);
    }
    out += "],\"values\":{";
    for (std::size_t i = 0; i < e.values.size(); ++i) {
      const event_value v = e.values[i];
      if (i) out += ',';
      append_json_string(out, v.name);
      out += ':';
      if (v.text.empty() || v.text == "na")
        append_json_number(out, v.value);
      else
        out += v.text;
    }
    out += "},\"messages\":[";
    for (std::size_t i = 0; i < e.messages.size(); ++i) {
      if (i) out += ',';
      append_json_string(out, e.messages[i]);
    }
    out += "]}\n";
    to.event_done();
  }
}

void events_csv(std::span<const event> events, std::vector<std::string> names, chunked_text& to) {
  for (const event& e : events)
    for (const event_value& v : e.values)
      if (std::find(names.begin(), names.end(), v.name) == names.end()) names.push_back(v.name);
  std::string& out = to.text();
  out += "date,rule,actions,messages";
  for (const std::string& n : names) out += "," + csv_field(n);
  out += '\n';
  for (const event& e : events) {
    fmt::format_to(std::back_inserter(out), "{},{},{},{}", format_time(e.time),
                   csv_field(e.rule_name), csv_field(fmt::format("{}", fmt::join(e.actions, "; "))),
                   csv_field(fmt::format("{}", fmt::join(e.messages, "; "))));
    for (const std::string& n : names) {
      out += ',';
      for (const event_value& v : e.values)
        if (v.name == n) {
          if (!(v.text.empty() && number_traits<double>::is_na(v.value)) && v.text != "na")
            out += value_text(v);
          break;
        }
    }
    out += '\n';
    to.event_done();
  }
}

}  // namespace

std::string format_events_table(std::span<const event> events, bool color) {
  chunked_text to(nullptr);
  events_table(events, color, to);
  return std::move(to.text());
}

std::string format_events_jsonl(std::span<const event> events) {
  chunked_text to(nullptr);
  events_jsonl(events, to);
  return std::move(to.text());
}

// One column per value name (`names`, then any other in order of first appearance),
// empty where an event has no such value: a table read_csv takes as it is.
std::string format_events_csv(std::span<const event> events, std::vector<std::string> names) {
  chunked_text to(nullptr);
  events_csv(events, std::move(names), to);
  return std::move(to.text());
}

bool write_events(std::FILE* file, std::span<const event> events, output_format format, bool color,
                  std::vector<std::string> csv_names, unsigned threads) {
  chunked_text to(file);
  switch (format) {
    case output_format::table:
      events_table(events, color, to);
      break;
    case output_format::jsonl: {
      // Each line stands alone: blocks of lines are formatted on `threads` threads and
      // written in order (a universe run's 4.3 million lines were its largest serial part
      // after the evaluation).
      constexpr std::size_t lines_per_part = 16384;
      const std::size_t parts = (events.size() + lines_per_part - 1) / lines_per_part;
      const std::size_t at_once = std::max<std::size_t>(1, threads);
      std::vector<std::string> texts(at_once);
      for (std::size_t first = 0; first < parts; first += at_once) {
        const std::size_t count = std::min(at_once, parts - first);
        auto format_part = [&](std::size_t k) {
          const std::size_t begin = (first + k) * lines_per_part;
          chunked_text part(nullptr);
          part.text().swap(texts[k]);
          part.text().clear();
          events_jsonl(events.subspan(begin, std::min(lines_per_part, events.size() - begin)),
                       part);
          texts[k].swap(part.text());
        };
        {
          std::vector<std::jthread> workers;
          for (std::size_t k = 1; k < count; ++k) workers.emplace_back(format_part, k);
          format_part(0);
        }  // the workers join here
        for (std::size_t k = 0; k < count; ++k) {
          to.text() += texts[k];
          to.event_done();
        }
      }
      break;
    }
    case output_format::csv:
      events_csv(events, std::move(csv_names), to);
      break;
  }
  return to.flush();
}

}  // namespace sluice
