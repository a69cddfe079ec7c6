// The numeric seam: everything the VM does with a number goes through number_traits<Num>,
// so the same VM runs on IEEE double and (exact mode) on a decimal type.
#pragma once
#include <cmath>
#include <limits>
#include <string>

#include <fmt/format.h>

namespace sluice {

template <class Num>
struct number_traits;

template <>
struct number_traits<double> {
  static double na() { return std::numeric_limits<double>::quiet_NaN(); }
  static bool is_na(double x) { return std::isnan(x); }
  static double from_double(double x) { return x; }
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
