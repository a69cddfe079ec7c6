// What the load summary says about each series a program reads: the file and column it
// resolved to, the dates it covers, and warnings when it ends (or starts) far from the
// timeline's ends, so that "no events" is never the only thing a user sees.
#pragma once
#include <string>
#include <vector>

#include "interpreter/data/coverage.hpp"
#include "interpreter/program.hpp"
#include "interpreter/run/run.hpp"

namespace sluice {

struct input_coverage {
  series_coverage coverage;
  duration stale;  // after `last` (plus the lag), reads of the series are na
};

// Coverage of every CSV series column `p` reads (each once), in input order.
std::vector<input_coverage> coverage_of_inputs(const program& p, const csv_provider& data);

// One warning per series that ends before the timeline's last point by more than its
// staleness (rules reading it see na before the timeline ends) or starts more than a
// year after the timeline's first point. Without a trailing newline.
std::vector<std::string> coverage_warnings(const std::vector<input_coverage>& inputs,
                                           time_point timeline_first, time_point timeline_last);

}  // namespace sluice
