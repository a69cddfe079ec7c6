// Coverage: which file and column a series name resolved to, the dates it covers and how
// often it is observed. Shown in the load summary, by `sluice data` and the REPL's
// `:series`, and behind the staleness warnings of a run: a rule reading a series that
// ended years before the timeline does sees `na`, and the user should be told.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/time.hpp"

namespace sluice {

struct series_coverage {
  std::string name;    // the name rules use ("tga"), lower case
  std::string path;    // the file it was read from
  std::string column;  // the value column's header as written ("WTREGEN", "Close")
  std::size_t count = 0;           // observations (defined cells)
  time_point first = 0, last = 0;  // meaningful when count > 0
  std::string frequency;           // frequency_of(times)
  std::optional<duration> lag;     // the publication lag the run applies, if any
  std::string lag_source;          // where it came from ("catalogue fred:WTREGEN", "--lag", ...)
};

// The observations' usual spacing in words: "daily", "weekly", "monthly", "quarterly",
// "yearly", "every N days", "intraday" or "single observation", from the median gap.
std::string frequency_of(const std::vector<time_point>& times);

// Coverage of one series column: count, first/last and frequency filled from `times`.
series_coverage coverage_of(std::string name, std::string path, std::string column,
                            const std::vector<time_point>& times);

// One line: "tga  <- data/wtregen.csv (WTREGEN)  2003-01-08 .. 2023-07-26  weekly  1,073 obs".
std::string format_coverage(const series_coverage& c);

// Years between two times, for messages ("2.4 years").
std::string years_between(time_point a, time_point b);

}  // namespace sluice
