// The VM: executes a program's instructions over blocks of consecutive timeline points.
// One dispatch per instruction per block; each instruction's loop runs over the block.
// State that crosses blocks (previous values, window contents, last-held times, rule
// edges) lives here, in the run, never in the program: a batch run feeds blocks of up to
// block_capacity points, a streaming session feeds blocks of one, with the same results.
#pragma once
#include <chrono>
#include <cstdint>
#include <limits>
#include <vector>

#include "interpreter/number.hpp"
#include "interpreter/program.hpp"
#include "interpreter/vm/vm_state.hpp"

namespace sluice {

// The points of one block: their times and the global index of the first one.
struct block_view {
  std::size_t size = 0;
  const time_point* times = nullptr;
  std::int64_t first_pos = 0;  // timeline index of times[0]
};

// A rule firing inside the current block.
struct firing {
  std::size_t index = 0;  // point within the block
  std::uint32_t rule = 0;
};

// A condition value inside the VM. Its own type rather than std::uint8_t: a store through
// an unsigned char pointer may alias anything, so the loops that write conditions had to
// reload their window state after every store. Its bytes are c_false / c_true / c_na.
enum class cval : std::uint8_t { no = 0, yes = 1, na = 2 };
constexpr cval tri(bool b) { return b ? cval::yes : cval::no; }

template <class Num>
class vm {
 public:
  vm(const program& p, std::size_t block_capacity);

  // Firings dated before `from` are not firings: they neither report nor start a
  // cooldown; the edge detection still sees the condition there.
  void set_report_from(time_point from) { report_from_ = from; }

  // Evaluates one block. inputs[k] points at block.size values of input k.
  void execute(const block_view& block, const Num* const* inputs, std::vector<firing>& fired);
  // The same for instructions [first, last) of the code only: the parallel driver runs a
  // member's code phase by phase, cross-sectional reductions in between.
  void execute(const block_view& block, const Num* const* inputs, std::vector<firing>& fired,
               std::size_t first, std::size_t last);

  // Register r's values for the current block (an input register views its column).
  const Num* number(reg_index r) const { return view_[r]; }
  // Condition register r as c_false / c_true / c_na bytes.
  const std::uint8_t* condition(reg_index r) const {
    return reinterpret_cast<const std::uint8_t*>(&conds_[r * capacity_]);
  }
  std::size_t capacity() const { return capacity_; }
  // Approximate bytes held by window state (streaming memory checks).
  std::size_t state_bytes() const;
  // Calls of each host function (program.host_functions order) that threw or returned an
  // infinity: each gave na at its point. Empty until the first failure.
  const std::vector<std::uint64_t>& host_failures() const { return host_failures_; }
  // Per-rule evaluation time (docs/embedding.md, "Counters"), off until turned on. The full
  // execute() then reads a steady clock after each rule's instructions, once per rule per
  // block: the instructions a rule's compilation emitted (those it shares with earlier
  // rules were emitted by, and count for, the first of them) are timed together.
  void time_rules();
  // Nanoseconds per rule (program.rules order) so far; empty while timing is off.
  const std::vector<std::int64_t>& rule_nanoseconds() const { return rule_ns_; }
  // The state that crosses blocks, copied out and back: a streaming session evaluates its
  // pending points as one block and, when an event callback throws or pushes an observation
  // dated inside the block, returns to the block's start and evaluates only up to the
  // point being delivered (interpreter/run/stream.cpp).
  using saved_state = state_vectors<Num>;
  void save_state(saved_state& into) const { into = states_; }
  void restore_state(const saved_state& from) { states_ = from; }

 private:
  const Num* num(reg_index r) const { return view_[r]; }  // an operand
  Num* num_out(reg_index r) { return &nums_[r * capacity_]; }  // a destination
  cval* cond(reg_index r) { return &conds_[r * capacity_]; }
  // Runs one instruction over the block: a short case per opcode.
  void step(const instruction& in, const block_view& b, const Num* const* inputs);
  // The state of stateful instruction `in`, of its opcode's struct (vm_state.hpp).
  template <opcode Op>
  op_state_t<Op, Num>& state(const instruction& in) {
    return std::get<std::vector<op_state_t<Op, Num>>>(states_)[place_[in.s]];
  }
  std::uint32_t place(opcode op);
  template <opcode Op>
  std::uint32_t place_state();
  void between(const instruction& in, std::size_t n);
  void negate(const instruction& in, std::size_t n);
  // t - w at every point of the block, computed ahead of an instruction's loop.
  const time_point* horizons(const block_view& b, const duration& w);

