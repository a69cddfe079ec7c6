// The VM's instructions (see opcodes.hpp for the table and vm.hpp for the model).
#include "interpreter/vm/vm.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "interpreter/numeric/decimal.hpp"
#include "interpreter/vm/cross_section.hpp"
#include "interpreter/vm/vm_compare.hpp"
#include "interpreter/vm/vm_window.hpp"

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
// and / or over a block, sixteen points at a time with SSE2: GCC 12 at -O2 left the byte
// loop above scalar (18 instructions a point), and `and` was a tenth of a 50-rule
// universe's run. With no = 0, yes = 1, na = 2: and is 0 if either is 0, else the larger;
// or is 1 if either is 1, else the larger.
template <bool And>
[[gnu::noinline]] void kleene_block(const cval* x, const cval* y, cval* out, std::size_t n) {
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i zero = _mm_setzero_si128(), one = _mm_set1_epi8(1);
  for (; i + 16 <= n; i += 16) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(y + i));
    const __m128i hi = _mm_max_epu8(a, b);
    __m128i r;
    if constexpr (And) {
      r = _mm_andnot_si128(_mm_cmpeq_epi8(_mm_min_epu8(a, b), zero), hi);
    } else {
      const __m128i any_yes = _mm_or_si128(_mm_cmpeq_epi8(a, one), _mm_cmpeq_epi8(b, one));
      r = _mm_or_si128(_mm_and_si128(any_yes, one), _mm_andnot_si128(any_yes, hi));
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), r);
  }
#endif
  for (; i < n; ++i) out[i] = And ? kleene_and(x[i], y[i]) : kleene_or(x[i], y[i]);
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
      place_(p.state_slots + 1, 0) {
  using T = number_traits<Num>;
  for (reg_index r = 0; r < p.num_registers; ++r) view_[r] = num_out(r);
  // Each stateful instruction gets a struct of its opcode's state type (vm_state.hpp).
  for (const instruction& in : p.code)
    if (is_stateful(in.op)) place_[in.s] = place(in.op);
  for (const instruction& in : p.init_code)
    if (in.op == opcode::constant) std::fill_n(num_out(in.d), capacity_, T::from_constant(p.constants[in.k], p.constant_text[in.k]));
  // Constant subexpressions are evaluated once, over the whole register, in this number
  // type (so exact mode folds constants exactly too).
  const std::vector<time_point> times(capacity_, 0);
  const block_view all{capacity_, times.data(), 0};
  for (const instruction& in : p.init_code)
    if (in.op != opcode::constant) step(in, all, nullptr);
}

// Appends a default state struct of op's type (none for stateless opcodes); returns its
// index in its type's vector.
template <class Num>
template <opcode Op>
std::uint32_t vm<Num>::place_state() {
  if constexpr (std::is_void_v<op_state_t<Op, Num>>) {
    return 0;
  } else {
    auto& all = std::get<std::vector<op_state_t<Op, Num>>>(states_);
    all.emplace_back();
    return static_cast<std::uint32_t>(all.size() - 1);
  }
}

template <class Num>
std::uint32_t vm<Num>::place(opcode op) {
  switch (op) {  // one case per row of the table, generated from it
#define SLUICE_PLACE_STATE(name, ...) \
  case opcode::name:                  \
    return place_state<opcode::name>();
    SLUICE_OPCODES(SLUICE_PLACE_STATE)
#undef SLUICE_PLACE_STATE
  }
  return 0;
}

