// `{expr:FORMAT}` in alert text: the format spec (a subset of fmt's / Python's format
// mini-language: sign, width, thousands separator, precision and type) and how a value is
// printed with it. Parsed once by the compiler, applied to each event's value by the run.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

// [sign][width][,][.precision][type]: sign '+' (always), '-' (default) or ' ' (a space
// for positives); width pads on the left with spaces; ',' groups the integer digits by
// thousands; type 'f' fixed, '%' percent (x100, then fixed, then '%'), 'e' exponent,
// 'g' general; no type: precision significant digits ('g'), or Sluice's own number format.
struct number_format {
  char sign = '-';
  std::uint32_t width = 0;
  bool thousands = false;
  std::optional<std::uint32_t> precision;
  char type = 0;  // 0, 'f', '%', 'e' or 'g'
};

// Reads a spec; on a bad spec returns nothing and sets `offset` to the first byte that
// does not fit (relative to the spec's start) and `why` to what was expected there.
std::optional<number_format> parse_number_format(std::string_view spec, std::size_t& offset,
                                                 std::string& why);

// The value printed with the spec: `na`/`inf` as Sluice prints them, whatever the spec.
std::string format_with(double value, const number_format& f);

}  // namespace sluice
