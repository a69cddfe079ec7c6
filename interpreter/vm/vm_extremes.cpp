// Extremes over windows: highest and lowest (a monotonic deque), and new highs and lows
// (new_high, new_low): does the value at t beat every value at the
// prior points of the window? Two ways to the same answer: a monotonic deque stepped point
// by point (any window, any block, streaming), and a whole block at once (the usual batch
// case), which avoids the deque's data-dependent branches: van Herk/Gil-Werman for bar
// windows, a sparse table for calendar windows.
#include <algorithm>

#include "interpreter/numeric/decimal.hpp"
#include "interpreter/vm/vm.hpp"
#include "interpreter/vm/vm_window.hpp"

namespace sluice {

namespace {

// The more extreme of two values, and whether v beats the extreme m (strictly: a value
// equal to the window's extreme is not a new high).
template <bool High, class Num>
Num pick(Num a, Num c) {
  if constexpr (High) return c > a ? c : a;
  else return c < a ? c : a;
}
template <bool High, class Num>
bool beats(Num v, Num m) {
  if constexpr (High) return v > m;
  else return v < m;
}

// The sliding extreme of van Herk and Gil-Werman, for the w points before each point of
// the block. The block is cut into segments of w points; prefix[j] is the extreme from j's
// segment start to j, suffix[j] from j to its segment's end (or the block's). The window
// [i - w, i - 1] spans at most two segments, so its extreme is that of suffix[i - w] and
// prefix[i - 1]. A window that starts before the block takes that part from `before`, the
// deque at the block's start: its entries, in position order, are the extremes of the prior
// values from their position on, and it ends at the point just before the block.
template <bool High, class Num>
void block_extremes(const Num* x, std::size_t n, std::size_t w,
                    const ring_deque<window_entry<Num>>& before, std::int64_t first_pos,
                    Num* prefix, Num* suffix, cval* out) {
  for (std::size_t start = 0; start < n; start += w) {
    const std::size_t end = std::min(n, start + w);
    Num m = prefix[start] = x[start];
    for (std::size_t j = start + 1; j < end; ++j) prefix[j] = m = pick<High>(m, x[j]);
    m = suffix[end - 1] = x[end - 1];
    for (std::size_t j = end - 1; j-- > start;) suffix[j] = m = pick<High>(m, x[j]);
  }
  const std::size_t reaching_back = std::min(n, w);
  std::size_t c = 0;
  for (std::size_t i = 0; i < reaching_back; ++i) {
    const std::int64_t from = first_pos + static_cast<std::int64_t>(i) - static_cast<std::int64_t>(w);
    while (before[c].pos < from) ++c;
    const Num m = i == 0 ? before[c].value : pick<High>(before[c].value, prefix[i - 1]);
    out[i] = tri(beats<High>(x[i], m));
  }
  for (std::size_t i = reaching_back; i < n; ++i)
    out[i] = tri(beats<High>(x[i], pick<High>(suffix[i - w], prefix[i - 1])));
}

// Leaves the deque as the stepwise loop would after the block's last point L: the points p
// still inside L's window (`inside(time, pos)`: bars, pos >= L - w; calendar, time >= L's
// horizon) whose value beats every later value up to L, in position order.
template <bool High, class Num, class Inside>
void rebuild_deque(ring_deque<window_entry<Num>>& window, const Num* x, const block_view& b,
                   Inside inside, std::vector<std::size_t>& chain) {
  chain.clear();
  Num best = x[b.size - 1];
  chain.push_back(b.size - 1);
  for (std::size_t j = b.size - 1; j-- > 0 && inside(b.times[j], b.first_pos + static_cast<std::int64_t>(j));)
    if (beats<High>(x[j], best)) {
      best = x[j];
      chain.push_back(j);
    }
  while (!window.empty() && !inside(window.front().time, window.front().pos)) window.pop_front();
  while (!window.empty() && !beats<High>(window.back().value, best)) window.pop_back();
  for (std::size_t k = chain.size(); k-- > 0;) {
    const std::size_t j = chain[k];
    window.push_back({b.times[j], b.first_pos + static_cast<std::int64_t>(j), x[j]});
  }
}

// The same question over calendar windows, whose number of points varies: point i's window
// is the prior points with time >= h[i]. Its part inside the block, [start_i, i - 1], comes
// from a sparse table (levels[k][j]: the extreme of the 2^k points from j; any range is two
// overlapping power-of-two spans), its part before the block from `before` as above (the
// first entry at or after h[i] is the extreme of everything from there on). `levels` needs
// room for n * (1 + floor(log2 n)) values. No data-dependent branch but the cursors'.
template <bool High, class Num>
void calendar_block_extremes(const Num* x, const time_point* times, const time_point* h,
                             std::size_t n, const ring_deque<window_entry<Num>>& before,
                             Num* levels, std::vector<std::size_t>& starts, cval* out) {
  starts.resize(n);
  std::size_t longest = 0;
  for (std::size_t i = 0, start = 0; i < n; ++i) {
    while (times[start] < h[i]) ++start;  // stops at i at the latest: times[i] > h[i]
    starts[i] = start;
    longest = std::max(longest, i - start);
  }
  std::copy(x, x + n, levels);
  std::size_t depth = 0;  // levels built above level 0
  for (std::size_t span = 2; span <= longest; span *= 2, ++depth) {
    Num* lower = levels + depth * n;
    Num* upper = lower + n;
    const std::size_t half = span / 2;
    for (std::size_t j = 0; j + span <= n; ++j) upper[j] = pick<High>(lower[j], lower[j + half]);
  }
  std::size_t c = 0;
  for (std::size_t i = 0; i < n; ++i) {
    while (c < before.size() && before[c].time < h[i]) ++c;
    const bool from_before = c < before.size();
    const std::size_t start = starts[i];
    bool any = from_before;
    Num m = from_before ? before[c].value : x[i];
    if (start < i) {
      const std::size_t length = i - start;
      const unsigned k = static_cast<unsigned>(63 - __builtin_clzll(length));
      const Num* level = levels + k * n;
      const Num inside = pick<High>(level[start], level[i - (std::size_t{1} << k)]);
      m = any ? pick<High>(m, inside) : inside;
      any = true;
    }
    out[i] = any ? tri(beats<High>(x[i], m)) : cval::na;
  }
}

}  // namespace

// A new high (low): the value beats every value at the prior points of the window (bars:
// the w points before t; calendar: t - w <= u < t), kept in a monotonic deque whose front
// is the window's extreme. Without a window, against the extreme of all prior values.
template <class Num>
void vm<Num>::new_extreme(const instruction& in, const block_view& b, new_extreme_state<Num>& s) {
  using T = number_traits<Num>;
  const bool high = in.op == opcode::new_high;
  const auto beats = [high](Num v, Num than) { return high ? v > than : v < than; };
  const Num* x = num(in.a);
  cval* out = cond(in.d);
  const std::size_t n = b.size;
  if (in.w.is_bars() && in.w.count == 0) {
    for (std::size_t i = 0; i < n; ++i) {  // the extreme of all prior defined values
      const Num v = x[i];
      if (T::is_na(v)) {
        out[i] = cval::na;
        continue;
      }
      out[i] = !s.first.seen ? cval::na : tri(beats(v, s.all_time));
      if (!s.first.seen || beats(v, s.all_time)) s.all_time = v;
      s.first.seen = true;
    }
    return;
  }
  if (new_extreme_block(in, b, s)) return;
  const std::int64_t w = in.w.count;
  const time_point* horizon = in.w.is_calendar() ? horizons(b, in.w) : nullptr;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t pos = b.first_pos + static_cast<std::int64_t>(i);
    const Num v = x[i];
    const time_point h = horizon ? horizon[i] : 0;
    while (!s.candidates.empty() &&
           (in.w.is_bars() ? s.candidates.front().pos < pos - w : s.candidates.front().time < h))
      s.candidates.pop_front();
    const bool warm = s.first.seen && (in.w.is_bars() ? s.first.pos <= pos - w : s.first.time <= h);
    if (T::is_na(v) || !warm || s.candidates.empty())
      out[i] = cval::na;
    else
      out[i] = tri(beats(v, s.candidates.front().value));
    if (!T::is_na(v)) {
      if (!s.first.seen) s.first = {true, pos, b.times[i]};
      while (!s.candidates.empty() && !beats(s.candidates.back().value, v)) s.candidates.pop_back();
      s.candidates.push_back({b.times[i], pos, v});
    }
  }
}

