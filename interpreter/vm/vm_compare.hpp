// The VM's comparisons (gt, ge, lt, le, eq, ne) and crossings: numeric columns into a
// condition column, na where an operand is na. For doubles, eight points at a time with SSE2:
// GCC 12 does not vectorize the narrowing from 8-byte comparisons to 1-byte conditions in
// any form tried, and W1's four comparisons were a fifth of the VM's element-wise time.
#pragma once
#include <array>
#include <cstdint>
#include <cstring>

#include "interpreter/number.hpp"
#include "interpreter/vm/vm.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sluice {

enum class comparison { gt, ge, lt, le, eq, ne };

template <comparison C, class T>
bool holds(const T& x, const T& y) {
  if constexpr (C == comparison::gt) return x > y;
  if constexpr (C == comparison::ge) return x >= y;
  if constexpr (C == comparison::lt) return x < y;
  if constexpr (C == comparison::le) return x <= y;
  if constexpr (C == comparison::eq) return x == y;
  if constexpr (C == comparison::ne) return x != y;
}

// One point at a time, for any number type.
template <comparison C, class Num>
void compare_points(const Num* x, const Num* y, cval* out, std::size_t n) {
  using T = number_traits<Num>;
  for (std::size_t i = 0; i < n; ++i)
    out[i] = (T::is_na(x[i]) || T::is_na(y[i])) ? cval::na : tri(holds<C>(x[i], y[i]));
}

#if defined(__SSE2__)
namespace compare_detail {

template <comparison C>
__m128d holds2(__m128d x, __m128d y) {
  if constexpr (C == comparison::gt) return _mm_cmpgt_pd(x, y);
  if constexpr (C == comparison::ge) return _mm_cmpge_pd(x, y);
  if constexpr (C == comparison::lt) return _mm_cmplt_pd(x, y);
  if constexpr (C == comparison::le) return _mm_cmple_pd(x, y);
  if constexpr (C == comparison::eq) return _mm_cmpeq_pd(x, y);
  if constexpr (C == comparison::ne) return _mm_cmpneq_pd(x, y);
}

// spread[b]: byte k is bit k of b (0 or 1), so that eight comparison bits become eight
// condition bytes in one load.
constexpr std::array<std::uint64_t, 256> make_spread() {
  std::array<std::uint64_t, 256> table{};
  for (unsigned b = 0; b < 256; ++b)
    for (unsigned k = 0; k < 8; ++k)
      if (b & (1u << k)) table[b] |= std::uint64_t{1} << (8 * k);
  return table;
}
inline constexpr std::array<std::uint64_t, 256> spread = make_spread();

}  // namespace compare_detail

// Doubles: per pair of points one comparison and one unordered test (na is NaN), their
// sign bits gathered by movemask; a point is na (2) where unordered, else its comparison
// (0 or 1). Conditions are bytes in point order, so the eight bytes are stored little-endian.
template <comparison C>
void compare_doubles(const double* x, const double* y, cval* out, std::size_t n) {
  using compare_detail::holds2;
  using compare_detail::spread;
  static_assert(sizeof(cval) == 1);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    unsigned yes = 0, na = 0;
    for (unsigned k = 0; k < 4; ++k) {  // unrolled by the compiler
      const __m128d a = _mm_loadu_pd(x + i + 2 * k), b = _mm_loadu_pd(y + i + 2 * k);
      yes |= static_cast<unsigned>(_mm_movemask_pd(holds2<C>(a, b))) << (2 * k);
      na |= static_cast<unsigned>(_mm_movemask_pd(_mm_cmpunord_pd(a, b))) << (2 * k);
    }
    const std::uint64_t bytes = spread[yes & ~na & 0xffu] | (spread[na] << 1);
    static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
    std::memcpy(out + i, &bytes, sizeof bytes);
  }
  compare_points<C>(x + i, y + i, out + i, n - i);
}

// Crossings of doubles over a block, from its second point on (the first needs the
// previous block's operands): x crosses above y at i when x[i] > y[i] and x[i-1] <= y[i-1]
// (below: < and >=), na where any of the four is na. Returns the first point not done.
template <bool Above>
std::size_t cross_doubles(const double* x, const double* y, cval* out, std::size_t n) {
  using compare_detail::spread;
  std::size_t i = 1;
  for (; i + 8 <= n; i += 8) {
    unsigned yes = 0, na = 0;
    for (unsigned k = 0; k < 4; ++k) {
      const std::size_t at = i + 2 * k;
      const __m128d a = _mm_loadu_pd(x + at), b = _mm_loadu_pd(y + at);
      const __m128d pa = _mm_loadu_pd(x + at - 1), pb = _mm_loadu_pd(y + at - 1);
      const __m128d now = Above ? _mm_cmpgt_pd(a, b) : _mm_cmplt_pd(a, b);
      const __m128d before = Above ? _mm_cmple_pd(pa, pb) : _mm_cmpge_pd(pa, pb);
      yes |= static_cast<unsigned>(_mm_movemask_pd(_mm_and_pd(now, before))) << (2 * k);
      na |= static_cast<unsigned>(_mm_movemask_pd(_mm_or_pd(_mm_cmpunord_pd(a, b), _mm_cmpunord_pd(pa, pb))))
            << (2 * k);
    }
    const std::uint64_t bytes = spread[yes & ~na & 0xffu] | (spread[na] << 1);
    std::memcpy(out + i, &bytes, sizeof bytes);
  }
  return i;
}
#endif

}  // namespace sluice
