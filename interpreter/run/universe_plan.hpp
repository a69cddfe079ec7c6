// A universe program cut into independent per-member pieces (slices) and the
// cross-sectional reductions between them, for the parallel driver (parallel_run.hpp) and
// for distributed runs (docs/scale.md). The compiler expands `for each SYM in U` into one
// rule per member inside one program; the plan walks that program's bytecode backwards and
// gives each member a small program of its own. Design: docs/performance.md (Universes).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "interpreter/program.hpp"

namespace sluice {

// Where a slice reads a reduction's output: row `row` of cross-section step `step` (a rank
// is one row per member, mean/median/breadth one shared row 0).
struct xs_feed {
  std::uint32_t step = 0;
  std::uint32_t row = 0;
};

// One member's work: its rules and its operands of every cross-section, as a program with
// compact registers, constants, state slots and rules of its own.
struct member_slice {
  std::string member;  // "" for the rules that range over no universe
  program code;
  // Phase L is code.code[phase_begin[L], phase_begin[L + 1]); the reductions of level L + 1
  // run between phases L and L + 1.
  std::vector<std::size_t> phase_begin;
  std::vector<std::uint32_t> inputs;  // local input i < inputs.size(): global input inputs[i]
  std::vector<xs_feed> feeds;         // local input inputs.size() + f: reduction output feeds[f]
  std::vector<std::uint32_t> rules;   // local rule -> global rule index
  // Per local rule: 1 if its firings are this slice's events, 0 for another slice's rule
  // whose signal this one's rules read (it is computed here too, and reported there).
  std::vector<std::uint8_t> reports;
  // Global -> local registers, sorted by global register (find_local).
  std::vector<std::pair<reg_index, reg_index>> numbers, conditions;
};

// One cross-sectional instruction: its level, and where each member's operand is computed.
struct xs_step {
  opcode op = opcode::xs_mean;
  std::size_t instruction = 0;  // index in the program's code
  int level = 1;                // runs after phase level - 1 of every slice
  std::vector<std::pair<std::uint32_t, reg_index>> operands;  // per member: (slice, local reg)
  std::size_t rows() const { return op == opcode::xs_rank ? operands.size() : 1; }
};

struct universe_plan {
  std::vector<member_slice> slices;
  std::vector<xs_step> steps;
  int levels = 0;  // the highest reduction level (0: no cross-section at all)
};

universe_plan plan_universe(const program& p);

// The slice's register for global register `global`, or -1 if the slice does not hold it.
std::int64_t find_local(const std::vector<std::pair<reg_index, reg_index>>& map, reg_index global);

// The registers an event of rule `rule` prints, in the order events list them (its values,
// then the values in its alert texts): shared by the batch and parallel drivers.
std::vector<reg_index> event_registers(const compiled_rule& rule);

}  // namespace sluice
