// `sluice explain FILE --rule NAME [--at DATE] [--exact]`: a rule's condition as a tree
// with each part's value at a date and the numbers behind it, and why the rule did or did
// not fire. Built on the reference evaluator, so it explains the language's semantics, not
// the VM; with --exact it evaluates in decimal, as `run --exact` does.
#pragma once
#include <optional>
#include <string>

#include "interpreter/program.hpp"
#include "interpreter/run/run.hpp"

namespace sluice {

// Prints to stdout; problems (unknown rule, no data at the date) go to stderr. Without
// `at`, explains every date where the rule fired. `exact`: evaluate in 34-digit decimal
// (docs/exact.md), reading the data's decimal text; values print their exact digits.
// Returns the exit status (0 or 1).
int explain_command(const std::string& file, const std::string& source, const program& p,
                    series_provider& data, const std::string& rule, std::optional<time_point> at,
                    bool exact = false);

}  // namespace sluice
