// Moving averages and deviations over windows: sma over bars (a ring) and over calendar
// spans (a deque of the window's points), and stdev (running sums), each with a loop for
// the steady state that batch runs spend nearly all their time in.
#include <algorithm>

#include "interpreter/numeric/decimal.hpp"
#include "interpreter/vm/vm.hpp"
#include "interpreter/vm/vm_window.hpp"

namespace sluice {

// sma over the last w bars: a ring of the last w values (na included, growing with the data
// like lag_bars' ring) and the running sum and count of its defined ones. The sum sees the
// same subtractions and additions in the same order as the calendar form's deque, so both
// forms agree to the bit; the ring just avoids a deque entry per point.
template <class Num>
void vm<Num>::sma_bars(const instruction& in, const block_view& b, slot_state<Num>& s) {
  using T = number_traits<Num>;
  const Num* x = num(in.a);
  Num* out = num_out(in.d);
  const auto w = static_cast<std::size_t>(in.w.count);
  std::int64_t& defined = s.extra;  // defined values in the ring
  const auto full = static_cast<std::int64_t>(w);
  for (std::size_t i = 0; i < b.size; ++i) {
    const std::int64_t pos = b.first_pos + static_cast<std::int64_t>(i);
    if (defined == full && w > 1 && s.has && s.pos <= pos - in.w.count + 1) {
      // Steady state: a warm, full ring of defined values. While defined values come in,
      // the general step below reduces to this loop (same operations in the same order),
      // without its warm-up and na tests.
      Num sum = s.x;
      std::size_t head = s.head;
      Num* ring = s.ring.data();
      const Num count = Num(full);
      for (; i < b.size && !T::is_na(x[i]); ++i) {
        const Num v = x[i];
        sum = sum - ring[head];
        ring[head] = v;
        head = head + 1 == w ? 0 : head + 1;
        sum = sum + v;
        out[i] = sum / count;
      }
      s.x = sum;
      s.head = head;
      if (i == b.size) break;
    }
    const std::int64_t step_pos = b.first_pos + static_cast<std::int64_t>(i);
    const Num v = x[i];
    if (s.ring.size() < w) {
      s.ring.push_back(v);
    } else {
      Num& leaving = s.ring[s.head];
      if (!T::is_na(leaving)) {
        s.x = s.x - leaving;
        --defined;
      }
      leaving = v;
      s.head = s.head + 1 == w ? 0 : s.head + 1;
    }
    if (defined == 0) s.x = Num(0);  // no residue carried into the next window
    if (!T::is_na(v)) {
      if (!s.has) {
        s.has = true;
        s.pos = step_pos;
      }
      s.x = s.x + v;
      ++defined;
    }
    const bool warm = s.has && s.pos <= step_pos - in.w.count + 1;
    out[i] = !warm || defined == 0 ? T::na() : s.x / Num(defined);
  }
}

// sma over a calendar window (t - w < u <= t): a running sum of the window's defined
// values, its horizons computed ahead (vm::horizons).
template <class Num>
void vm<Num>::sma_calendar(const instruction& in, const block_view& b, slot_state<Num>& s) {
  using T = number_traits<Num>;
  const std::size_t n = b.size;
  const Num na = T::na();
  // The loop works on local copies of the slot's state (stores into the deque would make
  // the compiler reload the slot's fields), with room reserved for the block's points.
  const Num* x = num(in.a);
  Num* out = num_out(in.d);
  s.window.reserve(s.window.size() + n);
  const time_point* horizon = horizons(b, in.w);
  ring_deque<window_entry<Num>> window = std::move(s.window);
  Num sum = s.x;
  bool has = s.has;
  time_point first_time = s.time;
  std::int64_t first_pos = s.pos;
  for (std::size_t i = 0; i < n; ++i) {
    const time_point t = b.times[i];
    const time_point h = horizon[i];
    while (!window.empty() && window.front().time <= h) {
      sum = sum - window.front().value;
      window.pop_front();
    }
    if (window.empty()) sum = Num(0);  // no residue carried into the next window
    const Num v = x[i];
    if (!T::is_na(v)) {
      const std::int64_t pos = b.first_pos + static_cast<std::int64_t>(i);
      if (!has) {
        has = true;
        first_pos = pos;
        first_time = t;
      }
      window.push_unchecked({t, pos, v});
      sum = sum + v;
    }
    const auto m = static_cast<std::int64_t>(window.size());
    out[i] = !(has && first_time <= h) || m == 0 ? na : sum / Num(m);
  }
  s.window = std::move(window);
  s.x = sum;
  s.has = has;
  s.time = first_time;
  s.pos = first_pos;
}

// Sample standard deviation in O(1) per point, from running sums of the window's values
// shifted by k: s = sum(v - k), q = sum((v - k)^2), var = (m q - s^2) / (m (m - 1)).
// m q - s^2 does not depend on k, so where the sums are exact (values with few binary
// digits, and always in exact mode up to 34 digits) the result is the correctly rounded
// variance, whatever k is; k is kept near the window's values (its first value at each
// re-sum) so that rounding elsewhere stays small. The sums are recomputed from the window
// once they have taken more updates than twice its size, so error cannot accumulate. A
// window whose values are all equal is exactly 0 (last_change).
template <class Num>
void vm<Num>::stdev(const instruction& in, const block_view& b, slot_state<Num>& s) {
  using T = number_traits<Num>;
  const Num na = T::na();
  const Num* x = num(in.a);
  Num* out = num_out(in.d);
  Num& sum = s.x;      // of v - k over the window
  Num& squares = s.y;  // of (v - k)^2 over the window
  Num& k = s.z;
  if (stdev_block(in, b, s)) return;
  const time_point* horizon = in.w.is_calendar() ? horizons(b, in.w) : nullptr;
  for (std::size_t i = 0; i < b.size; ++i) {
    const std::int64_t pos = b.first_pos + static_cast<std::int64_t>(i);
    const time_point h = horizon ? horizon[i] : 0;
    while (!s.window.empty() && !inside(s.window.front(), in.w, h, pos)) {
      const Num d = s.window.front().value - k;
      sum = sum - d;
      squares = squares - d * d;
      ++s.count;
      s.window.pop_front();
    }
    const Num v = x[i];
    if (!T::is_na(v)) {
      if (!s.has) {
        s.has = true;
        s.pos = pos;
        s.time = b.times[i];
      }
      if (s.window.empty()) {  // a new window: no residue carried into it
        k = v;
        sum = squares = Num(0);
        s.count = 0;
      } else if (v != s.window.back().value) {
        s.last_change = pos;
      }
      s.window.push_back({b.times[i], pos, v});
      const Num d = v - k;
      sum = sum + d;
      squares = squares + d * d;
      ++s.count;
    }
    if (s.count > 2 * static_cast<std::int64_t>(s.window.size()) + 32) {
      k = s.window.front().value;
      sum = squares = Num(0);
      for (const auto& e : s.window) {
        const Num d = e.value - k;
        sum = sum + d;
        squares = squares + d * d;
      }
      s.count = 0;
    }
    const auto m = static_cast<std::int64_t>(s.window.size());
    if (!covered(s, in.w, h, pos) || m < 2) {
      out[i] = na;
    } else if (s.last_change <= s.window.front().pos) {
      out[i] = Num(0);  // flat: no value in the window differs from the one before it
    } else {
      const Num var = (Num(m) * squares - sum * sum) / Num(m * (m - 1));
      out[i] = var < Num(0) ? Num(0) : T::sqrt(var);
    }
  }
}


// A whole block of the steady state at once: a bar window already full of defined points
// and every value of the block defined. The steps are the stepwise loop's, in the same
// order, so the results are identical to the bit; but the values leaving the window are
// read from the block itself (or, for its first w points, from the window as the block
// found it), and the window is brought up to date once at the end instead of per point.
template <class Num>
bool vm<Num>::stdev_block(const instruction& in, const block_view& b, slot_state<Num>& s) {
  using T = number_traits<Num>;
  const std::size_t n = b.size;
  const std::int64_t w = in.w.count;
  const auto width = static_cast<std::size_t>(w);
  if (!in.w.is_bars() || w < 2 || n < 32 || !s.has || s.window.size() != width) return false;
  const Num* x = num(in.a);
  if (std::any_of(x, x + n, [](Num v) { return T::is_na(v); })) return false;
  Num* out = num_out(in.d);
  const ring_deque<window_entry<Num>>& before = s.window;  // positions first_pos - w ..
  // The value at block index j (negative: before the block).
  auto value_at = [&](std::int64_t j) {
    return j < 0 ? before[static_cast<std::size_t>(j + w)].value : x[j];
  };
  Num sum = s.x, squares = s.y, k = s.z;
  std::int64_t count = s.count, last_change = s.last_change;
  const Num m = Num(w), pairs = Num(w * (w - 1));
  for (std::size_t i = 0; i < n; ++i) {
    const auto j = static_cast<std::int64_t>(i);
    const std::int64_t pos = b.first_pos + j;
    const Num leaving = value_at(j - w) - k;
    sum = sum - leaving;
    squares = squares - leaving * leaving;
    const Num v = x[i];
    if (v != value_at(j - 1)) last_change = pos;
    const Num d = v - k;
    sum = sum + d;
    squares = squares + d * d;
    count += 2;
    if (count > 2 * w + 32) {  // re-sum the window, front (pos - w + 1) to back (pos)
      k = value_at(j - w + 1);
      sum = squares = Num(0);
      for (std::int64_t u = j - w + 1; u <= j; ++u) {
        const Num e = value_at(u) - k;
        sum = sum + e;
        squares = squares + e * e;
      }
      count = 0;
    }
    if (last_change <= pos - w + 1) {
      out[i] = Num(0);
    } else {
      const Num var = (m * squares - sum * sum) / pairs;
      out[i] = var < Num(0) ? Num(0) : T::sqrt(var);
    }
  }
  s.x = sum;
  s.y = squares;
  s.z = k;
  s.count = count;
  s.last_change = last_change;
  // The window now holds the last w points.
  const std::size_t kept = std::min(n, width);
  for (std::size_t i = 0; i < kept; ++i) s.window.pop_front();
  for (std::size_t i = n - kept; i < n; ++i)
    s.window.push_back({b.times[i], b.first_pos + static_cast<std::int64_t>(i), x[i]});
  return true;
}

template void vm<double>::sma_bars(const instruction&, const block_view&, slot_state<double>&);
template void vm<decimal>::sma_bars(const instruction&, const block_view&, slot_state<decimal>&);
template void vm<double>::sma_calendar(const instruction&, const block_view&, slot_state<double>&);
template void vm<decimal>::sma_calendar(const instruction&, const block_view&, slot_state<decimal>&);
template void vm<double>::stdev(const instruction&, const block_view&, slot_state<double>&);
template void vm<decimal>::stdev(const instruction&, const block_view&, slot_state<decimal>&);

}  // namespace sluice