template <class Num>
std::size_t vm<Num>::state_bytes() const {
  std::size_t bytes = 0;
  auto deque = [&](const ring_deque<window_entry<Num>>& d) {
    bytes += d.capacity() * sizeof(window_entry<Num>);
  };
  auto values = [&](const std::vector<Num>& v) { bytes += v.capacity() * sizeof(Num); };
  for (const auto& s : std::get<std::vector<lag_ring_state<Num>>>(states_)) values(s.values);
  for (const auto& s : std::get<std::vector<lag_time_state<Num>>>(states_)) deque(s.points);
  for (const auto& s : std::get<std::vector<sma_state<Num>>>(states_)) {
    values(s.ring);
    deque(s.points);
  }
  for (const auto& s : std::get<std::vector<stdev_state<Num>>>(states_)) deque(s.points);
  for (const auto& s : std::get<std::vector<rolling_extreme_state<Num>>>(states_))
    deque(s.candidates);
  for (const auto& s : std::get<std::vector<new_extreme_state<Num>>>(states_)) deque(s.candidates);
  for (const auto& s : std::get<std::vector<basket_state<Num>>>(states_)) values(s.anchors);
  for (const auto& s : std::get<std::vector<host_state<Num>>>(states_)) values(s.rows);
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
    const time_point span = w.count * ms_per_day;
    for (std::size_t i = 0; i < b.size; ++i) h[i] = b.times[i] - span;
  } else {
    for (std::size_t i = 0; i < b.size; ++i) h[i] = subtract(b.times[i], w);
  }
  return h;
}

template <class Num>
void vm<Num>::execute(const block_view& block, const Num* const* inputs,
                      std::vector<firing>& fired) {
  fired_ = &fired;
  if (!rule_spans_.empty()) {
    execute_timed(block, inputs);
    return;
  }
  for (const instruction& in : program_.code) step(in, block, inputs);
}

// A rule's instructions run from the end of the previous rule's `fire` through its own
// (interpreter/compile/compile_rules.cpp emits a rule's expressions, then its fire).
template <class Num>
void vm<Num>::time_rules() {
  if (!rule_ns_.empty() || program_.rules.empty()) return;
  rule_ns_.assign(program_.rules.size(), 0);
  for (std::size_t i = 0; i < program_.code.size(); ++i)
    if (program_.code[i].op == opcode::fire && program_.code[i].k < program_.rules.size())
      rule_spans_.push_back({i + 1, program_.code[i].k});
}

template <class Num>
void vm<Num>::execute_timed(const block_view& block, const Num* const* inputs) {
  using clock = std::chrono::steady_clock;
  const std::vector<instruction>& code = program_.code;
  std::size_t i = 0;
  clock::time_point last = clock::now();
  for (const rule_span& span : rule_spans_) {
    for (; i < span.end; ++i) step(code[i], block, inputs);
    const clock::time_point now = clock::now();
    rule_ns_[span.rule] += std::chrono::duration_cast<std::chrono::nanoseconds>(now - last).count();
    last = now;
  }
  // Definitions checked but used by no rule run too; they count for no rule.
  for (; i < code.size(); ++i) step(code[i], block, inputs);
}

template <class Num>
void vm<Num>::execute(const block_view& block, const Num* const* inputs, std::vector<firing>& fired,
                      std::size_t first, std::size_t last) {
  fired_ = &fired;
  for (std::size_t i = first; i < last; ++i) step(program_.code[i], block, inputs);
}

