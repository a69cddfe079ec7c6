// Cross-sectional instructions (xs_rank, xs_mean, xs_median, xs_breadth): at each point of
// a block, one computation across the registers of a universe's members (AUX[k]). They are
// kept out of the VM's main dispatch so that the per-symbol instructions and these can
// change independently; the VM hands over its register file for the block. The parallel
// driver (interpreter/run/parallel_run.cpp) calls the same reduction on columns read from
// each member's own VM, so a threaded run computes exactly what a single VM does.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

#include "interpreter/program.hpp"

namespace sluice {

// The VM's registers for one block: nums[r] is numeric register r's column, num_rows the
// writable rows (row r at r * capacity), conds the condition bytes (0 false, 1 true, 2 na).
template <class Num>
struct xs_registers {
  const Num* const* nums;
  Num* num_rows;
  const std::uint8_t* conds;
  std::size_t capacity;
};

// Evaluates one cross-sectional instruction over the block's first n points. Ties in
// xs_rank go to the member listed first in the universe (AUX[k] is in universe order), so
// ranks are a permutation of 1..m over the m members defined at the point.
template <class Num>
void cross_section(const instruction& in, const program& p, std::size_t n,
                   const xs_registers<Num>& regs);

// The reduction itself, over n points, with each member's operand given as a column in
// universe order: numbers[j] (rank, mean, median) or conditions[j] (breadth). Writes
// out[i] (mean, median, breadth) or member j's rank at out[j * stride + i].
template <class Num>
void reduce_cross_section(opcode op, std::size_t n, std::span<const Num* const> numbers,
                          std::span<const std::uint8_t* const> conditions, Num* out,
                          std::size_t stride);

constexpr bool is_cross_section(opcode op) {
  return op == opcode::xs_rank || op == opcode::xs_mean || op == opcode::xs_median ||
         op == opcode::xs_breadth;
}

}  // namespace sluice
