// Exact mode's decimal arithmetic (see decimal.hpp). Every result is the exact result
// rounded once to 34 significant digits, half to even.
#include "interpreter/numeric/decimal.hpp"
#include "interpreter/numeric/wide_int.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace sluice {

using int128 = decimal::int128;

namespace {

constexpr int max_digits = decimal::digits;

constexpr std::array<int128, 39> make_pow10_128() {
  std::array<int128, 39> p{};
  p[0] = 1;
  for (std::size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 10;
  return p;
}
constexpr std::array<int128, 39> pow10_128 = make_pow10_128();  // 10^0 .. 10^38
const int128 coef_limit = pow10_128[max_digits];                 // 10^34

int128 abs128(int128 x) { return x < 0 ? -x : x; }

int count_leading_zeros(wide::u128 x) {  // of a 128-bit value; 128 for 0
  const auto hi = wide::high64(x), lo = wide::low64(x);
  return hi ? __builtin_clzll(hi) : lo ? 64 + __builtin_clzll(lo) : 128;
}

// Decimal digits of |x| (0 has 1): from the bit length, log10(2) ~ 1233/4096, then one
// comparison with the next power of ten.
int digits_of(int128 x) {
  __extension__ using uint128 = unsigned __int128;
  const auto a = static_cast<uint128>(abs128(x));
  const auto hi = static_cast<std::uint64_t>(a >> 64);
  const auto lo = static_cast<std::uint64_t>(a);
  const int bits = hi ? 128 - __builtin_clzll(hi) : lo ? 64 - __builtin_clzll(lo) : 0;
  int n = std::max(1, bits * 1233 >> 12);  // the digit count or one short of it
  if (n < 39 && abs128(x) >= pow10_128[n]) ++n;
  return n;
}

// Decimal digits of a 256-bit magnitude (0 has 1).
int digits_of(const wide::u256& x) {
  const int bits = x.hi ? 256 - count_leading_zeros(x.hi) : 128 - count_leading_zeros(x.lo);
  if (bits == 0) return 1;
  int n = std::max(1, bits * 1233 >> 12);
  const auto& p = wide::powers_of_ten()[static_cast<std::size_t>(n)];
  if (n < 77 && (x.hi > p.hi || (x.hi == p.hi && x.lo >= p.lo))) ++n;
  return n;
}

wide::u128 magnitude(int128 x) { return static_cast<wide::u128>(abs128(x)); }

}  // namespace

struct decimal_impl {
  static decimal make(int128 coef, std::int64_t exp) {
    decimal d;
    if (coef == 0) return d;
    if (exp > decimal::max_exponent) return decimal::nan();
    if (exp < -decimal::max_exponent) return d;  // underflow to 0
    d.coef_ = coef;
    d.exp_ = static_cast<std::int32_t>(exp);
    return d;
  }

  // Rounds q * 10^exp (q already divided; `rest` the discarded part over `unit`) half to
  // even. rest_sign: the discarded part compared with half a unit (-1 below, 0 tie, 1 above).
  static int128 round_half_even(int128 q, int rest_vs_half, bool negative) {
    const bool odd = (q % 2) != 0;
    if (rest_vs_half > 0 || (rest_vs_half == 0 && odd)) q += negative ? -1 : 1;
    return q;
  }

  // An exact wide value c * 10^exp, rounded to 34 digits. `sticky`: a nonzero amount
  // smaller than one unit of c's last digit was dropped (same sign as c).
  static decimal normalize(int128 c, std::int64_t exp, bool sticky = false) {
    // Fits: kept as it is (a sticky remainder lies below its last digit: nothing to round).
    if (abs128(c) < coef_limit) return make(c, exp);
    const int k = digits_of(c) - max_digits;
    const int128 unit = pow10_128[k];
    // Unsigned division of the magnitude: cheaper than the signed one, same quotient.
    const auto mag_q = magnitude(c) / static_cast<wide::u128>(unit);
    int128 q = c < 0 ? -static_cast<int128>(mag_q) : static_cast<int128>(mag_q);
    const int128 r = abs128(c - q * unit);
    const int128 half = unit / 2;
    const int vs = r > half ? 1 : r < half ? -1 : (sticky ? 1 : 0);
    q = round_half_even(q, vs, c < 0);
    exp += k;
    if (abs128(q) >= coef_limit) {  // 9.99..95 rounded up to 10.00..0
      q /= 10;
      ++exp;
    }
    return make(q, exp);
  }

