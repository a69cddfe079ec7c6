// Cross-sectional instructions (xs_rank, xs_mean, xs_median, xs_breadth): at each point of
// a block, one computation across the registers of a universe's members (AUX[k]). They are
// kept out of the VM's main dispatch so that the per-symbol instructions and these can
// change independently; the VM hands over its register file for the block.
#pragma once
#include <cstddef>
#include <cstdint>

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

constexpr bool is_cross_section(opcode op) {
  return op == opcode::xs_rank || op == opcode::xs_mean || op == opcode::xs_median ||
         op == opcode::xs_breadth;
}

}  // namespace sluice
