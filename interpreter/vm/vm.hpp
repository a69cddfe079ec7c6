// The VM: executes a program's instructions over blocks of consecutive timeline points.
// One dispatch per instruction per block; each instruction's loop runs over the block.
// State that crosses blocks (previous values, window contents, last-held times, rule
// edges) lives here, in the run, never in the program: a batch run feeds blocks of up to
// block_capacity points, a streaming session feeds blocks of one, with the same results.
#pragma once
#include <cstdint>
#include <limits>
#include <vector>

#include "interpreter/number.hpp"
#include "interpreter/program.hpp"
#include "interpreter/vm/ring_deque.hpp"

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

// An entry of a window: one timeline point's value.
template <class Num>
struct window_entry {
  time_point time;
  std::int64_t pos;
  Num value;
};

// Per-instruction state; each stateful instruction owns one slot (instruction::s).
template <class Num>
struct slot_state {
  Num x{}, y{}, z{};       // previous operands, running sums, ema / rsi averages, peak
  std::int64_t count = 0;  // values seen, streak length, changes seen
  std::int64_t pos = -1;   // a remembered timeline index (last held, first defined)
  time_point time = 0;     // a remembered time (last held, streak start, first defined)
  bool has = false;        // whether pos/time/x hold something yet
  ring_deque<window_entry<Num>> window;
  std::vector<Num> ring;   // lag_bars and sma (bars) history, basket anchors
  std::size_t head = 0;    // lag_bars, sma (bars): the ring's oldest value
  std::int64_t extra = 0;  // sma (bars): defined values in the ring
  // stdev: the last defined point whose value differs from the previous defined value's
  // (a window starting at or after it is flat).
  std::int64_t last_change = std::numeric_limits<std::int64_t>::min() / 2;
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

  // Register r's values for the current block (an input register views its column).
  const Num* number(reg_index r) const { return view_[r]; }
  // Condition register r as c_false / c_true / c_na bytes.
  const std::uint8_t* condition(reg_index r) const {
    return reinterpret_cast<const std::uint8_t*>(&conds_[r * capacity_]);
  }
  std::size_t capacity() const { return capacity_; }
  // Approximate bytes held by window state (streaming memory checks).
  std::size_t state_bytes() const;

 private:
  const Num* num(reg_index r) const { return view_[r]; }  // an operand
  Num* num_out(reg_index r) { return &nums_[r * capacity_]; }  // a destination
  cval* cond(reg_index r) { return &conds_[r * capacity_]; }
  void step(const instruction& in, const block_view& b, const Num* const* inputs,
            std::vector<firing>& fired);
  void stdev(const instruction& in, const block_view& b, slot_state<Num>& s);
  bool stdev_block(const instruction& in, const block_view& b, slot_state<Num>& s);
  // t - w at every point of the block, computed ahead of an instruction's loop.
  const time_point* horizons(const block_view& b, const duration& w);
  void sma_bars(const instruction& in, const block_view& b, slot_state<Num>& s);
  void sma_calendar(const instruction& in, const block_view& b, slot_state<Num>& s);
  void new_extreme(const instruction& in, const block_view& b, slot_state<Num>& s);
  bool new_extreme_block(const instruction& in, const block_view& b, slot_state<Num>& s);
  bool new_extreme_calendar_block(const instruction& in, const block_view& b, slot_state<Num>& s);

  const program& program_;
  std::size_t capacity_;
  std::vector<Num> nums_;
  // Where each numeric register is read from: its row of nums_, except that an `input`
  // register points at the block's input column instead of copying it. Registers are
  // assigned once (one per instruction), so no instruction writes through a view.
  std::vector<const Num*> view_;
  std::vector<cval> conds_;
  std::vector<slot_state<Num>> slots_;
  std::vector<Num> scratch_;          // per-block working columns (new_extreme_block)
  std::vector<time_point> horizons_;  // per-block t - w (horizons())
  std::vector<std::size_t> chain_;    // per-block working indices (new_extreme_block)
  time_point report_from_ = std::numeric_limits<time_point>::min();
};

// Tri-state condition values.
constexpr std::uint8_t c_false = 0, c_true = 1, c_na = 2;
static_assert(static_cast<std::uint8_t>(cval::no) == c_false &&
              static_cast<std::uint8_t>(cval::yes) == c_true &&
              static_cast<std::uint8_t>(cval::na) == c_na);

}  // namespace sluice