  // The same for a 256-bit magnitude with a sign (products and quotients of two 34-digit
  // coefficients), without Boost: k <= 38 digits are dropped, so 10^k fits in 128 bits.
  static decimal normalize(const wide::u256& c, bool negative, std::int64_t exp, bool sticky) {
    const int k = digits_of(c) - max_digits;
    if (k <= 0) {
      const auto q = static_cast<int128>(c.lo);
      return make(negative ? -q : q, exp);
    }
    const wide::u128 unit = wide::powers_of_ten()[static_cast<std::size_t>(k)].lo;
    const wide::quotient d = wide::divide(c, unit);
    const wide::u128 half = unit / 2;
    const int vs = d.r > half ? 1 : d.r < half ? -1 : (sticky ? 1 : 0);
    int128 q = static_cast<int128>(d.q);
    if (negative) q = -q;
    q = round_half_even(q, vs, negative);
    exp += k;
    if (abs128(q) >= coef_limit) {
      q /= 10;
      ++exp;
    }
    return make(q, exp);
  }

  // a + b exactly, rounded once.
  static decimal add(const decimal& a, const decimal& b) {
    if (a.nan_ || b.nan_) return decimal::nan();
    if (b.coef_ == 0) return a.coef_ == 0 ? decimal() : a;
    if (a.coef_ == 0) return b;
    if (a.exp_ == b.exp_) return normalize(a.coef_ + b.coef_, a.exp_);
    const decimal& hi = a.exp_ > b.exp_ ? a : b;  // the larger exponent
    const decimal& lo = a.exp_ > b.exp_ ? b : a;
    const std::int64_t d = static_cast<std::int64_t>(hi.exp_) - lo.exp_;
    // Fast path: hi's coefficient scaled to lo's exponent fits in 128 bits.
    if (d <= 38 && abs128(hi.coef_) < pow10_128[38 - d])
      return normalize(hi.coef_ * pow10_128[d] + lo.coef_, lo.exp_);
    // lo wholly below hi's 36th digit: it only decides rounding. Scale hi to 36 digits;
    // lo is less than one unit there, so it becomes a sticky nudge in its direction.
    const int dig_hi = digits_of(hi.coef_);
    const std::int64_t adj_hi = static_cast<std::int64_t>(hi.exp_) + dig_hi;
    const std::int64_t adj_lo = static_cast<std::int64_t>(lo.exp_) + digits_of(lo.coef_);
    const bool negative = hi.coef_ < 0;  // the sum's sign: lo is far smaller (see below)
    if (adj_lo <= adj_hi - 36) {
      const int k = 36 - dig_hi;
      wide::u256 scaled = wide::multiply(wide::powers_of_ten()[static_cast<std::size_t>(k)], magnitude(hi.coef_));
      if ((hi.coef_ < 0) != (lo.coef_ < 0)) scaled = wide::subtract(scaled, {0, 1});  // toward zero
      return normalize(scaled, negative, static_cast<std::int64_t>(hi.exp_) - k, true);
    }
    // Otherwise the exact sum has at most 70 digits. hi scaled is at least 10^38 here (the
    // fast path above took the rest), above any coefficient, so the sum has hi's sign.
    const wide::u256 h = wide::multiply(wide::powers_of_ten()[static_cast<std::size_t>(d)], magnitude(hi.coef_));
    const wide::u256 l{0, magnitude(lo.coef_)};
    const wide::u256 sum = (hi.coef_ < 0) == (lo.coef_ < 0) ? wide::add(h, l) : wide::subtract(h, l);
    return normalize(sum, negative, lo.exp_, false);
  }

  // Sign of a - b, exact (no rounding); 2 when either is NaN.
  static int compare(const decimal& a, const decimal& b) {
    if (a.nan_ || b.nan_) return 2;
    const int sa = a.coef_ > 0 ? 1 : a.coef_ < 0 ? -1 : 0;
    const int sb = b.coef_ > 0 ? 1 : b.coef_ < 0 ? -1 : 0;
    if (sa != sb) return sa < sb ? -1 : 1;
    if (sa == 0) return 0;
    if (a.exp_ == b.exp_) return a.coef_ < b.coef_ ? -1 : a.coef_ > b.coef_ ? 1 : 0;
    // Same sign: compare magnitudes by their adjusted exponents, then aligned coefficients.
    const std::int64_t adj_a = static_cast<std::int64_t>(a.exp_) + digits_of(a.coef_);
    const std::int64_t adj_b = static_cast<std::int64_t>(b.exp_) + digits_of(b.coef_);
    int mag = 0;
    if (adj_a != adj_b) {
      mag = adj_a < adj_b ? -1 : 1;
    } else {
      // Same number of integer digits: the exponent gap is below 34, so scaling fits 256 bits.
      const bool a_hi = a.exp_ > b.exp_;
      const decimal& hi = a_hi ? a : b;
      const decimal& lo = a_hi ? b : a;
      const auto d = static_cast<std::size_t>(static_cast<std::int64_t>(hi.exp_) - lo.exp_);
      const wide::u256 h = wide::multiply(wide::powers_of_ten()[d], magnitude(hi.coef_));
      const wide::u128 l = magnitude(lo.coef_);
      const int c = h.hi != 0 || h.lo > l ? 1 : h.lo < l ? -1 : 0;
      mag = a_hi ? c : -c;
    }
    return sa > 0 ? mag : -mag;
  }