  // The stateful operators, one function each, all of one shape: the instruction, the
  // block, the instruction's state. Stateless ones are the short cases of step().
  void lag_bars(const instruction& in, const block_view& b, lag_ring_state<Num>& s);
  void lag_time(const instruction& in, const block_view& b, lag_time_state<Num>& s);
  void sma_bars(const instruction& in, const block_view& b, sma_state<Num>& s);
  void sma_calendar(const instruction& in, const block_view& b, sma_state<Num>& s);
  void stdev(const instruction& in, const block_view& b, stdev_state<Num>& s);
  bool stdev_block(const instruction& in, const block_view& b, stdev_state<Num>& s);
  void rolling_extreme(const instruction& in, const block_view& b, rolling_extreme_state<Num>& s);
  void ema(const instruction& in, const block_view& b, ema_state<Num>& s);
  void rsi(const instruction& in, const block_view& b, rsi_state<Num>& s);
  void drawdown(const instruction& in, const block_view& b, drawdown_state<Num>& s);
  void rebase(const instruction& in, const block_view& b, rebase_state<Num>& s);
  void basket(const instruction& in, const block_view& b, basket_state<Num>& s);
  void host_call(const instruction& in, const block_view& b, host_state<Num>& s);
  void crossing(const instruction& in, const block_view& b, crossing_state<Num>& s);
  void new_extreme(const instruction& in, const block_view& b, new_extreme_state<Num>& s);
  bool new_extreme_block(const instruction& in, const block_view& b, new_extreme_state<Num>& s);
  bool new_extreme_calendar_block(const instruction& in, const block_view& b,
                                  new_extreme_state<Num>& s);
  void held_for(const instruction& in, const block_view& b, streak_state& s);
  void within(const instruction& in, const block_view& b, last_held_state& s);
  void followed_by(const instruction& in, const block_view& b, last_held_state& s);
  void fire(const instruction& in, const block_view& b, fire_state& s);

  const program& program_;
  std::size_t capacity_;
  std::vector<Num> nums_;
  // Where each numeric register is read from: its row of nums_, except that an `input`
  // register points at the block's input column instead of copying it. Registers are
  // assigned once (one per instruction), so no instruction writes through a view.
  std::vector<const Num*> view_;
  std::vector<cval> conds_;
  state_vectors<Num> states_;
  std::vector<std::uint32_t> place_;      // instruction::s -> index in its struct's vector
  std::vector<firing>* fired_ = nullptr;  // execute()'s output, for fire()
  std::vector<Num> scratch_;          // per-block working columns (new_extreme_block)
  std::vector<time_point> horizons_;  // per-block t - w (horizons())
  std::vector<std::size_t> chain_;    // per-block working indices (new_extreme_block)
  time_point report_from_ = std::numeric_limits<time_point>::min();
  std::vector<std::uint64_t> host_failures_;  // host_failures()
  // time_rules(): where each rule's instructions end in program.code and which rule they
  // are, in code order, and the time per rule.
  struct rule_span {
    std::size_t end = 0;
    std::uint32_t rule = 0;
  };
  std::vector<rule_span> rule_spans_;
  std::vector<std::int64_t> rule_ns_;
  void execute_timed(const block_view& block, const Num* const* inputs);
};

// Tri-state condition values.
constexpr std::uint8_t c_false = 0, c_true = 1, c_na = 2;
static_assert(static_cast<std::uint8_t>(cval::no) == c_false &&
              static_cast<std::uint8_t>(cval::yes) == c_true &&
              static_cast<std::uint8_t>(cval::na) == c_na);

}  // namespace sluice
