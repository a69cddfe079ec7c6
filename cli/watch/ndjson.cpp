// NDJSON input lines (see ndjson.hpp).
#include "cli/watch/ndjson.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "cli/watch/options.hpp"

namespace sluice::watch {
namespace {

using json = nlohmann::json;

// Collects the top-level members of one flat object. Members other than series/time/value/
// clock are ignored (producers may add their own), whatever their shape.
struct line_reader : nlohmann::json_sax<json> {
  int depth = 0;
  std::string current;  // the member being read
  std::string problem;
  bool has_series = false, has_time = false, has_value = false, has_clock = false;
  bool value_null = false, value_is_string = false;
  std::string series, time, value, clock;

  bool top_member() const { return depth == 1; }
  bool set_text(const std::string& text, bool is_string) {
    if (!top_member()) return true;
    if (current == "series" || current == "time" || current == "clock") {
      if (!is_string) return fail(fmt::format("\"{}\" must be a string", current));
      (current == "series" ? series : current == "time" ? time : clock) = text;
      (current == "series" ? has_series : current == "time" ? has_time : has_clock) = true;
    } else if (current == "value") {
      value = text;
      value_is_string = is_string;
      has_value = true;
    }
    return true;
  }
  bool fail(std::string why) {
    problem = std::move(why);
    return false;
  }

  bool null() override {
    if (top_member() && current == "value") has_value = value_null = true;
    return true;
  }
  bool boolean(bool) override {
    if (top_member() && (current == "value" || current == "series" || current == "time" || current == "clock"))
      return fail(fmt::format("\"{}\" cannot be true or false", current));
    return true;
  }
  bool number_integer(number_integer_t v) override { return set_text(std::to_string(v), false); }
  bool number_unsigned(number_unsigned_t v) override { return set_text(std::to_string(v), false); }
  bool number_float(number_float_t, const string_t& s) override { return set_text(s, false); }
  bool string(string_t& s) override { return set_text(s, true); }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    if (depth == 0 || !top_member() || (current != "value" && current != "series" && current != "time" && current != "clock")) {
      ++depth;
      return true;
    }
    return fail(fmt::format("\"{}\" cannot be an object", current));
  }
  bool end_object() override {
    --depth;
    return true;
  }
  bool start_array(std::size_t) override {
    if (depth == 0) return fail("the line is an array, not an object");
    if (top_member() && (current == "value" || current == "series" || current == "time" || current == "clock"))
      return fail(fmt::format("\"{}\" cannot be an array", current));
    ++depth;
    return true;
  }
  bool end_array() override {
    --depth;
    return true;
  }
  bool key(string_t& k) override {
    if (top_member()) current = k;
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) override {
    std::string what = ex.what();
    // nlohmann's message starts with "[json.exception.parse_error.101] parse error at line
    // 1, column N: " and then says what it found; keep the column and the finding.
    const auto at = what.find("column");
    problem = fmt::format("malformed JSON at byte {}: {}", position,
                          at == std::string::npos ? what : what.substr(what.find(": ", at) + 2));
    return false;
  }
};

// The members of a line that watch reads, however they were parsed.
struct line_fields {
  bool has_series = false, has_time = false, has_value = false, has_clock = false;
  bool value_null = false;
  std::string series, time, value, clock;
  std::optional<double> number;  // a number value as the fast reader parsed it
};

// The common case, parsed fast with simdjson's On-Demand parser (its buffers reused from line
// to line): one object whose members are exactly series/time/value or clock, each once, with
// a string, number or null value. Anything else (other members, duplicates, other shapes,
// errors) returns false and the line goes to nlohmann's SAX reader above, which validates
// every member and explains errors with their position; both readers agree on the lines the
// fast one accepts (a number's text is its token as written, "-0" read as "0" as nlohmann does).
bool parse_fast(std::string_view text, line_fields& out) {
  namespace od = simdjson::ondemand;
  static thread_local od::parser parser;
  static thread_local std::string padded;
  padded.assign(text);
  padded.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  od::document doc;
  if (parser.iterate(padded.data(), padded.size(), padded.capacity()).get(doc)) return false;
  od::object object;
  if (doc.get_object().get(object)) return false;
  for (auto member : object) {
    od::field field;
    std::string_view key;
    if (std::move(member).get(field) || field.unescaped_key().get(key)) return false;
    od::value v = field.value();
    if (key == "series" || key == "time" || key == "clock") {
      bool& has = key == "series" ? out.has_series : key == "time" ? out.has_time : out.has_clock;
      std::string_view str;
      if (has || v.get_string().get(str)) return false;
      (key == "series" ? out.series : key == "time" ? out.time : out.clock) = str;
      has = true;
    } else if (key == "value") {
      od::json_type type;
      if (out.has_value || v.type().get(type)) return false;
      if (type == od::json_type::number) {
        std::string_view raw = v.raw_json_token();
        double number = 0;  // validates the token as a JSON number (correctly rounded)
        if (v.get_double().get(number)) return false;
        while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\r' ||
                                raw.back() == '\n'))
          raw.remove_suffix(1);
        out.value = raw == "-0" ? "0" : std::string(raw);
        out.number = raw == "-0" ? 0.0 : number;  // as from_chars reads the value's text
      } else if (type == od::json_type::string) {
        std::string_view str;
        if (v.get_string().get(str)) return false;
        out.value = str;
      } else if (type == od::json_type::null) {
        bool is_null = false;
        if (v.is_null().get(is_null) || !is_null) return false;
        out.value_null = true;
      } else {
        return false;
      }
      out.has_value = true;
    } else {
      return false;
    }
  }
  // Nothing after the object: at the end, the document has no current location.
  return doc.current_location().error() == simdjson::OUT_OF_BOUNDS;
}

