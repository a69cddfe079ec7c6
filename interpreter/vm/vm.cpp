// The VM's instructions (see opcodes.hpp for the table and vm.hpp for the model).
#include "interpreter/vm/vm.hpp"
#include "interpreter/vm/vm_window.hpp"
#include "interpreter/vm/vm_compare.hpp"
#include "interpreter/vm/cross_section.hpp"

#include "interpreter/numeric/decimal.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace sluice {

namespace {

// Kleene logic as byte arithmetic with no branch, so that loops over it vectorize and a
// single point has no data-dependent branch to mispredict.
// and: false if either is false, else na if either is na, else true.
inline cval kleene_and(cval x, cval y) {
  const std::uint8_t any_no = (x == cval::no) | (y == cval::no);
  const std::uint8_t any_na = (x == cval::na) | (y == cval::na);
  return static_cast<cval>(static_cast<std::uint8_t>((1 + any_na) & (any_no - 1)));
}
// or: true if either is true, else na if either is na, else false.
inline cval kleene_or(cval x, cval y) {
  const std::uint8_t any_yes = (x == cval::yes) | (y == cval::yes);
  const std::uint8_t any_na = (x == cval::na) | (y == cval::na);
  return static_cast<cval>(static_cast<std::uint8_t>(any_yes | ((any_na & (any_yes ^ 1)) << 1)));
}

// out[i] = f(x[i], y[i]) for a whole block, in a loop GCC vectorizes. It lives outside
// step() and is not used for a block of one point (streaming): a vector loop's set-up
// (alias and length tests) costs more than the one operation.
template <class T, class R, class F>
[[gnu::noinline]] void elementwise(const T* x, const T* y, R* out, std::size_t n, F f) {
  for (std::size_t i = 0; i < n; ++i) out[i] = f(x[i], y[i]);
}
template <class T, class R, class F>
void pointwise(const T* x, const T* y, R* out, std::size_t n, F f) {
  if (n == 1) out[0] = f(x[0], y[0]);
  else elementwise(x, y, out, n, f);
}

}  // namespace

template <class Num>
vm<Num>::vm(const program& p, std::size_t block_capacity)
    : program_(p),
      capacity_(block_capacity),
      nums_(static_cast<std::size_t>(p.num_registers) * block_capacity),
      view_(p.num_registers),
      conds_(static_cast<std::size_t>(p.cond_registers) * block_capacity),
      slots_(p.state_slots + 1) {  // slot 0 also serves stateless instructions
  using T = number_traits<Num>;
  for (reg_index r = 0; r < p.num_registers; ++r) view_[r] = num_out(r);
  for (const instruction& in : p.init_code)
    if (in.op == opcode::constant) std::fill_n(num_out(in.d), capacity_, T::from_constant(p.constants[in.k], p.constant_text[in.k]));
  // Constant subexpressions are evaluated once, over the whole register, in this number
  // type (so exact mode folds constants exactly too).
  std::vector<firing> none;
  const std::vector<time_point> times(capacity_, 0);
  const block_view all{capacity_, times.data(), 0};
  for (const instruction& in : p.init_code)
    if (in.op != opcode::constant) step(in, all, nullptr, none);
}

template <class Num>
std::size_t vm<Num>::state_bytes() const {
  std::size_t bytes = 0;
  for (const auto& s : slots_)
    bytes += s.window.capacity() * sizeof(window_entry<Num>) + s.ring.capacity() * sizeof(Num);
  return bytes;
}

// subtract() may call into the calendar (month spans), and a loop that holds a call keeps
// its running sums in memory, since x86-64 preserves no vector register across a call:
// inside the loops, it made each calendar sma point cost a store and a reload on the sum's
// dependency chain. So the horizons are computed first, in a loop of their own.
template <class Num>
const time_point* vm<Num>::horizons(const block_view& b, const duration& w) {
  if (horizons_.size() < b.size) horizons_.resize(std::max(b.size, capacity_));
  time_point* h = horizons_.data();
  if (w.kind == duration::unit::days) {  // a plain subtraction that vectorizes: W2 ~1 ms
    const time_point span = w.count * seconds_per_day;
    for (std::size_t i = 0; i < b.size; ++i) h[i] = b.times[i] - span;
  } else {
    for (std::size_t i = 0; i < b.size; ++i) h[i] = subtract(b.times[i], w);
  }
  return h;
}

template <class Num>
void vm<Num>::execute(const block_view& block, const Num* const* inputs,
                      std::vector<firing>& fired) {
  for (const instruction& in : program_.code) step(in, block, inputs, fired);
}