// The whole block at once, when that gives the stepwise loop's answer at every point: a
// bar window, warm from the block's first point on, the deque ending at the point just
// before the block, and every value of the block defined. Returns false (and does nothing)
// otherwise. A block of a few points is left to the stepwise loop.
template <class Num>
bool vm<Num>::new_extreme_block(const instruction& in, const block_view& b,
                                new_extreme_state<Num>& s) {
  using T = number_traits<Num>;
  const std::size_t n = b.size;
  if (in.w.is_calendar()) return new_extreme_calendar_block(in, b, s);
  const std::int64_t w = in.w.count;
  if (w < 1 || n < 32 || !s.first.seen || s.first.pos > b.first_pos - w || s.candidates.empty() ||
      s.candidates.back().pos != b.first_pos - 1)
    return false;
  const Num* x = num(in.a);
  if (std::any_of(x, x + n, [](Num v) { return T::is_na(v); })) return false;
  if (scratch_.size() < 2 * n) scratch_.resize(2 * n);
  Num* prefix = scratch_.data();
  Num* suffix = prefix + n;
  const auto width = static_cast<std::size_t>(w);
  const std::int64_t last = b.first_pos + static_cast<std::int64_t>(n) - 1;
  auto inside_bars = [last, w](time_point, std::int64_t pos) { return pos >= last - w; };
  if (in.op == opcode::new_high) {
    block_extremes<true>(x, n, width, s.candidates, b.first_pos, prefix, suffix, cond(in.d));
    rebuild_deque<true>(s.candidates, x, b, inside_bars, chain_);
  } else {
    block_extremes<false>(x, n, width, s.candidates, b.first_pos, prefix, suffix, cond(in.d));
    rebuild_deque<false>(s.candidates, x, b, inside_bars, chain_);
  }
  return true;
}

