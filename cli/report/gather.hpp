// The data block of a `sluice report` page: everything the page shows, as one JSON
// document (nlohmann-json, keys in a fixed order, so the same inputs give the same
// bytes). The page's script only lays it out; every number is computed here.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/program.hpp"
#include "interpreter/run/run.hpp"

namespace sluice::report {

struct gather_input {
  std::string rule_file;            // as given on the command line
  const program* p = nullptr;
  series_provider* data = nullptr;  // the provider the runs read (its files are loaded)
  run_options run;                  // run.to: --as-of (the data is cut there)
  std::optional<time_point> from, to;  // --from / --to: the events and points reported
  std::vector<duration> horizons;   // `set horizons`, or 30d 60d 90d as `run --stats`
  std::size_t draw_limit = 4000;    // points per drawn series before downsampling
  // Every firing is a marker at its exact date; the detail of an event (its values, the
  // returns after it, the first lines of its explanation) is carried for the first and the
  // last half of these many events per rule, so a busy rule's page stays small.
  std::size_t detail_limit = 100;  // events per rule listed with values and returns
  std::size_t explain_limit = 30;  // of those, events whose explanation the page carries
};

// Runs the program (events, watched columns, the columns each rule reads) and gathers the
// page's data. Null after reporting problems to `diags`.
std::optional<nlohmann::ordered_json> gather(const gather_input& in, diagnostics& diags);

}  // namespace sluice::report
