// What each stateful operator remembers between blocks, one struct per kind of operator.
// A run keeps one struct per stateful instruction (instruction::s names it), in a vector of
// that struct's type (vm<Num>::states_), so an instruction's state takes its own size only.
// op_state_t<op, Num> selects the struct of an opcode; at the end of this file the table's
// state column (opcodes.hpp: none, scalar, ring, entries, host) is checked against it, so
// an opcode is stateful exactly when it has a struct, and the struct holds what the column
// says (ring: the last w values; entries: a deque of the window's points; host: argument
// rows). The estimate of a run's state (compile/state_estimate.cpp) is sized from these.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "interpreter/opcodes.hpp"
#include "interpreter/time.hpp"
#include "interpreter/vm/ring_deque.hpp"

namespace sluice {

// An entry of a window: one timeline point's value.
template <class Num>
struct window_entry {
  time_point time;
  std::int64_t pos;
  Num value;
};

// The operand's first defined point: a window is warm (its value defined) once this point
// lies at or before the window's start.
struct first_point {
  bool seen = false;
  std::int64_t pos = -1;  // its timeline index
  time_point time = 0;
};

// lag_bars: the last w values, growing with the data up to w; values[oldest] is the value
// w points back once the ring is full.
template <class Num>
struct lag_ring_state {
  static constexpr state_kind kind = state_kind::ring;
  std::vector<Num> values;
  std::size_t oldest = 0;
};

// lag_time: the points from the last one at or before t - w on.
template <class Num>
struct lag_time_state {
  static constexpr state_kind kind = state_kind::entries;
  ring_deque<window_entry<Num>> points;
};

// sma: the running sum of the window's defined values. Bar windows keep the last w values
// (na included) in a ring and count its defined ones; calendar windows keep the window's
// defined points.
template <class Num>
struct sma_state {
  static constexpr state_kind kind = state_kind::entries;
  Num sum{};
  first_point first;
  std::vector<Num> ring;                 // bars
  std::size_t oldest = 0;                // bars: the ring's oldest value
  std::int64_t defined = 0;              // bars: defined values in the ring
  ring_deque<window_entry<Num>> points;  // calendar
};

// stdev: running sums of the window's values shifted by `shift` (vm_averages.cpp).
template <class Num>
struct stdev_state {
  static constexpr state_kind kind = state_kind::entries;
  Num sum{};      // of v - shift over the window
  Num squares{};  // of (v - shift)^2 over the window
  Num shift{};
  std::int64_t updates = 0;  // additions and removals since the sums were last recomputed
  first_point first;
  ring_deque<window_entry<Num>> points;
  // The last defined point whose value differs from the previous defined value's (a window
  // starting at or after it is flat).
  std::int64_t last_change = std::numeric_limits<std::int64_t>::min() / 2;
};

// highest, lowest: a monotonic deque of the window's candidates, the extreme at its front.
template <class Num>
struct rolling_extreme_state {
  static constexpr state_kind kind = state_kind::entries;
  first_point first;
  ring_deque<window_entry<Num>> candidates;
};

// new_high, new_low: the same deque over the prior points; without a window, the extreme
// of all prior defined values instead.
template <class Num>
struct new_extreme_state {
  static constexpr state_kind kind = state_kind::entries;
  first_point first;
  ring_deque<window_entry<Num>> candidates;
  Num all_time{};  // no window: the extreme so far (defined once first.seen)
};

template <class Num>
struct ema_state {
  static constexpr state_kind kind = state_kind::scalar;
  Num average{};
  std::int64_t seen = 0;  // defined values so far
};

// rsi: Wilder's averages of gains and losses between consecutive defined values.
template <class Num>
struct rsi_state {
  static constexpr state_kind kind = state_kind::scalar;
  bool has_previous = false;
  Num previous{};
  Num average_gain{};  // a plain sum until `changes` reaches w
  Num average_loss{};
  std::int64_t changes = 0;
};

template <class Num>
struct drawdown_state {
  static constexpr state_kind kind = state_kind::scalar;
  bool seen = false;
  Num peak{};
};

template <class Num>
struct rebase_state {
  static constexpr state_kind kind = state_kind::scalar;
  bool seen = false;
  Num first{};  // the first defined value (= 100)
};

// basket: each component's value at the first point where all are defined.
template <class Num>
struct basket_state {
  static constexpr state_kind kind = state_kind::scalar;
  bool anchored = false;
  std::vector<Num> anchors;
};

// host_call with a window of w bars: the last w rows of arguments, row r at
// rows[(r % w) * arity ...].
template <class Num>
struct host_state {
  static constexpr state_kind kind = state_kind::host;
  std::vector<Num> rows;
  std::int64_t rows_seen = 0;
};

// cross_above, cross_below: the operands at the previous timeline point.
template <class Num>
struct crossing_state {
  static constexpr state_kind kind = state_kind::scalar;
  bool has_previous = false;
  Num previous_a{}, previous_b{};
};

// for: the running streak of true.
struct streak_state {
  static constexpr state_kind kind = state_kind::scalar;
  bool running = false;
  time_point start = 0;     // its first point
  std::int64_t length = 0;  // its points
};

// within, followed_by: the last point where the (first) operand held.
struct last_held_state {
  static constexpr state_kind kind = state_kind::scalar;
  bool held = false;
  time_point time = 0;
  std::int64_t pos = -1;
};

// fire: the edge and the rule's firings.
struct fire_state {
  static constexpr state_kind kind = state_kind::scalar;
  bool held_before = false;  // the condition held at the previous point
  std::int64_t firings = 0;
  time_point last_time = 0;  // of the last firing
  std::int64_t last_pos = 0;
};

// The state struct of each opcode; void for stateless ones.
template <opcode Op, class Num>
struct op_state {
  using type = void;
};
#define SLUICE_OP_STATE(op, S)       \
  template <class Num>               \
  struct op_state<opcode::op, Num> { \
    using type = S;                  \
  };
SLUICE_OP_STATE(lag_bars, lag_ring_state<Num>)
SLUICE_OP_STATE(lag_time, lag_time_state<Num>)
SLUICE_OP_STATE(sma, sma_state<Num>)
SLUICE_OP_STATE(stdev, stdev_state<Num>)
SLUICE_OP_STATE(highest, rolling_extreme_state<Num>)
SLUICE_OP_STATE(lowest, rolling_extreme_state<Num>)
SLUICE_OP_STATE(ema, ema_state<Num>)
SLUICE_OP_STATE(rsi, rsi_state<Num>)
SLUICE_OP_STATE(drawdown, drawdown_state<Num>)
SLUICE_OP_STATE(rebase, rebase_state<Num>)
SLUICE_OP_STATE(basket, basket_state<Num>)
SLUICE_OP_STATE(host_call, host_state<Num>)
SLUICE_OP_STATE(cross_above, crossing_state<Num>)
SLUICE_OP_STATE(cross_below, crossing_state<Num>)
SLUICE_OP_STATE(new_high, new_extreme_state<Num>)
SLUICE_OP_STATE(new_low, new_extreme_state<Num>)
SLUICE_OP_STATE(for_, streak_state)
SLUICE_OP_STATE(within, last_held_state)
SLUICE_OP_STATE(followed_by, last_held_state)
SLUICE_OP_STATE(fire, fire_state)
#undef SLUICE_OP_STATE
template <opcode Op, class Num>
using op_state_t = typename op_state<Op, Num>::type;

// Every state struct, one vector each in a run.
template <class Num>
using state_vectors = std::tuple<
    std::vector<lag_ring_state<Num>>, std::vector<lag_time_state<Num>>, std::vector<sma_state<Num>>,
    std::vector<stdev_state<Num>>, std::vector<rolling_extreme_state<Num>>,
    std::vector<new_extreme_state<Num>>, std::vector<ema_state<Num>>, std::vector<rsi_state<Num>>,
    std::vector<drawdown_state<Num>>, std::vector<rebase_state<Num>>,
    std::vector<basket_state<Num>>, std::vector<host_state<Num>>, std::vector<crossing_state<Num>>,
    std::vector<streak_state>, std::vector<last_held_state>, std::vector<fire_state>>;

namespace detail {
template <opcode Op, class Num>
constexpr bool state_matches_table() {
  using S = op_state_t<Op, Num>;
  if constexpr (std::is_void_v<S>)
    return !is_stateful(Op);
  else
    return S::kind == info(Op).state;
}
template <class Num, std::size_t... I>
constexpr bool states_match_table(std::index_sequence<I...>) {
  return (state_matches_table<static_cast<opcode>(I), Num>() && ...);
}
template <opcode Op, class Num>
constexpr std::size_t state_size() {
  if constexpr (std::is_void_v<op_state_t<Op, Num>>)
    return 0;
  else
    return sizeof(op_state_t<Op, Num>);
}
template <class Num, std::size_t... I>
constexpr std::array<std::size_t, sizeof...(I)> state_sizes(std::index_sequence<I...>) {
  return {state_size<static_cast<opcode>(I), Num>()...};
}
}  // namespace detail

static_assert(detail::states_match_table<double>(std::make_index_sequence<opcode_count>{}),
              "an opcode has a state struct exactly when the table calls it stateful, of the "
              "table's state kind");

// Bytes of an instruction's fixed-size state (its windows' contents come on top).
template <class Num>
inline constexpr std::array<std::size_t, opcode_count> state_struct_bytes =
    detail::state_sizes<Num>(std::make_index_sequence<opcode_count>{});

}  // namespace sluice