template <class Num>
void vm<Num>::step(const instruction& in, const block_view& b, const Num* const* inputs) {
  using T = number_traits<Num>;
  const std::size_t n = b.size;
  const Num na = T::na();
  auto unary = [&](auto f) {
    const Num* x = num(in.a);
    Num* out = num_out(in.d);
    for (std::size_t i = 0; i < n; ++i) out[i] = f(x[i]);
  };
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
      pointwise(num(in.a), num(in.b), num_out(in.d), n, f);
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
  using cmp = comparison;

  // One line per opcode: the stateful ones call their function with their state struct.
  // clang-format off
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
    case opcode::neg: unary([](Num x) { return -x; }); break;
    case opcode::add: arithmetic([](Num x, Num y) { return x + y; }); break;
    case opcode::sub: arithmetic([](Num x, Num y) { return x - y; }); break;
    case opcode::mul: arithmetic([](Num x, Num y) { return x * y; }); break;
    case opcode::div: arithmetic([&](Num x, Num y) { return y == Num(0) ? na : x / y; }); break;
    case opcode::min: binary([](Num x, Num y) { return y < x ? y : x; }); break;
    case opcode::max: binary([](Num x, Num y) { return y > x ? y : x; }); break;
    case opcode::abs: unary([](Num x) { return T::abs(x); }); break;
    case opcode::log: unary([&](Num x) { return (T::is_na(x) || !(x > Num(0))) ? na : T::log(x); }); break;
    case opcode::lag_bars: lag_bars(in, b, state<opcode::lag_bars>(in)); break;
    case opcode::lag_time: lag_time(in, b, state<opcode::lag_time>(in)); break;
    case opcode::sma:
      if (in.w.is_bars()) sma_bars(in, b, state<opcode::sma>(in));
      else sma_calendar(in, b, state<opcode::sma>(in));
      break;
    case opcode::stdev: stdev(in, b, state<opcode::stdev>(in)); break;
    case opcode::highest: rolling_extreme(in, b, state<opcode::highest>(in)); break;
    case opcode::lowest: rolling_extreme(in, b, state<opcode::lowest>(in)); break;
    case opcode::ema: ema(in, b, state<opcode::ema>(in)); break;
    case opcode::rsi: rsi(in, b, state<opcode::rsi>(in)); break;
    case opcode::drawdown: drawdown(in, b, state<opcode::drawdown>(in)); break;
    case opcode::rebase: rebase(in, b, state<opcode::rebase>(in)); break;
    case opcode::basket: basket(in, b, state<opcode::basket>(in)); break;
    case opcode::host_call: host_call(in, b, state<opcode::host_call>(in)); break;
    case opcode::gt: compare(std::integral_constant<cmp, cmp::gt>{}); break;
    case opcode::ge: compare(std::integral_constant<cmp, cmp::ge>{}); break;
    case opcode::lt: compare(std::integral_constant<cmp, cmp::lt>{}); break;
    case opcode::le: compare(std::integral_constant<cmp, cmp::le>{}); break;
    case opcode::eq: compare(std::integral_constant<cmp, cmp::eq>{}); break;
    case opcode::ne: compare(std::integral_constant<cmp, cmp::ne>{}); break;
    case opcode::between: between(in, n); break;
    case opcode::cross_above: crossing(in, b, state<opcode::cross_above>(in)); break;
    case opcode::cross_below: crossing(in, b, state<opcode::cross_below>(in)); break;
    case opcode::new_high: new_extreme(in, b, state<opcode::new_high>(in)); break;
    case opcode::new_low: new_extreme(in, b, state<opcode::new_low>(in)); break;
    case opcode::not_: negate(in, n); break;
    case opcode::and_: kleene_block<true>(cond(in.a), cond(in.b), cond(in.d), n); break;
    case opcode::or_: kleene_block<false>(cond(in.a), cond(in.b), cond(in.d), n); break;
    case opcode::for_: held_for(in, b, state<opcode::for_>(in)); break;
    case opcode::within: within(in, b, state<opcode::within>(in)); break;
    case opcode::followed_by: followed_by(in, b, state<opcode::followed_by>(in)); break;
    case opcode::fire: fire(in, b, state<opcode::fire>(in)); break;
  }
  // clang-format on
}

// between: na where any operand is na.
template <class Num>
void vm<Num>::between(const instruction& in, std::size_t n) {
  using T = number_traits<Num>;
  const Num* x = num(in.a);
  const Num* lo = num(in.b);
  const Num* hi = num(in.c);
  cval* out = cond(in.d);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = (T::is_na(x[i]) || T::is_na(lo[i]) || T::is_na(hi[i]))
                 ? cval::na
                 : tri(lo[i] <= x[i] && x[i] <= hi[i]);
}

// not: na stays na.
template <class Num>
void vm<Num>::negate(const instruction& in, std::size_t n) {
  const cval* x = cond(in.a);
  cval* out = cond(in.d);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = x[i] == cval::na ? cval::na : x[i] == cval::yes ? cval::no : cval::yes;
}

template class vm<double>;
template class vm<decimal>;  // exact mode

}  // namespace sluice