  static decimal mul(const decimal& a, const decimal& b) {
    if (a.nan_ || b.nan_) return decimal::nan();
    if (a.coef_ == 0 || b.coef_ == 0) return decimal();
    const std::int64_t exp = static_cast<std::int64_t>(a.exp_) + b.exp_;
    int128 product;
    if (!__builtin_mul_overflow(a.coef_, b.coef_, &product)) return normalize(product, exp);
    return normalize(wide::multiply(magnitude(a.coef_), magnitude(b.coef_)),
                     (a.coef_ < 0) != (b.coef_ < 0), exp, false);
  }

  // Strips trailing zeros (105000e-5 -> 105e-2) so later operations stay in 128 bits.
  // Only exact results need it: a rounded quotient or root has 34 significant digits
  // anyway, and the value (all that any operation or output depends on) is the same.
  static decimal reduce(decimal d) {
    if (d.nan_ || d.coef_ == 0 || (d.coef_ & 1) != 0) return d;  // odd: no factor of 10
    // In chunks of 16, 8, 4, 2 and 1 zeros: a terminating quotient has up to 34.
    for (const int k : {16, 8, 4, 2, 1}) {
      while (d.exp_ + k <= decimal::max_exponent) {
        const int128 q = d.coef_ / pow10_128[k];
        if (q * pow10_128[k] != d.coef_) break;
        d.coef_ = q;
        d.exp_ += k;
      }
    }
    return d;
  }

  static decimal div(const decimal& a, const decimal& b) {
    if (a.nan_ || b.nan_ || b.coef_ == 0) return decimal::nan();
    if (a.coef_ == 0) return decimal();
    // Scale a so that the integer quotient has 35 or 36 digits; the remainder is sticky.
    const int s = max_digits + 1 + digits_of(b.coef_) - digits_of(a.coef_);
    const std::int64_t exp = static_cast<std::int64_t>(a.exp_) - b.exp_ - s;
    const int digits_num = digits_of(a.coef_) + s;
    if (digits_num <= 38) {
      const int128 num = a.coef_ * pow10_128[s];
      const int128 q = num / b.coef_;
      const bool sticky = num - q * b.coef_ != 0;  // the remainder, without a second division
      return sticky ? normalize(q, exp, true) : reduce(normalize(q, exp));
    }
    // The quotient has at most 36 digits, so it fits in 128 bits: Knuth's division.
    const wide::u256 num = wide::multiply(wide::powers_of_ten()[static_cast<std::size_t>(s)], magnitude(a.coef_));
    const wide::quotient d = wide::divide(num, magnitude(b.coef_));
    const auto q = static_cast<int128>(d.q);
    const int128 signed_q = (a.coef_ < 0) != (b.coef_ < 0) ? -q : q;
    return d.r != 0 ? normalize(signed_q, exp, true) : reduce(normalize(signed_q, exp));
  }

  // floor(sqrt(n)) for n > 0 whose root fits in 128 bits, and whether it is exact. Newton's
  // iteration from a long double estimate raised above the root: from above, each step
  // stays at or above floor(sqrt(n)) and decreases, so the first x with x^2 <= n is the
  // floor. A 64-bit-mantissa estimate leaves one or two divisions; the test of each x is a
  // multiplication.
  static wide::u128 isqrt(const wide::u256& n, bool& exact) {
    using ld = long double;
    const ld approx = std::ldexp(static_cast<ld>(n.hi), 128) + static_cast<ld>(n.lo);
    const ld margin = std::ldexp(ld(1), 8 - std::numeric_limits<ld>::digits);  // above any rounding
    auto x = static_cast<wide::u128>(std::sqrt(approx) * (1 + margin)) + 2;
    while (true) {
      const wide::u256 square = wide::multiply(x, x);
      if (square.hi < n.hi || (square.hi == n.hi && square.lo <= n.lo)) {
        exact = square == n;
        return x;
      }
      x = (x + wide::divide(n, x).q) >> 1;
    }
  }

