// "All-time" on a short file: `x hits new high` without a window compares x with every
// prior point, so on data that begins in 2016 its first weeks are "all-time highs" that
// are only highs since 2016. A run warns once per rule that fires within a year of the
// first date of the series such a predicate reads.
#pragma once
#include <string>
#include <vector>

#include "cli/coverage_report.hpp"
#include "interpreter/program.hpp"
#include "interpreter/run/events.hpp"

namespace sluice {

// One warning per (rule, windowless new high/low) whose rule has an event dated less than
// a year after the latest first date of the series the predicate's operand reads. Events
// in time order; `inputs` from coverage_of_inputs. Without a trailing newline.
std::vector<std::string> all_time_warnings(const program& p, const std::vector<event>& events,
                                           const std::vector<input_coverage>& inputs);

}  // namespace sluice