template <class Num>
void vm<Num>::step(const instruction& in, const block_view& b, const Num* const* inputs,
                   std::vector<firing>& fired) {
  using T = number_traits<Num>;
  const std::size_t n = b.size;
  const Num na = T::na();
  auto binary = [&](auto f) {
    const Num* x = num(in.a);
    const Num* y = num(in.b);
    Num* out = num_out(in.d);
    for (std::size_t i = 0; i < n; ++i)
      out[i] = (T::is_na(x[i]) || T::is_na(y[i])) ? na : f(x[i], y[i]);
  };
  // IEEE arithmetic gives NaN (na) wherever an operand is NaN, so for doubles the
  // operation is its own na test, and the loop has no branch to keep it from vectorizing.
  auto arithmetic = [&](auto f) {
    if constexpr (std::is_same_v<Num, double>) {
      const Num* x = num(in.a);
      const Num* y = num(in.b);
      pointwise(x, y, num_out(in.d), n, f);
    } else {
      binary(f);
    }
  };
  // c: std::integral_constant<comparison, C> (vm_compare.hpp).
  auto compare = [&](auto c) {
    constexpr comparison C = decltype(c)::value;
    const Num* x = num(in.a);
    const Num* y = num(in.b);
    cval* out = cond(in.d);
#if defined(__SSE2__)
    if constexpr (std::is_same_v<Num, double>) {
      if (n >= 8) return compare_doubles<C>(x, y, out, n);
    }
#endif
    compare_points<C>(x, y, out, n);
  };
  // t - w at each point of a calendar window (for bar windows: nothing is computed).
  auto calendar_horizons = [&] { return in.w.is_calendar() ? horizons(b, in.w) : nullptr; };
  slot_state<Num>& s = slots_[in.s];

  switch (in.op) {
    case opcode::constant: break;  // filled once at construction
    case opcode::xs_rank:
    case opcode::xs_mean:
    case opcode::xs_median:
    case opcode::xs_breadth:  // across a universe's registers (cross_section.cpp)
      cross_section<Num>(in, program_, n,
                         {view_.data(), nums_.data(),
                          reinterpret_cast<const std::uint8_t*>(conds_.data()), capacity_});
      break;
    case opcode::input: view_[in.d] = inputs[in.k]; break;  // read in place
    case opcode::neg: {
      const Num* x = num(in.a);
      Num* out = num_out(in.d);
      for (std::size_t i = 0; i < n; ++i) out[i] = -x[i];
      break;
    }
    case opcode::add: arithmetic([](Num x, Num y) { return x + y; }); break;
    case opcode::sub: arithmetic([](Num x, Num y) { return x - y; }); break;
    case opcode::mul: arithmetic([](Num x, Num y) { return x * y; }); break;
    case opcode::div: arithmetic([&](Num x, Num y) { return y == Num(0) ? na : x / y; }); break;
    case opcode::min: binary([](Num x, Num y) { return y < x ? y : x; }); break;
    case opcode::max: binary([](Num x, Num y) { return y > x ? y : x; }); break;
    case opcode::abs: {
      const Num* x = num(in.a);
      Num* out = num_out(in.d);
      for (std::size_t i = 0; i < n; ++i) out[i] = T::abs(x[i]);
      break;
    }
    case opcode::log: {
      const Num* x = num(in.a);
      Num* out = num_out(in.d);
      for (std::size_t i = 0; i < n; ++i)
        out[i] = (T::is_na(x[i]) || !(x[i] > Num(0))) ? na : T::log(x[i]);
      break;
    }
    case opcode::lag_bars: {
      const Num* x = num(in.a);
      Num* out = num_out(in.d);
      // The ring grows with the data up to w values, so a long window over short data
      // costs memory for the data only (a million-bar lag no longer allocates 8 MB upfront).
      const auto w = static_cast<std::size_t>(in.w.count);
      std::size_t i = 0;
      for (; i < n && s.ring.size() < w; ++i) {
        out[i] = na;
        s.ring.push_back(x[i]);
      }
      // A full ring: ring[head] is the value w points back. Swapped in runs up to the
      // ring's end, loops without a wrap test that the compiler turns into vector copies.
      while (i < n) {
        Num* ring = s.ring.data() + s.head;
        const std::size_t run = std::min(n - i, w - s.head);
        for (std::size_t j = 0; j < run; ++j) {
          out[i + j] = ring[j];
          ring[j] = x[i + j];
        }
        i += run;
        s.head = s.head + run == w ? 0 : s.head + run;
      }
      break;
    }
    case opcode::lag_time: {
      const Num* x = num(in.a);
      Num* out = num_out(in.d);
      const time_point* horizon = horizons(b, in.w);
      for (std::size_t i = 0; i < n; ++i) {
        const time_point h = horizon[i];
        s.window.push_back({b.times[i], b.first_pos + static_cast<std::int64_t>(i), x[i]});
        while (s.window.size() >= 2 && s.window[1].time <= h) s.window.pop_front();
        out[i] = s.window.front().time <= h ? s.window.front().value : na;
      }
      break;
    }
    case opcode::sma:
      if (in.w.is_bars()) sma_bars(in, b, s);
      else sma_calendar(in, b, s);
      break;
    case opcode::stdev: stdev(in, b, s); break;
    case opcode::highest:
    case opcode::lowest: {
      const bool high = in.op == opcode::highest;
      const Num* x = num(in.a);
      Num* out = num_out(in.d);
      const time_point* horizon = calendar_horizons();
      for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t pos = b.first_pos + static_cast<std::int64_t>(i);
        const time_point h = horizon ? horizon[i] : 0;
        while (!s.window.empty() && !inside(s.window.front(), in.w, h, pos)) s.window.pop_front();
        if (!T::is_na(x[i])) {
          if (!s.has) {
            s.has = true;
            s.pos = pos;
            s.time = b.times[i];
          }
          while (!s.window.empty() &&
                 (high ? s.window.back().value <= x[i] : s.window.back().value >= x[i]))
            s.window.pop_back();
          s.window.push_back({b.times[i], pos, x[i]});
        }
        out[i] = (covered(s, in.w, h, pos) && !s.window.empty()) ? s.window.front().value : na;
      }
      break;
    }
    case opcode::ema: {
      const Num* x = num(in.a);
      Num* out = num_out(in.d);
      const Num alpha = Num(2) / Num(in.w.count + 1);
      for (std::size_t i = 0; i < n; ++i) {
        if (T::is_na(x[i])) {
          out[i] = na;
          continue;
        }
        s.x = s.count == 0 ? x[i] : s.x + alpha * (x[i] - s.x);
        ++s.count;
        out[i] = s.count >= in.w.count ? s.x : na;
      }
      break;
    }
    case opcode::rsi: {
      // x: previous value, y: average gain, z: average loss, count: changes seen.
      const Num* x = num(in.a);
      Num* out = num_out(in.d);
      const Num len = Num(in.w.count);
      for (std::size_t i = 0; i < n; ++i) {
        out[i] = na;
        if (T::is_na(x[i])) continue;
        if (!s.has) {
          s.has = true;
          s.x = x[i];
          continue;
        }
        const Num change = x[i] - s.x;
        s.x = x[i];
        const Num gain = change > Num(0) ? change : Num(0);
        const Num loss = change < Num(0) ? -change : Num(0);
        if (s.count < in.w.count) {
          s.y = s.y + gain;
          s.z = s.z + loss;
          if (++s.count == in.w.count) {
            s.y = s.y / len;
            s.z = s.z / len;
          }
        } else {
          s.y = (s.y * (len - Num(1)) + gain) / len;
          s.z = (s.z * (len - Num(1)) + loss) / len;
          ++s.count;
        }
        if (s.count >= in.w.count) {
          if (s.z == Num(0))
            out[i] = s.y == Num(0) ? Num(50) : Num(100);
          else
            out[i] = Num(100) - Num(100) / (Num(1) + s.y / s.z);
        }
      }
      break;
    }
    case opcode::drawdown: {
      const Num* x = num(in.a);
      Num* out = num_out(in.d);
      for (std::size_t i = 0; i < n; ++i) {
        if (T::is_na(x[i])) {
          out[i] = na;
          continue;
        }
        if (!s.has || x[i] > s.x) {
          s.x = x[i];
          s.has = true;
        }
        out[i] = s.x > Num(0) ? Num(1) - x[i] / s.x : na;
      }
      break;
    }
    case opcode::rebase: {
      const Num* x = num(in.a);
      Num* out = num_out(in.d);
      for (std::size_t i = 0; i < n; ++i) {
        if (T::is_na(x[i])) {
          out[i] = na;
          continue;
        }
        if (!s.has) {
          s.x = x[i];
          s.has = true;
        }
        out[i] = s.x == Num(0) ? na : Num(100) * x[i] / s.x;
      }
      break;
    }
    case opcode::basket: {
      const std::vector<reg_index>& parts = program_.aux[in.k];
      Num* out = num_out(in.d);
      for (std::size_t i = 0; i < n; ++i) {
        bool all = true;
        for (reg_index r : parts) all = all && !T::is_na(num(r)[i]);
        if (!all) {
          out[i] = na;
          continue;
        }
        if (!s.has) {
          s.has = true;
          s.ring.clear();
          for (reg_index r : parts) s.ring.push_back(num(r)[i]);
        }
        Num sum = Num(0);
        bool ok = true;
        for (std::size_t j = 0; j < parts.size(); ++j) {
          if (s.ring[j] == Num(0)) ok = false;
          else sum = sum + Num(100) * num(parts[j])[i] / s.ring[j];
        }
        out[i] = ok ? sum / Num(static_cast<std::int64_t>(parts.size())) : na;
      }
      break;
    }
    case opcode::host_call: {
      // AUX[k] = {function, argument registers}. Without a window: na in, na out. With a
      // window of w bars: s.ring holds the last w rows of arguments (count: rows seen), and
      // the function gets each argument's w values, oldest first, na included.
      const std::vector<reg_index>& parts = program_.aux[in.k];
      const host_function& f = program_.host_functions[parts[0]];
      const std::size_t arity = parts.size() - 1;
      const auto w = static_cast<std::size_t>(std::max<std::int64_t>(1, in.w.count));
      const bool windowed = in.w.count > 0;
      if (windowed && s.ring.size() != arity * w) s.ring.assign(arity * w, na);
      std::vector<double> args(arity * w);
      Num* out = num_out(in.d);
      for (std::size_t i = 0; i < n; ++i) {
        bool defined = true;
        if (windowed) {
          const auto head = static_cast<std::size_t>(s.count) % w;
          for (std::size_t a = 0; a < arity; ++a) s.ring[head * arity + a] = num(parts[a + 1])[i];
          ++s.count;
          for (std::size_t a = 0; a < arity; ++a)
            for (std::size_t j = 0; j < w; ++j)
              args[a * w + j] = T::to_double(s.ring[((head + 1 + j) % w) * arity + a]);
          defined = s.count >= in.w.count;
        } else {
          for (std::size_t a = 0; a < arity; ++a) {
            const Num v = num(parts[a + 1])[i];
            defined = defined && !T::is_na(v);
            args[a] = T::to_double(v);
          }
        }
        double r = std::numeric_limits<double>::quiet_NaN();
        if (defined) {
          try {
            r = f.call(std::span<const double>(args));
          } catch (...) {
            // A throwing host function yields na: exceptions never cross the VM.
          }
        }
        out[i] = std::isnan(r) ? na : T::from_double(r);
      }
      break;
    }
    case opcode::gt: compare(std::integral_constant<comparison, comparison::gt>{}); break;
    case opcode::ge: compare(std::integral_constant<comparison, comparison::ge>{}); break;
    case opcode::lt: compare(std::integral_constant<comparison, comparison::lt>{}); break;
    case opcode::le: compare(std::integral_constant<comparison, comparison::le>{}); break;
    case opcode::eq: compare(std::integral_constant<comparison, comparison::eq>{}); break;
    case opcode::ne: compare(std::integral_constant<comparison, comparison::ne>{}); break;
    case opcode::between: {
      const Num* x = num(in.a);
      const Num* lo = num(in.b);
      const Num* hi = num(in.c);
      cval* out = cond(in.d);
      for (std::size_t i = 0; i < n; ++i)
        out[i] = (T::is_na(x[i]) || T::is_na(lo[i]) || T::is_na(hi[i]))
                     ? cval::na
                     : tri(lo[i] <= x[i] && x[i] <= hi[i]);
      break;
    }
    case opcode::cross_above:
    case opcode::cross_below: {
      // x, y: the operands at the previous timeline point (has: there was one).
      // The previous operands are carried in locals: stored into the slot, they would be
      // reloaded after every store (the slot's numbers may alias the operand columns).
      const bool above = in.op == opcode::cross_above;
      const Num* x = num(in.a);
      const Num* y = num(in.b);
      cval* out = cond(in.d);
      Num px = s.x, py = s.y;
      bool had = s.has;
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
      s.x = px;
      s.y = py;
      s.has = had;
      break;
    }
    case opcode::new_high:
    case opcode::new_low: new_extreme(in, b, s); break;
    case opcode::not_: {
      const cval* x = cond(in.a);
      cval* out = cond(in.d);
      for (std::size_t i = 0; i < n; ++i) out[i] = x[i] == cval::na ? cval::na : x[i] == cval::yes ? cval::no : cval::yes;
      break;
    }
    case opcode::and_: {
      const cval* x = cond(in.a);
      const cval* y = cond(in.b);
      cval* out = cond(in.d);
      pointwise(x, y, out, n, [](cval p, cval q) { return kleene_and(p, q); });
      break;
    }
    case opcode::or_: {
      const cval* x = cond(in.a);
      const cval* y = cond(in.b);
      cval* out = cond(in.d);
      pointwise(x, y, out, n, [](cval p, cval q) { return kleene_or(p, q); });
      break;
    }
    case opcode::for_: {
      // has: a streak of true is running; time: its first point; count: its length.
      const cval* x = cond(in.a);
      cval* out = cond(in.d);
      const time_point* horizon = calendar_horizons();
      for (std::size_t i = 0; i < n; ++i) {
        if (x[i] == cval::yes) {
          if (!s.has) {
            s.has = true;
            s.time = b.times[i];
            s.count = 0;
          }
          ++s.count;
        } else {
          s.has = false;
          s.count = 0;
        }
        out[i] = tri(s.has && (in.w.is_bars() ? s.count >= in.w.count : s.time <= horizon[i]));
      }
      break;
    }
    case opcode::within: {
      // time/pos: the last point where the operand held (in locals during the loop).
      const cval* x = cond(in.a);
      cval* out = cond(in.d);
      bool held = s.has;
      time_point held_time = s.time;
      std::int64_t held_pos = s.pos;
      if (in.w.is_bars()) {
        for (std::size_t i = 0; i < n; ++i) {  // selects, as in followed_by
          const std::int64_t pos = b.first_pos + static_cast<std::int64_t>(i);
          const bool holds = x[i] == cval::yes;
          held |= holds;
          held_pos = holds ? pos : held_pos;
          out[i] = tri(held & (pos - held_pos <= in.w.count));
        }
      } else {
        const time_point* horizon = horizons(b, in.w);
        for (std::size_t i = 0; i < n; ++i) {
          if (x[i] == cval::yes) {
            held = true;
            held_time = b.times[i];
          }
          out[i] = tri(held && held_time >= horizon[i]);
        }
      }
      s.has = held;
      s.time = held_time;
      s.pos = held_pos;
      break;
    }
    case opcode::followed_by: {
      // time/pos: the last point strictly before t where the first part held.
      const cval* first = cond(in.a);
      const cval* then = cond(in.b);
      cval* out = cond(in.d);
      bool held = s.has;
      time_point held_time = s.time;
      std::int64_t held_pos = s.pos;
      if (in.w.is_bars()) {
        // Without branches on the data (the first part holds at about every other point
        // of a typical rule): selects instead of ifs.
        for (std::size_t i = 0; i < n; ++i) {
          const std::int64_t pos = b.first_pos + static_cast<std::int64_t>(i);
          out[i] = tri((then[i] == cval::yes) & held & (pos - held_pos <= in.w.count));
          const bool starts = first[i] == cval::yes;
          held |= starts;
          held_pos = starts ? pos : held_pos;
        }
      } else {
        const time_point* horizon = horizons(b, in.w);
        for (std::size_t i = 0; i < n; ++i) {
          out[i] = tri(then[i] == cval::yes && held && held_time >= horizon[i]);
          if (first[i] == cval::yes) {
            held = true;
            held_time = b.times[i];
          }
        }
      }
      s.has = held;
      s.time = held_time;
      s.pos = held_pos;
      break;
    }
    case opcode::fire: {
      // has: the condition held at the previous point; count: firings so far;
      // time/pos: the last firing.
      // Only a rising edge needs the rest of the test. A first pass marks the rising
      // edges (each point against the one before it: no carried state, so it vectorizes),
      // a second visits the marks, which are rare.
      const compiled_rule& rule = program_.rules[in.k];
      const cval* x = cond(in.a);
      cval* out = cond(in.d);
      if (n == 0) break;
      out[0] = tri(x[0] == cval::yes && !s.has);
      for (std::size_t i = 1; i < n; ++i)
        out[i] = static_cast<cval>((x[i] == cval::yes) & (x[i - 1] != cval::yes));
      s.has = x[n - 1] == cval::yes;
      // The point's time matters only for a report start or a calendar cooldown; otherwise
      // it is not read here: rising edges are sparse, and each read of the timeline missed
      // the cache (batch runs read the firings' times afterwards, all loads independent).
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
        if (fires && rule.once && s.count > 0) fires = false;
        if (fires && rule.cooldown && s.count > 0) {
          const duration& cd = *rule.cooldown;
          fires = cd.is_bars() ? pos >= s.pos + cd.count : t >= add(s.time, cd);
        }
        if (fires) {
          ++s.count;
          s.time = t;
          s.pos = pos;
          fired.push_back({i, in.k});
        }
        out[i] = tri(fires);
      }
      break;
    }
  }
}

template class vm<double>;
template class vm<decimal>;  // exact mode

}  // namespace sluice
