// Events as JSON (see event_json.hpp).
#include "cli/watch/event_json.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "interpreter/number.hpp"

namespace sluice::watch {
namespace {

std::string json_quote(const std::string& s) { return nlohmann::json(s).dump(); }

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
  return format_number(v.value);  // as `sluice run --format jsonl` prints it
}

}  // namespace

outgoing make_outgoing(const api::program& p, const api::event& e) {
  outgoing o;
  o.id = p.event_id(e);
  o.date = api::format_timestamp(e.time);
  o.rule = e.rule;
  if (!e.messages.empty()) {
    o.message = e.messages.front();
  } else {
    for (std::size_t i = 0; i < e.actions.size(); ++i) o.message += (i ? "; " : "") + e.actions[i];
  }
  std::string& j = o.json;
  // The id is hex digits and the date digits and dashes: nothing to escape.
  j = fmt::format("{{\"type\":\"event\",\"id\":\"{}\",\"date\":\"{}\",\"rule\":{},\"actions\":[",
                  o.id, o.date, json_quote_name(e.rule));
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
  for (std::size_t i = 0; i < e.messages.size(); ++i) j += (i ? "," : "") + json_quote(e.messages[i]);
  j += "]}";
  return o;
}

}  // namespace sluice::watch