// Calendar windows by blocks: warm from the block's first point on (then from every point
// on, horizons only grow), the deque ending at the point just before the block, and every
// value of the block defined.
template <class Num>
bool vm<Num>::new_extreme_calendar_block(const instruction& in, const block_view& b,
                                         new_extreme_state<Num>& s) {
  using T = number_traits<Num>;
  const std::size_t n = b.size;
  if (n < 32 || !s.first.seen || s.candidates.empty() || s.candidates.back().pos != b.first_pos - 1)
    return false;
  const Num* x = num(in.a);
  if (std::any_of(x, x + n, [](Num v) { return T::is_na(v); })) return false;
  const time_point* h = horizons(b, in.w);
  if (s.first.time > h[0]) return false;  // not warm yet
  std::size_t depth = 1;
  while ((std::size_t{1} << depth) <= n) ++depth;
  if (scratch_.size() < depth * n) scratch_.resize(depth * n);
  const time_point last_horizon = h[n - 1];
  auto inside_calendar = [last_horizon](time_point t, std::int64_t) { return t >= last_horizon; };
  if (in.op == opcode::new_high) {
    calendar_block_extremes<true>(x, b.times, h, n, s.candidates, scratch_.data(), chain_,
                                  cond(in.d));
    rebuild_deque<true>(s.candidates, x, b, inside_calendar, chain_);
  } else {
    calendar_block_extremes<false>(x, b.times, h, n, s.candidates, scratch_.data(), chain_,
                                   cond(in.d));
    rebuild_deque<false>(s.candidates, x, b, inside_calendar, chain_);
  }
  return true;
}

// highest, lowest: a monotonic deque whose front is the extreme of the window's defined
// values (bars: the last w points; calendar: t - w < u <= t).
template <class Num>
void vm<Num>::rolling_extreme(const instruction& in, const block_view& b,
                              rolling_extreme_state<Num>& s) {
  using T = number_traits<Num>;
  const bool high = in.op == opcode::highest;
  const Num* x = num(in.a);
  Num* out = num_out(in.d);
  const time_point* horizon = in.w.is_calendar() ? horizons(b, in.w) : nullptr;
  auto& window = s.candidates;
  for (std::size_t i = 0; i < b.size; ++i) {
    const std::int64_t pos = b.first_pos + static_cast<std::int64_t>(i);
    const time_point h = horizon ? horizon[i] : 0;
    while (!window.empty() && !inside(window.front(), in.w, h, pos)) window.pop_front();
    if (!T::is_na(x[i])) {
      if (!s.first.seen) s.first = {true, pos, b.times[i]};
      while (!window.empty() && (high ? window.back().value <= x[i] : window.back().value >= x[i]))
        window.pop_back();
      window.push_back({b.times[i], pos, x[i]});
    }
    out[i] = (covered(s.first, in.w, h, pos) && !window.empty()) ? window.front().value : T::na();
  }
}

#define SLUICE_VM_EXTREMES(Num)                                                 \
  template void vm<Num>::new_extreme(const instruction&, const block_view&,     \
                                     new_extreme_state<Num>&);                  \
  template void vm<Num>::rolling_extreme(const instruction&, const block_view&, \
                                         rolling_extreme_state<Num>&);
SLUICE_VM_EXTREMES(double)
SLUICE_VM_EXTREMES(decimal)
#undef SLUICE_VM_EXTREMES

}  // namespace sluice
