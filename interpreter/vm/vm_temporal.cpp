// Operators over time on conditions: crossings, `for`, `within`, `followed by`, and the
// rule edge that records firings (fire).
#include <cstring>
#include <limits>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "interpreter/numeric/decimal.hpp"
#include "interpreter/vm/vm.hpp"
#include "interpreter/vm/vm_compare.hpp"

namespace sluice {

// cross_above, cross_below. The previous operands are carried in locals: stored into the
// state, they would be reloaded after every store (its numbers may alias the operand columns).
template <class Num>
void vm<Num>::crossing(const instruction& in, const block_view& b, crossing_state<Num>& s) {
  using T = number_traits<Num>;
  const std::size_t n = b.size;
  const bool above = in.op == opcode::cross_above;
  const Num* x = num(in.a);
  const Num* y = num(in.b);
  cval* out = cond(in.d);
  Num px = s.previous_a, py = s.previous_b;
  bool had = s.has_previous;
  auto crossing = [&](Num xi, Num yi) {
    if (!had || T::is_na(xi) || T::is_na(yi) || T::is_na(px) || T::is_na(py)) return cval::na;
    return above ? tri(xi > yi && px <= py) : tri(xi < yi && px >= py);
  };
  std::size_t i = 0;
#if defined(__SSE2__)
  if constexpr (std::is_same_v<Num, double>) {
    if (n >= 9) {  // the first point needs the previous block's operands
      out[0] = crossing(x[0], y[0]);
      i = above ? cross_doubles<true>(x, y, out, n) : cross_doubles<false>(x, y, out, n);
      px = x[i - 1];
      py = y[i - 1];
      had = true;
    }
  }
#endif
  for (; i < n; ++i) {
    out[i] = crossing(x[i], y[i]);
    px = x[i];
    py = y[i];
    had = true;
  }
  s.previous_a = px;
  s.previous_b = py;
  s.has_previous = had;
}

// for: the operand held at every point since the last point <= t - w (bars: the last w).
template <class Num>
void vm<Num>::held_for(const instruction& in, const block_view& b, streak_state& s) {
  const cval* x = cond(in.a);
  cval* out = cond(in.d);
  const time_point* horizon = in.w.is_calendar() ? horizons(b, in.w) : nullptr;
  for (std::size_t i = 0; i < b.size; ++i) {
    if (x[i] == cval::yes) {
      if (!s.running) {
        s.running = true;
        s.start = b.times[i];
        s.length = 0;
      }
      ++s.length;
    } else {
      s.running = false;
      s.length = 0;
    }
    out[i] = tri(s.running && (in.w.is_bars() ? s.length >= in.w.count : s.start <= horizon[i]));
  }
}

// within: the operand held at some point u, t - w <= u <= t. The last such point is kept
// in locals during the loop.
template <class Num>
void vm<Num>::within(const instruction& in, const block_view& b, last_held_state& s) {
  const cval* x = cond(in.a);
  cval* out = cond(in.d);
  bool held = s.held;
  time_point held_time = s.time;
  std::int64_t held_pos = s.pos;
  if (in.w.is_bars()) {
    for (std::size_t i = 0; i < b.size; ++i) {  // selects, as in followed_by
      const std::int64_t pos = b.first_pos + static_cast<std::int64_t>(i);
      const bool holds = x[i] == cval::yes;
      held |= holds;
      held_pos = holds ? pos : held_pos;
      out[i] = tri(held & (pos - held_pos <= in.w.count));
    }
  } else {
    const time_point* horizon = horizons(b, in.w);
    for (std::size_t i = 0; i < b.size; ++i) {
      if (x[i] == cval::yes) {
        held = true;
        held_time = b.times[i];
      }
      out[i] = tri(held && held_time >= horizon[i]);
    }
  }
  s.held = held;
  s.time = held_time;
  s.pos = held_pos;
}

// followed_by: the second part holds now and the first held at some u, t - w <= u < t; the
// state is the last point strictly before t where the first part held.
template <class Num>
void vm<Num>::followed_by(const instruction& in, const block_view& b, last_held_state& s) {
  const cval* first = cond(in.a);
  const cval* then = cond(in.b);
  cval* out = cond(in.d);
  bool held = s.held;
  time_point held_time = s.time;
  std::int64_t held_pos = s.pos;
  if (in.w.is_bars()) {
    // Without branches on the data (the first part holds at about every other point of a
    // typical rule): selects instead of ifs.
    for (std::size_t i = 0; i < b.size; ++i) {
      const std::int64_t pos = b.first_pos + static_cast<std::int64_t>(i);
      out[i] = tri((then[i] == cval::yes) & held & (pos - held_pos <= in.w.count));
      const bool starts = first[i] == cval::yes;
      held |= starts;
      held_pos = starts ? pos : held_pos;
    }
  } else {
    const time_point* horizon = horizons(b, in.w);
    for (std::size_t i = 0; i < b.size; ++i) {
      out[i] = tri(then[i] == cval::yes && held && held_time >= horizon[i]);
      if (first[i] == cval::yes) {
        held = true;
        held_time = b.times[i];
      }
    }
  }
  s.held = held;
  s.time = held_time;
  s.pos = held_pos;
}

// fire: rule k fires where its condition rises, outside its cooldown, unless `once` has
// spent it. Only a rising edge needs the rest of the test. A first pass marks the rising
// edges (each point against the one before it: no carried state, so it vectorizes), a
// second visits the marks, which are rare.
template <class Num>
void vm<Num>::fire(const instruction& in, const block_view& b, fire_state& s) {
  const std::size_t n = b.size;
  const compiled_rule& rule = program_.rules[in.k];
  const cval* x = cond(in.a);
  cval* out = cond(in.d);
  std::vector<firing>& fired = *fired_;
  if (n == 0) return;
  out[0] = tri(x[0] == cval::yes && !s.held_before);
  std::size_t edge = 1;
#if defined(__SSE2__)
  // Rising edges sixteen points at a time: GCC 12 at -O2 leaves the byte loop below scalar,
  // and every rule runs it at every point (a tenth of a 50-rule universe's run).
  const __m128i yes = _mm_set1_epi8(1);
  for (; edge + 16 <= n; edge += 16) {
    const __m128i now =
        _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + edge)), yes);
    const __m128i before =
        _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + edge - 1)), yes);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + edge),
                     _mm_and_si128(_mm_andnot_si128(before, now), yes));
  }
