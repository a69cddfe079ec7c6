// Moving averages and deviations over windows: sma over bars (a ring) and over calendar
// spans (a deque of the window's points), and stdev (running sums), each with a loop for
// the steady state that batch runs spend nearly all their time in; ema and rsi (running
// averages over bars).
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
void vm<Num>::sma_bars(const instruction& in, const block_view& b, sma_state<Num>& s) {
  using T = number_traits<Num>;
  const Num* x = num(in.a);
  Num* out = num_out(in.d);
  const auto w = static_cast<std::size_t>(in.w.count);
  std::int64_t& defined = s.defined;
  const auto full = static_cast<std::int64_t>(w);
  for (std::size_t i = 0; i < b.size; ++i) {
    const std::int64_t pos = b.first_pos + static_cast<std::int64_t>(i);
    if (defined == full && w > 1 && s.first.seen && s.first.pos <= pos - in.w.count + 1) {
      // Steady state: a warm, full ring of defined values. While defined values come in,
      // the general step below reduces to this loop (same operations in the same order),
      // without its warm-up and na tests.
      Num sum = s.sum;
      std::size_t head = s.oldest;
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
      s.sum = sum;
      s.oldest = head;
      if (i == b.size) break;
    }
    const std::int64_t step_pos = b.first_pos + static_cast<std::int64_t>(i);
    const Num v = x[i];
    if (s.ring.size() < w) {
      s.ring.push_back(v);
    } else {
      Num& leaving = s.ring[s.oldest];
      if (!T::is_na(leaving)) {
        s.sum = s.sum - leaving;
        --defined;
      }
      leaving = v;
      s.oldest = s.oldest + 1 == w ? 0 : s.oldest + 1;
    }
    if (defined == 0) s.sum = Num(0);  // no residue carried into the next window
    if (!T::is_na(v)) {
      if (!s.first.seen) {
        s.first.seen = true;
        s.first.pos = step_pos;
      }
      s.sum = s.sum + v;
      ++defined;
    }
    const bool warm = s.first.seen && s.first.pos <= step_pos - in.w.count + 1;
    out[i] = !warm || defined == 0 ? T::na() : s.sum / Num(defined);
  }
}