// A JSON number's text or a decimal string -> a double; nullopt when it is not a number.
std::optional<double> to_double(const std::string& text) {
  double v = 0;
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (begin != end && *begin == '+') ++begin;
  const auto [p, ec] = std::from_chars(begin, end, v);
  if (ec != std::errc() || p != end || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace

input_line parse_input_line(std::string_view text) {
  input_line out;
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  std::size_t lead = 0;
  while (lead < text.size() && (text[lead] == ' ' || text[lead] == '\t')) ++lead;
  text.remove_prefix(lead);
  if (text.empty()) {
    out.what = input_line::kind::blank;
    return out;
  }
  if (text.front() != '{') {
    out.error = "not a JSON object";
    return out;
  }
  line_fields r;
  if (!parse_fast(text, r)) {
    line_reader sax;
    const bool ok = json::sax_parse(text.begin(), text.end(), &sax,
                                    nlohmann::detail::input_format_t::json, true);
    if (!ok) {
      out.error = sax.problem.empty() ? "malformed JSON" : sax.problem;
      return out;
    }
    r = line_fields{sax.has_series,      sax.has_time,         sax.has_value,
                    sax.has_clock,       sax.value_null,       std::move(sax.series),
                    std::move(sax.time), std::move(sax.value), std::move(sax.clock),
                    std::nullopt};
  }
  if (r.has_clock) {
    if (r.has_series || r.has_value) {
      out.error = "a line has either \"clock\" or \"series\"/\"time\"/\"value\", not both";
      return out;
    }
    auto t = parse_time(r.clock);
    if (!t) {
      out.error = fmt::format("\"clock\" is not an ISO date or date-time: '{}'", r.clock);
      return out;
    }
    out.what = input_line::kind::clock;
    out.time = *t;
    return out;
  }
  if (!r.has_series || !r.has_time || !r.has_value) {
    out.error = fmt::format("an observation needs \"series\", \"time\" and \"value\" (missing {})",
                            !r.has_series ? "\"series\"" : !r.has_time ? "\"time\"" : "\"value\"");
    return out;
  }
  auto t = parse_time(r.time);
  if (!t) {
    out.error = fmt::format("\"time\" is not an ISO date or date-time: '{}'", r.time);
    return out;
  }
  out.series = std::move(r.series);
  out.time = *t;
  out.what = input_line::kind::observation;
  if (r.value_null) return out;  // no observation, as an empty CSV cell
  // The fast reader's number is the value's text read to the nearest double, as to_double
  // reads it (both round correctly); a string value is read here.
  auto v = r.number && std::isfinite(*r.number) ? r.number : to_double(r.value);
  if (!v) {
    out.what = input_line::kind::error;
    out.error = fmt::format("\"value\" is not a finite decimal number: '{}'", r.value);
    return out;
  }
  out.value = *v;
  out.value_text = r.value.front() == '+' ? r.value.substr(1) : r.value;
  return out;
}

}  // namespace sluice::watch
