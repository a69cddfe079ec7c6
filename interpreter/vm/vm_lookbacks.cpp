// Lookbacks: the value w bars ago (lag_bars) and the value at the last point at or before
// t - w (lag_time).
#include <algorithm>

#include "interpreter/numeric/decimal.hpp"
#include "interpreter/vm/vm.hpp"

namespace sluice {

// The ring grows with the data up to w values, so a long window over short data costs
// memory for the data only (a million-bar lag does not allocate 8 MB upfront).
template <class Num>
void vm<Num>::lag_bars(const instruction& in, const block_view& b, lag_ring_state<Num>& s) {
  const Num na = number_traits<Num>::na();
  const std::size_t n = b.size;
  const Num* x = num(in.a);
  Num* out = num_out(in.d);
  const auto w = static_cast<std::size_t>(in.w.count);
  std::size_t i = 0;
  for (; i < n && s.values.size() < w; ++i) {
    out[i] = na;
    s.values.push_back(x[i]);
  }
  // A full ring: values[oldest] is the value w points back. Swapped in runs up to the
  // ring's end, loops without a wrap test that the compiler turns into vector copies.
  while (i < n) {
    Num* ring = s.values.data() + s.oldest;
    const std::size_t run = std::min(n - i, w - s.oldest);
    for (std::size_t j = 0; j < run; ++j) {
      out[i + j] = ring[j];
      ring[j] = x[i + j];
    }
    i += run;
    s.oldest = s.oldest + run == w ? 0 : s.oldest + run;
  }
}

template <class Num>
void vm<Num>::lag_time(const instruction& in, const block_view& b, lag_time_state<Num>& s) {
  const Num na = number_traits<Num>::na();
  const Num* x = num(in.a);
  Num* out = num_out(in.d);
  const time_point* horizon = horizons(b, in.w);
  for (std::size_t i = 0; i < b.size; ++i) {
    const time_point h = horizon[i];
    s.points.push_back({b.times[i], b.first_pos + static_cast<std::int64_t>(i), x[i]});
    while (s.points.size() >= 2 && s.points[1].time <= h) s.points.pop_front();
    out[i] = s.points.front().time <= h ? s.points.front().value : na;
  }
}

#define SLUICE_VM_LOOKBACKS(Num)                                                                \
  template void vm<Num>::lag_bars(const instruction&, const block_view&, lag_ring_state<Num>&); \
  template void vm<Num>::lag_time(const instruction&, const block_view&, lag_time_state<Num>&);
SLUICE_VM_LOOKBACKS(double)
SLUICE_VM_LOOKBACKS(decimal)
#undef SLUICE_VM_LOOKBACKS

}  // namespace sluice
