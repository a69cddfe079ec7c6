// Exact mode's number type: a decimal floating-point number with 34 significant digits,
// each operation correctly rounded (half to even), like IEEE 754 decimal128. The VM runs
// on it through number_traits<decimal> (see number.hpp); docs/exact.md says why it is not
// a bare cpp_dec_float.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "interpreter/number.hpp"

namespace sluice {

// value = coef * 10^exp with |coef| < 10^34, or NaN (`na`). Not normalized: 2600.00 is
// 260000e-2 and compares equal to 2600e0. Arithmetic on __int128 when the operands fit,
// on 256-bit values (wide_int.hpp) otherwise; `log` goes through Boost's cpp_dec_float.
class decimal {
 public:
  __extension__ using int128 = __int128;
  static constexpr int digits = 34;  // significant digits kept by every operation
  // Exponents beyond this overflow to na and below -max_exponent underflow to 0; no
  // market number comes near (decimal128 itself stops at 10^6144).
  static constexpr std::int32_t max_exponent = 6000;

  constexpr decimal() = default;
  constexpr decimal(int v) : coef_(v) {}  // NOLINT: integers convert exactly, like double
  constexpr decimal(long v) : coef_(v) {}  // NOLINT
  constexpr decimal(long long v) : coef_(v) {}  // NOLINT
  constexpr decimal(unsigned long v) : coef_(v) {}  // NOLINT
  constexpr decimal(unsigned long long v) : coef_(v) {}  // NOLINT

  static constexpr decimal nan() {
    decimal d;
    d.nan_ = true;
    return d;
  }
  // Decimal text (`-12.5`, `2.6e3`, `.5`, `+3`), rounded to 34 significant digits;
  // nullopt for anything else (no `nan`, `inf`, thousands separators or spaces).
  static std::optional<decimal> parse(std::string_view text);
  // A double's shortest round-trip text (0.1 -> 0.1), for values a host hands over.
  static decimal from_double(double v);
  double to_double() const;

  bool is_nan() const { return nan_; }
  bool is_zero() const { return !nan_ && coef_ == 0; }
  // The exact value: plain notation for exponents people read (2612.48, 0.3,
  // 0.0000001), scientific beyond (1.5e+40); no trailing zeros; `na` for NaN.
  std::string str() const;

  friend decimal operator+(const decimal& a, const decimal& b);
  friend decimal operator-(const decimal& a, const decimal& b);
  friend decimal operator*(const decimal& a, const decimal& b);
  friend decimal operator/(const decimal& a, const decimal& b);  // x / 0 is NaN
  friend decimal operator-(const decimal& a) {
    decimal r = a;
    r.coef_ = -r.coef_;
    return r;
  }
  // Comparisons with NaN are false (!= is true), as with double.
  friend bool operator==(const decimal& a, const decimal& b) { return compare(a, b) == 0; }
  friend bool operator!=(const decimal& a, const decimal& b) { return !(a == b); }
  friend bool operator<(const decimal& a, const decimal& b) { return compare(a, b) == -1; }
  friend bool operator>(const decimal& a, const decimal& b) { return compare(a, b) == 1; }
  friend bool operator<=(const decimal& a, const decimal& b) {
    const int c = compare(a, b);
    return c == -1 || c == 0;
  }
  friend bool operator>=(const decimal& a, const decimal& b) {
    const int c = compare(a, b);
    return c == 1 || c == 0;
  }

  friend decimal sqrt(const decimal& x);  // correctly rounded; negative -> NaN
  friend decimal log(const decimal& x);   // 34 digits; x <= 0 -> NaN
  friend decimal abs(const decimal& x);

  int128 coefficient() const { return coef_; }
  std::int32_t exponent() const { return exp_; }

 private:
  // -1, 0, 1, or 2 when either is NaN.
  static int compare(const decimal& a, const decimal& b);
  friend struct decimal_impl;

  int128 coef_ = 0;
  std::int32_t exp_ = 0;
  bool nan_ = false;
};

decimal sqrt(const decimal& x);
decimal log(const decimal& x);
decimal abs(const decimal& x);

template <>
struct number_traits<decimal> {
  static decimal na() { return decimal::nan(); }
  static bool is_na(const decimal& x) { return x.is_nan(); }
  static decimal from_double(double x) { return decimal::from_double(x); }
  // Literals: from their decimal text, never via double.
  static decimal from_constant(double, const std::string& text) {
    auto d = decimal::parse(text);
    return d ? *d : decimal::nan();
  }
  // CSV cells and other inputs: decimal text; NaN when not a number.
  static decimal from_text(std::string_view text) {
    auto d = decimal::parse(text);
    return d ? *d : decimal::nan();
  }
  static double to_double(const decimal& x) { return x.to_double(); }
  static decimal sqrt(const decimal& x) { return sluice::sqrt(x); }
  static decimal log(const decimal& x) { return sluice::log(x); }
  static decimal abs(const decimal& x) { return sluice::abs(x); }
};

// The exact decimal, `na` for missing (the double overload rounds to 10 digits).
inline std::string format_number(const decimal& x) { return x.str(); }

}  // namespace sluice

// fmt::format("{}", d) prints the exact decimal (d.str()).
template <>
struct fmt::formatter<sluice::decimal> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(const sluice::decimal& d, Context& ctx) const {
    const std::string s = d.str();
    return fmt::formatter<std::string_view>::format(std::string_view(s), ctx);
  }
};
