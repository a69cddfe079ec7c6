// The instruction set of Sluice's VM, declared once. Every register holds a block of
// consecutive timeline points: numeric registers n[] hold numbers (na = NaN), condition
// registers c[] hold tri-state bytes (0 false, 1 true, 2 na). Operands: d (destination),
// a, b, c (sources), w (window: bars or a calendar span), k (constant, input or aux index),
// s (this instruction's slot in the run's state area).
//
// This table is the one source of facts about an opcode; the disassembler, the compiler's
// sharing and constant folding, and the state estimate all read it. Columns:
//   name     the opcode
//   result   n (writes a numeric register) or c (writes a condition register)
//   operands the kinds of the register operands a, b, c in order ("nn": two numeric; empty:
//            the operands come through k, as for constants, inputs, baskets and host calls)
//   window   window: the instruction reads w; none: w is unused (host_call keeps an optional
//            w of its own)
//   state    none: a pure function of its operands at the point; scalar: a fixed-size slot
//            (previous values, running sums, streak starts, the last firing); ring: the last w
//            values; entries: a deque of (time, value) over the window; host: one ring per
//            host-function argument
//   semantics, note: what it computes, shown by docs and `sluice disasm`.
// Adding an opcode means one row here and its case in the VM's dispatch (interpreter/vm/).
#pragma once
#include <cstddef>
#include <cstdint>
#include <iterator>

// clang-format off
#define SLUICE_OPCODES(X)                                                                       \
  /* loads */                                                                                   \
  X(constant,    n, "",    none,   none,    "n[d] := K[k]", "a literal or folded constant")     \
  X(input,       n, "",    none,   none,                                                        \
    "n[d] := IN[k]", "as-of value of input k (a series column, possibly read at t - D)")        \
  /* arithmetic: na in, na out; x / 0 is na */                                                  \
  X(neg,         n, "n",   none,   none,    "n[d] := -n[a]", "negation")                        \
  X(add,         n, "nn",  none,   none,    "n[d] := n[a] + n[b]", "sum")                       \
  X(sub,         n, "nn",  none,   none,    "n[d] := n[a] - n[b]", "difference")                \
  X(mul,         n, "nn",  none,   none,    "n[d] := n[a] * n[b]", "product")                   \
  X(div,         n, "nn",  none,   none,                                                        \
    "n[d] := n[a] / n[b]", "quotient; na where n[b] is 0")                                      \
  X(abs,         n, "n",   none,   none,    "n[d] := |n[a]|", "absolute value")                 \
  X(log,         n, "n",   none,   none,                                                        \
    "n[d] := ln n[a]", "natural log; na where n[a] <= 0")                                       \
  X(min,         n, "nn",  none,   none,    "n[d] := min(n[a], n[b])", "smaller value")         \
  X(max,         n, "nn",  none,   none,    "n[d] := max(n[a], n[b])", "larger value")          \
  /* lookbacks */                                                                               \
  X(lag_bars,    n, "n",   window, ring,                                                        \
    "n[d] := n[a] w bars ago", "na until w points exist")                                       \
  X(lag_time,    n, "n",   window, entries,                                                     \
    "n[d] := n[a] at the last point <= t - w", "na when no such point")                         \
  /* windows: bars = the last w points; calendar = points u with t - w < u <= t */              \
  X(sma,         n, "n",   window, entries,                                                     \
    "n[d] := mean n[a] over w", "mean of the defined values in the window")                     \
  X(stdev,       n, "n",   window, entries,                                                     \
    "n[d] := stdev n[a] over w", "sample standard deviation (n - 1)")                           \
  X(highest,     n, "n",   window, entries, "n[d] := max n[a] over w", "monotonic deque")       \
  X(lowest,      n, "n",   window, entries, "n[d] := min n[a] over w", "monotonic deque")       \
  X(ema,         n, "n",   window, scalar,                                                      \
    "n[d] := ema(n[a], w bars)", "alpha 2/(w+1), seeded by the first value")                    \
  X(rsi,         n, "n",   window, scalar,  "n[d] := rsi(n[a], w bars)", "Wilder's RSI")        \
  X(drawdown,    n, "n",   none,   scalar,                                                      \
    "n[d] := 1 - n[a] / peak", "fraction below the running peak")                               \
  X(rebase,      n, "n",   none,   scalar,                                                      \
    "n[d] := 100 n[a] / first", "first defined value = 100")                                    \
  X(basket,      n, "",    none,   scalar,                                                      \
    "n[d] := mean 100 n[i]/anchor[i] for i in AUX[k]",                                          \
    "equal weights, anchored where all components are first defined")                           \
  X(host_call,   n, "",    none,   host,                                                        \
    "n[d] := HOST[AUX[k][0]](n[r] for r in AUX[k][1..])",                                       \
    "a host function; w bars: each argument's last w values, na until w points exist")          \
  /* comparisons and predicates: na operand -> na */                                            \
  X(gt,          c, "nn",  none,   none,    "c[d] := n[a] > n[b]", "")                          \
  X(ge,          c, "nn",  none,   none,    "c[d] := n[a] >= n[b]", "")                         \
  X(lt,          c, "nn",  none,   none,    "c[d] := n[a] < n[b]", "")                          \
  X(le,          c, "nn",  none,   none,    "c[d] := n[a] <= n[b]", "")                         \
  X(eq,          c, "nn",  none,   none,    "c[d] := n[a] == n[b]", "")                         \
  X(ne,          c, "nn",  none,   none,    "c[d] := n[a] != n[b]", "")                         \
  X(between,     c, "nnn", none,   none,    "c[d] := n[b] <= n[a] <= n[c]", "")                 \
  X(cross_above, c, "nn",  none,   scalar,                                                      \
    "c[d] := n[a] > n[b] now, n[a] <= n[b] at the previous point", "")                          \
  X(cross_below, c, "nn",  none,   scalar,                                                      \
    "c[d] := n[a] < n[b] now, n[a] >= n[b] at the previous point", "")                          \
  X(new_high,    c, "n",   window, entries,                                                     \
    "c[d] := n[a] > max n[a] at prior points u, t - w <= u < t", "no window: all prior points") \
  X(new_low,     c, "n",   window, entries,                                                     \
    "c[d] := n[a] < min n[a] at prior points u, t - w <= u < t", "")                            \
  /* logic (Kleene: false and na = false, true or na = true) */                                 \
  X(not_,        c, "c",   none,   none,    "c[d] := not c[a]", "na stays na")                  \
  X(and_,        c, "cc",  none,   none,    "c[d] := c[a] and c[b]", "")                        \
  X(or_,         c, "cc",  none,   none,    "c[d] := c[a] or c[b]", "")                         \
  /* temporal operators: two-valued */                                                          \
  X(for_,        c, "c",   window, scalar,                                                      \
    "c[d] := c[a] held at every point since the last point <= t - w", "bars: the last w points")\
  X(within,      c, "c",   window, scalar,                                                      \
    "c[d] := c[a] held at some point u, t - w <= u <= t", "")                                   \
  X(followed_by, c, "cc",  window, scalar,                                                      \
    "c[d] := c[b] now and c[a] held at some u, t - w <= u < t", "")                             \
  /* rules */                                                                                   \
  X(fire,        c, "c",   none,   scalar,                                                      \
    "c[d] := rule k fires: c[a] rose, outside cooldown, not spent by once", "records an event") \
  /* cross-sectional: one instruction per universe operand, across its members' registers */   \
  /* (interpreter/vm/cross_section.cpp); members whose operand is na are absent */             \
  X(xs_rank,     n, "",    none,   none,                                                        \
    "n[d + i] := rank of n[AUX[k][i]] among n[r], r in AUX[k]",                                 \
    "1 = highest; ties: the earlier member first; na where n[AUX[k][i]] is na")                 \
  X(xs_mean,     n, "",    none,   none,                                                        \
    "n[d] := mean of the defined n[r], r in AUX[k]", "na when none is defined")                 \
  X(xs_median,   n, "",    none,   none,                                                        \
    "n[d] := median of the defined n[r], r in AUX[k]", "even count: mean of the middle two")    \
  X(xs_breadth,  n, "",    none,   none,                                                        \
    "n[d] := share of the defined c[r], r in AUX[k], that are true", "na when none is defined")
