// Universe programs on several threads (`sluice run --threads N`): each member's slice
// (universe_plan.hpp) in a VM of its own, slices split across worker threads, and the
// cross-sectional reductions computed block by block between phases, so that their memory
// is bounded by the block, not by the history. The result equals run_batch's exactly, for
// any number of threads: each slice is evaluated whole by one thread, every reduction reads
// its members in universe order, and firings are merged in (point, rule) order.
#pragma once
#include "interpreter/run/batch.hpp"

namespace sluice {

// True if the program has universe rules or cross-sections (what run_parallel splits).
bool has_universe(const program& p);

// The default of --threads: the hardware threads, at least 1.
unsigned default_threads();

// Like run_batch, with `threads` workers (1: the same split evaluated on this thread).
// options.block_size 0: as many points per block as keep all slices' registers within
// about 256 MB (16 to 1,024 points).
run_result run_parallel(const program& p, series_provider& data, const run_options& options,
                        unsigned threads, diagnostics& diags);

}  // namespace sluice
