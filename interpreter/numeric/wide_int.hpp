// Unsigned 256-bit values built from two unsigned __int128 halves, with exactly the
// operations exact mode needs: a 128 x 128 -> 256 product, a product with a power of ten,
// addition, subtraction, and the division of a 256-bit value by a 128-bit one whose quotient fits
// in 128 bits (Knuth's algorithm D on 64-bit limbs). Decimal arithmetic runs on these
// instead of Boost's general int256 (whose division was most of its cost).
#pragma once
#include <array>
#include <cstdint>

namespace sluice::wide {

__extension__ using u128 = unsigned __int128;

struct u256 {
  u128 hi = 0, lo = 0;
  friend bool operator==(const u256&, const u256&) = default;
};

constexpr std::uint64_t low64(u128 x) { return static_cast<std::uint64_t>(x); }
constexpr std::uint64_t high64(u128 x) { return static_cast<std::uint64_t>(x >> 64); }

// a * b, exactly.
constexpr u256 multiply(u128 a, u128 b) {
  const u128 a0 = low64(a), a1 = high64(a), b0 = low64(b), b1 = high64(b);
  const u128 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  // The middle column: the high half of p00 plus the low halves of the cross products.
  const u128 middle = (p00 >> 64) + low64(p01) + low64(p10);
  u256 r;
  r.lo = (middle << 64) | low64(p00);
  r.hi = p11 + (p01 >> 64) + (p10 >> 64) + (middle >> 64);
  return r;
}

// a * b modulo 2^256 (callers know the product fits).
constexpr u256 multiply(const u256& a, u128 b) {
  u256 r = multiply(a.lo, b);
  r.hi += a.hi * b;
  return r;
}

// a + b modulo 2^256, and a - b for a >= b.
constexpr u256 add(const u256& a, const u256& b) {
  u256 r;
  r.lo = a.lo + b.lo;
  r.hi = a.hi + b.hi + (r.lo < a.lo ? 1 : 0);
  return r;
}
constexpr u256 subtract(const u256& a, const u256& b) {
  u256 r;
  r.lo = a.lo - b.lo;
  r.hi = a.hi - b.hi - (a.lo < b.lo ? 1 : 0);
  return r;
}

// 10^0 .. 10^76, every power of ten below 2^256.
inline const std::array<u256, 77>& powers_of_ten() {
  static const std::array<u256, 77> table = [] {
    std::array<u256, 77> t{};
    t[0].lo = 1;
    for (std::size_t i = 1; i < t.size(); ++i) t[i] = multiply(t[i - 1], 10);
    return t;
  }();
  return table;
}

struct quotient {
  u128 q = 0, r = 0;
};

// n / d and n % d for d != 0 and n.hi < d (so the quotient fits in 128 bits).
inline quotient divide(const u256& n, u128 d) {
  quotient out;
  if (high64(d) == 0) {  // a one-limb divisor: schoolbook on 64-bit limbs, n.hi < d < 2^64
    const std::uint64_t d64 = low64(d);
    u128 rem = n.hi;  // < d
    const u128 part1 = (rem << 64) | high64(n.lo);
    const std::uint64_t q1 = low64(part1 / d64);
    rem = part1 % d64;
    const u128 part0 = (rem << 64) | low64(n.lo);
    const std::uint64_t q0 = low64(part0 / d64);
    out.q = (static_cast<u128>(q1) << 64) | q0;
    out.r = part0 % d64;
    return out;
  }
  // Two-limb divisor: shift both so that d's top bit is set; each quotient limb is then
  // estimated from the top limbs and is at most 2 too large (Knuth, TAOCP 4.3.1).
  const int shift = __builtin_clzll(high64(d));
  const u128 dn = d << shift;
  const std::uint64_t d1 = high64(dn), d0 = low64(dn);
  u256 nn = n;
  if (shift) {
    nn.hi = (n.hi << shift) | (n.lo >> (128 - shift));
    nn.lo = n.lo << shift;
  }
  u128 rem = nn.hi;  // < dn, because n.hi < d
  const std::uint64_t limbs[2] = {high64(nn.lo), low64(nn.lo)};
  std::uint64_t qlimbs[2];
  for (int j = 0; j < 2; ++j) {
    // current = rem * 2^64 + limb (192 bits): (chi, clo).
    const std::uint64_t chi = high64(rem);
    const u128 clo = (rem << 64) | limbs[j];
    std::uint64_t qhat = chi >= d1 ? ~std::uint64_t{0} : low64(rem / d1);
    // product = qhat * dn (192 bits): (phi, plo).
    const u128 a = static_cast<u128>(qhat) * d0, b = static_cast<u128>(qhat) * d1;
    u128 plo = a + (b << 64);
    std::uint64_t phi = high64(b) + (plo < a ? 1 : 0);
    while (phi > chi || (phi == chi && plo > clo)) {  // qhat too large: one dn less
      --qhat;
      const bool borrow = plo < dn;
      plo -= dn;
      phi -= borrow ? 1 : 0;
    }
    qlimbs[j] = qhat;
    rem = clo - plo;  // the true remainder, below dn: the high limbs cancel
  }
  out.q = (static_cast<u128>(qlimbs[0]) << 64) | qlimbs[1];
  out.r = rem >> shift;
  return out;
}

}  // namespace sluice::wide
