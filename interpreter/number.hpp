// The numeric seam: everything the VM does with a number goes through number_traits<Num>,
// so the same VM runs on IEEE double and (exact mode) on a decimal type
// (number_traits<decimal> and its format_number live in decimal.hpp).
#pragma once
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace sluice {

template <class Num>
struct number_traits;

template <>
struct number_traits<double> {
  static double quiet_nan() { return std::numeric_limits<double>::quiet_NaN(); }
  static double na() { return quiet_nan(); }
  static bool is_na(double x) { return std::isnan(x); }
  static double from_double(double x) { return x; }
  // A literal: the compiler's double (exact mode's types parse `text` instead).
  static double from_constant(double v, const std::string& /*text*/) { return v; }
  // Decimal text (a CSV cell); NaN when not a number.
  static double from_text(std::string_view text) {
    double v = quiet_nan();
    if (!text.empty() && text[0] == '+') text.remove_prefix(1);
    const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    return r.ec == std::errc() && r.ptr == text.data() + text.size() ? v : quiet_nan();
  }
  static double to_double(double x) { return x; }
  static double sqrt(double x) { return std::sqrt(x); }
  static double log(double x) { return std::log(x); }
  static double abs(double x) { return std::fabs(x); }
};

// Prints a number for people: integers without a fraction, others with up to 10
// significant digits (2603.91, 0.3, 1.2e+12 for huge values), `na` for missing.
inline std::string format_number(double x) {
  if (std::isnan(x)) return "na";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  return fmt::format("{:.10g}", x);
}

}  // namespace sluice