// clang-format on

namespace sluice {

enum class opcode : std::uint8_t {
#define SLUICE_OPCODE_ENUM(name, result, operands, window, state, semantics, note) name,
  SLUICE_OPCODES(SLUICE_OPCODE_ENUM)
#undef SLUICE_OPCODE_ENUM
};

enum class register_kind : std::uint8_t { n, c };
enum class window_use : std::uint8_t { none, window };
enum class state_kind : std::uint8_t { none, scalar, ring, entries, host };

struct opcode_info {
  const char* name;
  register_kind result;
  const char* operands;  // one letter per register operand: 'n' numeric, 'c' condition
  window_use window;
  state_kind state;
  const char* semantics;
  const char* note;
};

inline constexpr opcode_info opcode_table[] = {
#define SLUICE_OPCODE_INFO(name, result, operands, window, state, semantics, note) \
  {#name, register_kind::result, operands, window_use::window, state_kind::state, semantics, note},
    SLUICE_OPCODES(SLUICE_OPCODE_INFO)
#undef SLUICE_OPCODE_INFO
};

inline constexpr std::size_t opcode_count = std::size(opcode_table);

constexpr const opcode_info& info(opcode op) { return opcode_table[static_cast<std::size_t>(op)]; }

constexpr bool writes_condition(opcode op) { return info(op).result == register_kind::c; }
constexpr bool reads_conditions(opcode op) { return info(op).operands[0] == 'c'; }
constexpr bool has_window(opcode op) { return info(op).window == window_use::window; }
constexpr bool is_stateful(opcode op) { return info(op).state != state_kind::none; }
constexpr int operand_count(opcode op) {
  int n = 0;
  while (info(op).operands[n] != '\0') ++n;
  return n;
}

// The facts the VM's register layout relies on, checked where they are declared: an
// instruction has three operand fields, each naming a numeric or a condition register.
constexpr bool operands_fit_instruction() {
  for (const opcode_info& op : opcode_table) {
    int n = 0;
    for (; op.operands[n] != '\0'; ++n)
      if (op.operands[n] != 'n' && op.operands[n] != 'c') return false;
    if (n > 3) return false;
  }
  return true;
}
static_assert(operands_fit_instruction(), "operands are at most three, each 'n' or 'c'");
static_assert(opcode_count <= 256, "opcodes are stored in one byte");

}  // namespace sluice
