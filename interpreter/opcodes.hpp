// The instruction set of Sluice's VM, declared once. Every register holds a block of
// consecutive timeline points: numeric registers n[] hold numbers (na = NaN), condition
// registers c[] hold tri-state bytes (0 false, 1 true, 2 na). Operands: d (destination),
// a, b, c (sources), w (window: bars or a calendar span), k (constant, input or aux index),
// s (this instruction's slot in the run's state area). Columns: name, operands, meaning.
#pragma once
#include <cstdint>

// clang-format off
#define SLUICE_OPCODES(X)                                                                   \
  /* loads */                                                                               \
  X(constant,    "n[d] := K[k]",                                                            \
    "a literal or folded constant")                                                         \
  X(input,       "n[d] := IN[k]",                                                           \
    "as-of value of input k (a series column, possibly read at t - D)")                     \
  /* arithmetic: na in, na out; x / 0 is na */                                              \
  X(neg,         "n[d] := -n[a]",            "negation")                                    \
  X(add,         "n[d] := n[a] + n[b]",      "sum")                                         \
  X(sub,         "n[d] := n[a] - n[b]",      "difference")                                  \
  X(mul,         "n[d] := n[a] * n[b]",      "product")                                     \
  X(div,         "n[d] := n[a] / n[b]",      "quotient; na where n[b] is 0")                \
  X(abs,         "n[d] := |n[a]|",           "absolute value")                              \
  X(log,         "n[d] := ln n[a]",          "natural log; na where n[a] <= 0")             \
  X(min,         "n[d] := min(n[a], n[b])",  "smaller value")                               \
  X(max,         "n[d] := max(n[a], n[b])",  "larger value")                                \
  /* lookbacks */                                                                           \
  X(lag_bars,    "n[d] := n[a] w bars ago",  "na until w points exist")                     \
  X(lag_time,    "n[d] := n[a] at the last point <= t - w", "na when no such point")        \
  /* windows: bars = the last w points; calendar = points u with t - w < u <= t */          \
  X(sma,         "n[d] := mean n[a] over w", "mean of the defined values in the window")    \
  X(stdev,       "n[d] := stdev n[a] over w", "sample standard deviation (n - 1)")          \
  X(highest,     "n[d] := max n[a] over w",  "monotonic deque")                             \
  X(lowest,      "n[d] := min n[a] over w",  "monotonic deque")                             \
  X(ema,         "n[d] := ema(n[a], w bars)", "alpha 2/(w+1), seeded by the first value")   \
  X(rsi,         "n[d] := rsi(n[a], w bars)", "Wilder's RSI")                               \
  X(drawdown,    "n[d] := 1 - n[a] / peak",  "fraction below the running peak")            \
  X(rebase,      "n[d] := 100 n[a] / first", "first defined value = 100")                   \
  X(basket,      "n[d] := mean 100 n[i]/anchor[i] for i in AUX[k]",                         \
    "equal weights, anchored where all components are first defined")                       \
  X(host_call,   "n[d] := HOST[AUX[k][0]](n[r] for r in AUX[k][1..])",                      \
    "a host function; w bars: each argument's last w values, na until w points exist")      \
  /* comparisons and predicates: na operand -> na */                                        \
  X(gt,          "c[d] := n[a] > n[b]",      "")                                            \
  X(ge,          "c[d] := n[a] >= n[b]",     "")                                            \
  X(lt,          "c[d] := n[a] < n[b]",      "")                                            \
  X(le,          "c[d] := n[a] <= n[b]",     "")                                            \
  X(eq,          "c[d] := n[a] == n[b]",     "")                                            \
  X(ne,          "c[d] := n[a] != n[b]",     "")                                            \
  X(between,     "c[d] := n[b] <= n[a] <= n[c]", "")                                        \
  X(cross_above, "c[d] := n[a] > n[b] now, n[a] <= n[b] at the previous point", "")         \
  X(cross_below, "c[d] := n[a] < n[b] now, n[a] >= n[b] at the previous point", "")         \
  X(new_high,    "c[d] := n[a] > max n[a] at prior points u, t - w <= u < t",               \
    "no window: all prior points")                                                          \
  X(new_low,     "c[d] := n[a] < min n[a] at prior points u, t - w <= u < t", "")           \
  /* logic (Kleene: false and na = false, true or na = true) */                             \
  X(not_,        "c[d] := not c[a]",         "na stays na")                                 \
  X(and_,        "c[d] := c[a] and c[b]",    "")                                            \
  X(or_,         "c[d] := c[a] or c[b]",     "")                                            \
  /* temporal operators: two-valued */                                                      \
  X(for_,        "c[d] := c[a] held at every point since the last point <= t - w",          \
    "bars: the last w points")                                                              \
  X(within,      "c[d] := c[a] held at some point u, t - w <= u <= t", "")                  \
  X(followed_by, "c[d] := c[b] now and c[a] held at some u, t - w <= u < t", "")            \
  /* rules */                                                                               \
  X(fire,        "c[d] := rule k fires: c[a] rose, outside cooldown, not spent by once",    \
    "records an event")
// clang-format on

namespace sluice {

enum class opcode : std::uint8_t {
#define SLUICE_OPCODE_ENUM(name, operands, meaning) name,
  SLUICE_OPCODES(SLUICE_OPCODE_ENUM)
#undef SLUICE_OPCODE_ENUM
};

struct opcode_info {
  const char* name;
  const char* operands;
  const char* meaning;
};

const opcode_info& info(opcode op);

}  // namespace sluice
