// The batch driver: a compiled program over history, block by block through the VM,
// firings turned into events.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "interpreter/diagnostics.hpp"
#include "interpreter/program.hpp"
#include "interpreter/run/events.hpp"
#include "interpreter/run/provider.hpp"

namespace sluice {

struct run_options {
  std::optional<time_point> from;  // events before this are not reported (warm-up still runs)
  std::optional<time_point> to;    // the timeline ends here
  std::size_t block_size = 0;      // points per VM block; 0: block_size_for(program)
  bool keep_watched = false;       // keep watched series' columns (forward stats need them)
  // Exact mode (`--exact`, docs/exact.md): the same program evaluated in 34-digit decimal
  // arithmetic; inputs are read from their decimal text (series_provider::fetch_text),
  // literals from theirs. Event values then carry `text`; watched columns are rounded to
  // double for the forward stats.
  bool exact = false;
  // Time each rule's evaluation (vm::time_rules): run_result::rule_nanoseconds.
  bool time_rules = false;
};

// A watched series' values on the whole timeline (kept when run_options::keep_watched).
struct watched_series {
  std::string name;
  reg_index reg = 0;
  std::vector<double> values;
  // When the watched series is a basket(x1..xk): its components as written and their
  // columns, so that forward returns are those of equal weights bought at the event
  // (docs/semantics.md, "Forward returns of a basket"), not of the anchored index.
  std::vector<std::string> component_names;
  std::vector<reg_index> component_regs;
  std::vector<std::vector<double>> components;
};

struct run_result {
  bool ok = false;
  std::vector<event> events;
  std::size_t timeline_points = 0;
  time_point first = 0, last = 0;
  std::vector<time_point> timeline;       // kept with keep_watched
  std::vector<watched_series> watched;    // kept with keep_watched
  // Per host function (program.host_functions order): calls that threw or returned an
  // infinity and gave na instead (vm::host_failures); empty when none failed.
  std::vector<std::uint64_t> host_failures;
  // With run_options::time_rules: nanoseconds per rule (program.rules order) in the VM.
  std::vector<std::int64_t> rule_nanoseconds;
};

// If w.reg is written by a basket instruction: its component registers and names.
void find_basket_components(const program& p, watched_series& w);

run_result run_batch(const program& p, series_provider& data, const run_options& options,
                     diagnostics& diags);

}  // namespace sluice
