// An upper estimate of the memory a run of a program holds, known at compile time, so that the
// embedding API can refuse untrusted rule text whose windows would need too much memory.
#pragma once
#include <cstddef>

#include "interpreter/program.hpp"

namespace sluice {

// Registers for one block of `block` points plus every state slot's window at its full length.
// Calendar windows are counted at one timeline point per day (daily data); intraday data with
// more points per day needs proportionally more.
std::size_t estimate_state_bytes(const program& p, std::size_t block);

}  // namespace sluice
