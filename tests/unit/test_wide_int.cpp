// The 256-bit helpers behind exact mode's division and square root (wide_int.hpp), checked
// against Boost's unbounded cpp_int on random and edge-case operands; then decimal addition,
// division and square root checked for correct rounding with exact integer arithmetic, which is
// independent of how either is computed.
#include <catch2/catch.hpp>

#include <boost/multiprecision/cpp_int.hpp>
#include <random>

#include "interpreter/numeric/decimal.hpp"
#include "interpreter/numeric/wide_int.hpp"

using namespace sluice;
using big = boost::multiprecision::cpp_int;
using wide::u128;
using wide::u256;

namespace {

big to_big(u128 x) {
  big r = static_cast<std::uint64_t>(x >> 64);
  r <<= 64;
  r += static_cast<std::uint64_t>(x);
  return r;
}

big to_big(const u256& x) {
  big r = to_big(x.hi);
  r <<= 128;
  r += to_big(x.lo);
  return r;
}

// Random 128-bit values with random bit lengths, so that every branch (one-limb and
// two-limb divisors, shifts of 0 to 63) comes up often.
u128 random_u128(std::mt19937_64& rng, int max_bits = 128) {
  const int bits = static_cast<int>(rng() % static_cast<std::uint64_t>(max_bits)) + 1;
  u128 x = (static_cast<u128>(rng()) << 64) | rng();
  if (bits < 128) x &= (static_cast<u128>(1) << bits) - 1;
  return x;
}

big pow10(int k) {
  big r = 1;
  for (int i = 0; i < k; ++i) r *= 10;
  return r;
}

// The exact value of a decimal as num / den (both integers).
void exact_parts(const decimal& d, big& num, big& den) {
  num = 0;
  const auto c = d.coefficient();
  num = to_big(static_cast<u128>(c < 0 ? -c : c));
  if (c < 0) num = -num;
  den = 1;
  if (d.exponent() >= 0) num *= pow10(d.exponent());
  else den = pow10(-d.exponent());
}

// One unit in the last of 34 places of |x| (x != 0), as num / den.
void ulp_of(const decimal& x, big& num, big& den) {
  const auto c = x.coefficient();
  const big mag = to_big(static_cast<u128>(c < 0 ? -c : c));
  const int digits = static_cast<int>(mag.str().size());
  const int e = x.exponent() + digits - decimal::digits;  // the exponent of the 34th digit
  num = 1;
  den = 1;
  if (e >= 0) num = pow10(e);
  else den = pow10(-e);
}

decimal random_decimal(std::mt19937_64& rng) {
  const int digits = static_cast<int>(rng() % 34) + 1;
  std::string text;
  for (int i = 0; i < digits; ++i) text += static_cast<char>('0' + (i == 0 ? 1 + rng() % 9 : rng() % 10));
  text += "e" + std::to_string(static_cast<int>(rng() % 41) - 20);
  if (rng() % 2) text = "-" + text;
  return *decimal::parse(text);
}

}  // namespace

TEST_CASE("wide multiply and divide agree with unbounded integers", "[exact][wide]") {
  std::mt19937_64 rng(20261125);
  for (int i = 0; i < 200000; ++i) {
    const u128 a = random_u128(rng), b = random_u128(rng);
    REQUIRE(to_big(wide::multiply(a, b)) == to_big(a) * to_big(b));

    // n / d with n.hi < d, so the quotient fits in 128 bits.
    const u128 d = random_u128(rng) | 1;
    u256 n;
    n.hi = random_u128(rng) % d;
    n.lo = random_u128(rng);
    const wide::quotient q = wide::divide(n, d);
    const big bn = to_big(n), bd = to_big(d);
    REQUIRE(to_big(q.q) == bn / bd);
    REQUIRE(to_big(q.r) == bn % bd);
  }
  // Edges: the largest quotient, divisors at the one/two-limb boundary and with the top bit set.
  const u128 max = ~static_cast<u128>(0);
  for (const u128 d : {u128(1), u128(10), (u128(1) << 64) - 1, u128(1) << 64, (u128(1) << 64) + 1,
                       max, max >> 1, (max >> 1) + 1, u128(3) << 100}) {
    const u256 n{d - 1, max};
    const wide::quotient q = wide::divide(n, d);
    CHECK(to_big(q.q) == to_big(n) / to_big(d));
    CHECK(to_big(q.r) == to_big(n) % to_big(d));
  }
  for (int k = 0; k < 77; ++k) CHECK(to_big(wide::powers_of_ten()[static_cast<std::size_t>(k)]) == pow10(k));
}

TEST_CASE("decimal addition, division and square root are correctly rounded to 34 digits", "[exact][wide]") {
  std::mt19937_64 rng(77);
  for (int i = 0; i < 20000; ++i) {
    const decimal a = random_decimal(rng), b = random_decimal(rng);
    // q = a / b rounded: |q - a/b| <= ulp(q) / 2, and on a tie q's last digit is even.
    const decimal q = a / b;
    big an, ad, bn, bd, qn, qd, un, ud;
    exact_parts(a, an, ad);
    exact_parts(b, bn, bd);
    exact_parts(q, qn, qd);
    ulp_of(q, un, ud);
    // q - a/b = (qn*ad*bn - an*bd*qd) / (qd*ad*bn); compare twice its size with the ulp.
    const big error = qn * ad * bn - an * bd * qd;
    const big scale = qd * ad * bn;
    const big lhs = abs(error) * 2 * ud, rhs = un * abs(scale);
    INFO(a.str() << " / " << b.str() << " = " << q.str());
    REQUIRE(lhs <= rhs);
    if (lhs == rhs) REQUIRE(q.coefficient() % 2 == 0);

    // s = a + b and a - b rounded: |s - exact| <= ulp(s) / 2, and on a tie s's last digit
    // is even. In units of 1/(ad bd sd): s - (a + b) = (sn ad bd - (an bd + bn ad) sd) / ....
    for (const decimal& bb : {b, -b}) {
      const decimal sum = a + bb;
      if (sum.coefficient() == 0) continue;  // only an exact cancellation gives 0
      big cn, cd;
      exact_parts(bb, cn, cd);
      big sn, sd;
      exact_parts(sum, sn, sd);
      ulp_of(sum, un, ud);
      const big err = sn * ad * cd - (an * cd + cn * ad) * sd;
      const big lhs2 = abs(err) * 2 * ud, rhs2 = un * ad * cd * sd;
      INFO(a.str() << " + " << bb.str() << " = " << sum.str());
      REQUIRE(lhs2 <= rhs2);
      if (lhs2 == rhs2) REQUIRE(sum.coefficient() % 2 == 0);
    }

    // r = sqrt(|a|): (r - ulp/2)^2 < |a| < (r + ulp/2)^2 unless r is exact.
    const decimal x = abs(a);
    const decimal r = sqrt(x);
    big xn, xd, rn, rd;
    exact_parts(x, xn, xd);
    exact_parts(r, rn, rd);
    ulp_of(r, un, ud);
    // In units of 1/(2 rd ud): r +- ulp/2 = (2 rn ud +- un rd) / (2 rd ud).
    const big lo = 2 * rn * ud - un * rd, hi = 2 * rn * ud + un * rd, den = 2 * rd * ud;
    INFO("sqrt " << x.str() << " = " << r.str());
    REQUIRE(lo * lo * xd <= xn * den * den);
    REQUIRE(xn * den * den <= hi * hi * xd);
  }
}