  static decimal sqrt(const decimal& x) {
    if (x.nan_ || x.coef_ < 0) return decimal::nan();
    if (x.coef_ == 0) return decimal();
    // x = c * 10^e; scale c by 10^s (e - s even) to about 70 digits: the integer root
    // has 35 digits, and the remainder decides the rounding (never a tie: not exact).
    int s = 2 * (max_digits + 1) - digits_of(x.coef_);
    if (((static_cast<std::int64_t>(x.exp_) - s) % 2) != 0) ++s;
    const wide::u256 scaled = wide::multiply(wide::powers_of_ten()[static_cast<std::size_t>(s)], magnitude(x.coef_));
    bool exact = false;
    const wide::u128 root = isqrt(scaled, exact);
    const std::int64_t exp = (static_cast<std::int64_t>(x.exp_) - s) / 2;
    const auto r = static_cast<int128>(root);
    return exact ? reduce(normalize(r, exp)) : normalize(r, exp, true);
  }
};

int decimal::compare(const decimal& a, const decimal& b) { return decimal_impl::compare(a, b); }
decimal operator+(const decimal& a, const decimal& b) { return decimal_impl::add(a, b); }
decimal operator-(const decimal& a, const decimal& b) { return decimal_impl::add(a, -b); }
decimal operator*(const decimal& a, const decimal& b) { return decimal_impl::mul(a, b); }
decimal operator/(const decimal& a, const decimal& b) { return decimal_impl::div(a, b); }
decimal sqrt(const decimal& x) { return decimal_impl::sqrt(x); }
decimal abs(const decimal& x) {
  decimal r = x;
  if (r.coef_ < 0) r.coef_ = -r.coef_;
  return r;
}

std::optional<decimal> decimal::parse(std::string_view s) {
  std::size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  int128 coef = 0;
  int kept = 0;              // significant digits in coef
  std::int64_t exp = 0;      // adjustment from dropped or fractional digits
  int first_dropped = -1;    // the first digit beyond 34, and whether any later one is nonzero
  bool later_nonzero = false;
  bool any_digit = false;
  bool point = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.') {
      if (point) return std::nullopt;
      point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any_digit = true;
    const int digit = c - '0';
    if (kept == 0 && digit == 0) {  // leading zero
      if (point) --exp;
      continue;
    }
    if (kept < max_digits) {
      coef = coef * 10 + digit;
      ++kept;
      if (point) --exp;
    } else {
      if (first_dropped < 0) first_dropped = digit;
      else later_nonzero = later_nonzero || digit != 0;
      if (!point) ++exp;
    }
  }
  if (!any_digit) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
    if (i == s.size()) return std::nullopt;
    std::int64_t e = 0;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      if (e < 1'000'000'000) e = e * 10 + (s[i] - '0');
    }
    exp += exp_negative ? -e : e;
  }
  if (i != s.size()) return std::nullopt;
  if (first_dropped >= 0) {
    const int vs = first_dropped > 5 || (first_dropped == 5 && later_nonzero) ? 1
                   : first_dropped < 5                                        ? -1
                                                                              : 0;
    coef = decimal_impl::round_half_even(coef, vs, false);
    if (coef >= coef_limit) {
      coef /= 10;
      ++exp;
    }
  }
  if (negative) coef = -coef;
  if (coef == 0) return decimal();
  if (exp > max_exponent) return decimal::nan();
  return decimal_impl::make(coef, exp);
}

decimal decimal::from_double(double v) {
  if (v != v) return nan();
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest round trip
  auto d = parse({buf, static_cast<std::size_t>(r.ptr - buf)});
  return d ? *d : nan();  // inf
}

double decimal::to_double() const {
  if (nan_) return std::numeric_limits<double>::quiet_NaN();
  const std::string text = str();
  return std::strtod(text.c_str(), nullptr);
}

std::string decimal::str() const {
  if (nan_) return "na";
  if (coef_ == 0) return "0";
  int128 c = abs128(coef_);
  std::int64_t e = exp_;
  while (c % 10 == 0) {  // no trailing zeros: 2600.00 -> 2600, 1.50 -> 1.5
    c /= 10;
    ++e;
  }
  std::string digits;
  while (c > 0) {
    digits += static_cast<char>('0' + static_cast<int>(c % 10));
    c /= 10;
  }
  std::reverse(digits.begin(), digits.end());
  const auto n = static_cast<std::int64_t>(digits.size());
  const std::int64_t point = n + e;  // digits before the decimal point
  std::string out = coef_ < 0 ? "-" : "";
  // Plain notation up to 40 integer digits or 20 leading fractional zeros.
  if (e >= 0 && point <= 40) {
    out += digits;
    out.append(static_cast<std::size_t>(e), '0');
  } else if (point > 0 && e < 0) {
    out += digits.substr(0, static_cast<std::size_t>(point));
    out += '.';
    out += digits.substr(static_cast<std::size_t>(point));
  } else if (point <= 0 && point > -20) {
    out += "0.";
    out.append(static_cast<std::size_t>(-point), '0');
    out += digits;
  } else {
    out += digits.substr(0, 1);
    if (n > 1) out += '.' + digits.substr(1);
    out += fmt::format("e{}{}", point - 1 >= 0 ? "+" : "-", std::abs(point - 1));
  }
  return out;
}

}  // namespace sluice
