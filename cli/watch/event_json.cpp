// Events as JSON (see event_json.hpp).
#include "cli/watch/event_json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "interpreter/number.hpp"

namespace sluice::watch {
namespace {

// A string as JSON. Text of printable ASCII without quotes or backslashes (rule names, most
// alert texts) is written as it is, which is what nlohmann's dump writes for it; anything
// else (escapes, UTF-8, control characters) goes through nlohmann.
std::string json_quote(const std::string& s) {
  const bool plain = std::all_of(
      s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; });
  if (!plain) return nlohmann::json(s).dump();
  std::string quoted;
  quoted.reserve(s.size() + 2);
  quoted += '"';
  quoted += s;
  quoted += '"';
  return quoted;
}

// The events of one point share its date: formatted once.
const std::string& date_text(std::int64_t t) {
  static thread_local std::int64_t last = 0;
  static thread_local std::string text = api::format_timestamp_ms(0);
  if (t != last) {
    text = api::format_timestamp_ms(t);
    last = t;
  }
  return text;
}

// Rule and action names repeat from event to event: quoted once each (a bounded cache).
const std::string& json_quote_name(const std::string& s) {
  static thread_local std::unordered_map<std::string, std::string> quoted;
  if (auto found = quoted.find(s); found != quoted.end()) return found->second;
  if (quoted.size() >= 100'000) quoted.clear();
  return quoted.emplace(s, json_quote(s)).first->second;
}

std::string number_text(const api::named_value& v) {
  if (!v.text.empty() && v.text != "na") return v.text;
  if (std::isnan(v.value) || v.text == "na") return "null";
  if (std::isinf(v.value)) return format_number(v.value);
  // As `sluice run --format jsonl` prints it: format_number's {:.10g}, written by to_chars,
  // which the standard defines as printf's %.10g, as fmt defines {:.10g}: the same text
  // (compared on 12 million values), while fmt's precision path cost 1,400 instructions a
  // value and was most of an event's cost.
  char digits[32];
  const auto end =
      std::to_chars(digits, digits + sizeof digits, v.value, std::chars_format::general, 10).ptr;
  return std::string(digits, end);
}

}  // namespace

outgoing make_outgoing(const api::program& p, const api::event& e) {
  outgoing o;
  o.id = p.event_id(e);
  o.date = date_text(e.time_ms);
  o.rule = e.rule;
  if (!e.messages.empty()) {
    o.message = e.messages.front();
  } else {
    for (std::size_t i = 0; i < e.actions.size(); ++i) o.message += (i ? "; " : "") + e.actions[i];
  }
  std::string& j = o.json;
  // The id is hex digits and the date digits, dashes and colons: nothing to escape.
  j.reserve(160 + o.message.size());
  j += "{\"type\":\"event\",\"id\":\"";
  j += o.id;
  j += "\",\"date\":\"";
  j += o.date;
  j += "\",\"rule\":";
  j += json_quote_name(e.rule);
  j += ",\"actions\":[";
  for (std::size_t i = 0; i < e.actions.size(); ++i) {
    if (i) j += ',';
    j += json_quote_name(e.actions[i]);
  }
  j += "],\"values\":{";
  for (std::size_t i = 0; i < e.values.size(); ++i) {
    if (i) j += ',';
    j += json_quote_name(e.values[i].name);
    j += ':';
    j += number_text(e.values[i]);
  }
  j += "},\"messages\":[";
  for (std::size_t i = 0; i < e.messages.size(); ++i) {
    if (i) j += ',';
    j += json_quote(e.messages[i]);
  }
  j += "]}";
  return o;
}

}  // namespace sluice::watch
