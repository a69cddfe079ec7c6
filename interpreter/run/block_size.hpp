// How many timeline points the VM evaluates per block.
#pragma once
#include <cstddef>

#include "interpreter/program.hpp"

namespace sluice {

// Points per block when the caller leaves run_options::block_size at 0: as many as keep
// one block of every register within about 1 MB (a core's L2 cache here), from 1,024 to
// 4,096. Larger blocks spread the work done once per block (dispatch, window set-up, the
// segments of the new-high blocks) over more points: W1's 33 registers get 4,096 (VM
// 28 -> 25.5 ms per million bars), a program with hundreds of registers stays at 1,024.
std::size_t block_size_for(const program& p);

}  // namespace sluice