// sma over a calendar window (t - w < u <= t): a running sum of the window's defined
// values, its horizons computed ahead (vm::horizons).
template <class Num>
void vm<Num>::sma_calendar(const instruction& in, const block_view& b, sma_state<Num>& s) {
  using T = number_traits<Num>;
  const std::size_t n = b.size;
  const Num na = T::na();
  // The loop works on local copies of the slot's state (stores into the deque would make
  // the compiler reload the slot's fields), with room reserved for the block's points.
  const Num* x = num(in.a);
  Num* out = num_out(in.d);
  s.points.reserve(s.points.size() + n);
  const time_point* horizon = horizons(b, in.w);
  ring_deque<window_entry<Num>> window = std::move(s.points);
  Num sum = s.sum;
  bool has = s.first.seen;
  time_point first_time = s.first.time;
  std::int64_t first_pos = s.first.pos;
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
  s.points = std::move(window);
  s.sum = sum;
  s.first = {has, first_pos, first_time};
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
void vm<Num>::stdev(const instruction& in, const block_view& b, stdev_state<Num>& s) {
  using T = number_traits<Num>;
  const Num na = T::na();
  const Num* x = num(in.a);
  Num* out = num_out(in.d);
  Num& sum = s.sum;
  Num& squares = s.squares;
  Num& k = s.shift;
  if (stdev_block(in, b, s)) return;
  const time_point* horizon = in.w.is_calendar() ? horizons(b, in.w) : nullptr;
  for (std::size_t i = 0; i < b.size; ++i) {
    const std::int64_t pos = b.first_pos + static_cast<std::int64_t>(i);
    const time_point h = horizon ? horizon[i] : 0;
    while (!s.points.empty() && !inside(s.points.front(), in.w, h, pos)) {
      const Num d = s.points.front().value - k;
      sum = sum - d;
      squares = squares - d * d;
      ++s.updates;
      s.points.pop_front();
    }
    const Num v = x[i];
    if (!T::is_na(v)) {
      if (!s.first.seen) s.first = {true, pos, b.times[i]};
      if (s.points.empty()) {  // a new window: no residue carried into it
        k = v;
        sum = squares = Num(0);
        s.updates = 0;
      } else if (v != s.points.back().value) {
        s.last_change = pos;
      }
      s.points.push_back({b.times[i], pos, v});
      const Num d = v - k;
      sum = sum + d;
      squares = squares + d * d;
      ++s.updates;
    }
    if (s.updates > 2 * static_cast<std::int64_t>(s.points.size()) + 32) {
      k = s.points.front().value;
      sum = squares = Num(0);
      for (const auto& e : s.points) {
        const Num d = e.value - k;
        sum = sum + d;
        squares = squares + d * d;
      }
      s.updates = 0;
    }
    const auto m = static_cast<std::int64_t>(s.points.size());
    if (!covered(s.first, in.w, h, pos) || m < 2) {
      out[i] = na;
    } else if (s.last_change <= s.points.front().pos) {
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
bool vm<Num>::stdev_block(const instruction& in, const block_view& b, stdev_state<Num>& s) {
  using T = number_traits<Num>;
  const std::size_t n = b.size;
  const std::int64_t w = in.w.count;
  const auto width = static_cast<std::size_t>(w);
  if (!in.w.is_bars() || w < 2 || n < 32 || !s.first.seen || s.points.size() != width) return false;
  const Num* x = num(in.a);
  if (std::any_of(x, x + n, [](Num v) { return T::is_na(v); })) return false;
  Num* out = num_out(in.d);
  const ring_deque<window_entry<Num>>& before = s.points;  // positions first_pos - w ..
  // The value at block index j (negative: before the block).
  auto value_at = [&](std::int64_t j) {
    return j < 0 ? before[static_cast<std::size_t>(j + w)].value : x[j];
  };
  Num sum = s.sum, squares = s.squares, k = s.shift;
  std::int64_t count = s.updates, last_change = s.last_change;
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
  s.sum = sum;
  s.squares = squares;
  s.shift = k;
  s.updates = count;
  s.last_change = last_change;
  // The window now holds the last w points.
  const std::size_t kept = std::min(n, width);
  for (std::size_t i = 0; i < kept; ++i) s.points.pop_front();
  for (std::size_t i = n - kept; i < n; ++i)
    s.points.push_back({b.times[i], b.first_pos + static_cast<std::int64_t>(i), x[i]});
  return true;
}

template <class Num>
void vm<Num>::ema(const instruction& in, const block_view& b, ema_state<Num>& s) {
  using T = number_traits<Num>;
  const Num* x = num(in.a);
  Num* out = num_out(in.d);
  const Num alpha = Num(2) / Num(in.w.count + 1);
  for (std::size_t i = 0; i < b.size; ++i) {
    if (T::is_na(x[i])) {
      out[i] = T::na();
      continue;
    }
    s.average = s.seen == 0 ? x[i] : s.average + alpha * (x[i] - s.average);
    ++s.seen;
    out[i] = s.seen >= in.w.count ? s.average : T::na();
  }
}

// Wilder's RSI: the first w changes are averaged plainly, later ones smoothed by 1/w.
template <class Num>
void vm<Num>::rsi(const instruction& in, const block_view& b, rsi_state<Num>& s) {
  using T = number_traits<Num>;
  const Num* x = num(in.a);
  Num* out = num_out(in.d);
  const Num len = Num(in.w.count);
  Num& gain_avg = s.average_gain;
  Num& loss_avg = s.average_loss;
  for (std::size_t i = 0; i < b.size; ++i) {
    out[i] = T::na();
    if (T::is_na(x[i])) continue;
    if (!s.has_previous) {
      s.has_previous = true;
      s.previous = x[i];
      continue;
    }
    const Num change = x[i] - s.previous;
    s.previous = x[i];
    const Num gain = change > Num(0) ? change : Num(0);
    const Num loss = change < Num(0) ? -change : Num(0);
    if (s.changes < in.w.count) {
      gain_avg = gain_avg + gain;
      loss_avg = loss_avg + loss;
      if (++s.changes == in.w.count) {
        gain_avg = gain_avg / len;
        loss_avg = loss_avg / len;
      }
    } else {
      gain_avg = (gain_avg * (len - Num(1)) + gain) / len;
      loss_avg = (loss_avg * (len - Num(1)) + loss) / len;
      ++s.changes;
    }
    if (s.changes >= in.w.count) {
      if (loss_avg == Num(0))
        out[i] = gain_avg == Num(0) ? Num(50) : Num(100);
      else
        out[i] = Num(100) - Num(100) / (Num(1) + gain_avg / loss_avg);
    }
  }
}

#define SLUICE_VM_AVERAGES(Num)                                                                \
  template void vm<Num>::sma_bars(const instruction&, const block_view&, sma_state<Num>&);     \
  template void vm<Num>::sma_calendar(const instruction&, const block_view&, sma_state<Num>&); \
  template void vm<Num>::stdev(const instruction&, const block_view&, stdev_state<Num>&);      \
  template void vm<Num>::ema(const instruction&, const block_view&, ema_state<Num>&);          \
  template void vm<Num>::rsi(const instruction&, const block_view&, rsi_state<Num>&);
SLUICE_VM_AVERAGES(double)
SLUICE_VM_AVERAGES(decimal)
#undef SLUICE_VM_AVERAGES

}  // namespace sluice
