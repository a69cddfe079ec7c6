// A rule's condition explained at a date: a tree with each part's value and the numbers
// behind it, and why the rule did or did not fire. Built on the reference evaluator, so it
// explains the language's semantics, not the VM; `exact` evaluates in decimal, as
// `run --exact` does. `sluice explain`, the REPL and program::explain (the embedding API)
// all print this text.
#pragma once
#include <optional>
#include <string>

#include "interpreter/program.hpp"
#include "interpreter/run/run.hpp"

namespace sluice {

struct explanation {
  int status = 0;     // 0, or 1 when the rule or the data is missing (see `error`)
  std::string text;   // the explanation, one line per part
  std::string error;  // problems, one per line, without a "sluice: " prefix
};

// Without `at`, explains every date where the rule fired (or says it never did). `file`
// names the rules' source in the unknown-rule message. Rule names match exactly, else
// ignoring case.
explanation explain_rule(const std::string& file, const program& p, series_provider& data,
                         const std::string& rule, std::optional<time_point> at, bool exact);

}  // namespace sluice
