// One NDJSON line of `sluice watch`'s stdin: an observation, a clock line, or why neither.
//   {"series":"russell","time":"2026-01-08","value":2603.91}   (value: a number or "2603.91")
//   {"clock":"2026-01-08"}   every observation dated through then has been sent
// Read with nlohmann-json's SAX parser, which hands over a number's own text, so a value is
// exact in --exact mode whether it is written as a number or as a decimal string.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::watch {

struct input_line {
  enum class kind : std::uint8_t { observation, clock, blank, error };
  kind what = kind::error;
  std::string series;      // observation: as written
  std::int64_t time = 0;   // observation or clock: UTC milliseconds ("2026-01-08T14:30:00.250Z")
  std::string value_text;  // observation: the value's decimal text ("2603.91"); empty: null
  double value = 0;        // observation: the value as a double
  std::string error;       // error: the reason, in words
};

input_line parse_input_line(std::string_view line);

}  // namespace sluice::watch
