// Running a compiled program over history: the whole run API in one include, for callers
// that use most of it (the CLI, the embedding API, tests). Each part has its own header:
//   provider.hpp    where data comes from (series_provider, csv_provider, observations)
//   events.hpp      events and their values; make_event for streaming firings
//   alignment.hpp   fetching each input once, the timeline, as-of alignment
//   block_size.hpp  points per VM block
//   batch.hpp       run_options, run_result, run_batch
//   columns.hpp     run_columns (whole register columns, for the REPL)
#pragma once
#include "interpreter/run/alignment.hpp"
#include "interpreter/run/batch.hpp"
#include "interpreter/run/block_size.hpp"
#include "interpreter/run/columns.hpp"
#include "interpreter/run/events.hpp"
#include "interpreter/run/provider.hpp"