#endif
  for (std::size_t i = edge; i < n; ++i)
    out[i] = static_cast<cval>((x[i] == cval::yes) & (x[i - 1] != cval::yes));
  s.held_before = x[n - 1] == cval::yes;
  // The point's time matters only for a report start or a calendar cooldown; otherwise it
  // is not read here: rising edges are sparse, and each read of the timeline missed the
  // cache (batch runs read the firings' times afterwards, all loads independent).
  const bool timed = report_from_ != std::numeric_limits<time_point>::min() ||
                     (rule.cooldown && !rule.cooldown->is_bars());
  for (std::size_t i = 0; i < n; ++i) {
    if (i + 8 <= n) {  // rising edges are rare: pass eight unmarked points at once
      std::uint64_t eight;
      std::memcpy(&eight, out + i, sizeof eight);
      if (eight == 0) {
        i += 7;
        continue;
      }
    }
    if (out[i] == cval::no) continue;
    const std::int64_t pos = b.first_pos + static_cast<std::int64_t>(i);
    const time_point t = timed ? b.times[i] : 0;
    bool fires = t >= report_from_;
    if (fires && rule.once && s.firings > 0) fires = false;
    if (fires && rule.cooldown && s.firings > 0) {
      const duration& cd = *rule.cooldown;
      fires = cd.is_bars() ? pos >= s.last_pos + cd.count : t >= add(s.last_time, cd);
    }
    if (fires) {
      ++s.firings;
      s.last_time = t;
      s.last_pos = pos;
      fired.push_back({i, in.k});
    }
    out[i] = tri(fires);
  }
}

#define SLUICE_VM_TEMPORAL(Num)                                                                 \
  template void vm<Num>::crossing(const instruction&, const block_view&, crossing_state<Num>&); \
  template void vm<Num>::held_for(const instruction&, const block_view&, streak_state&);        \
  template void vm<Num>::within(const instruction&, const block_view&, last_held_state&);       \
  template void vm<Num>::followed_by(const instruction&, const block_view&, last_held_state&);  \
  template void vm<Num>::fire(const instruction&, const block_view&, fire_state&);
SLUICE_VM_TEMPORAL(double)
SLUICE_VM_TEMPORAL(decimal)
#undef SLUICE_VM_TEMPORAL

}  // namespace sluice
