// Exact mode's natural logarithm (see decimal.hpp), apart from the arithmetic because it
// is the one operation that goes through Boost's cpp_dec_float.
// GCC 12 at -O3 reports a false -Wrestrict inside Boost's float formatting (libstdc++'s
// string copy, GCC bug 105329); nothing in this file copies overlapping memory.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <boost/multiprecision/cpp_dec_float.hpp>

#include "interpreter/numeric/decimal.hpp"

namespace sluice {

decimal log(const decimal& x) {
  if (x.is_nan() || !(x > decimal(0))) return decimal::nan();
  // Transcendental: computed in Boost's cpp_dec_float (64 internal digits), then rounded
  // to 34 through its text.
  using big = boost::multiprecision::number<boost::multiprecision::cpp_dec_float<50>,
                                            boost::multiprecision::et_off>;
  const big v(x.str());
  const big l = boost::multiprecision::log(v);
  auto d = decimal::parse(l.str(decimal::digits + 6, std::ios_base::scientific));
  return d ? *d : decimal::nan();
}

}  // namespace sluice
