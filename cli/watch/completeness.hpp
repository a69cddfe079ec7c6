// When is a point complete? The no-repaint rule of `sluice watch` (docs/watch.md): a point t
// is evaluated only when every series the rules read is complete through t, that is when no
// observation of it dated <= t can still arrive. Series s is complete through the latest of
//   - the last clock line ({"clock": C}: every observation dated <= C has been sent);
//   - its own next date minus a second (a millisecond for a series less than a second
//     apart): series are fed in time order, so after an
//     observation at L nothing dated <= L can come, and nothing before L + gap_s where gap_s
//     is the shortest gap the series is known to keep (its catalogue spacing, or the
//     smallest gap in its history); an observation that breaks this is reported as late;
//   - the wall clock less its grace: now - (spacing_s + lag_s), by when an observation's bar
//     has ended and its publisher has put it out (catalogue; median gap otherwise), or
//     now - --grace when given.
// The second clause is what keeps a weekly series from holding a daily rule back a week.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/time.hpp"

namespace sluice::watch {

struct series_timing {
  std::string name;
  // The shortest gap between two observations: a calendar duration (catalogue: 1d, 7d,
  // 1mo) or, for data without a catalogue entry, milliseconds (intraday data keeps its hours).
  // Times here are milliseconds, as everywhere in watch.
  std::optional<duration> min_gap_calendar;
  std::int64_t min_gap_ms = ms_per_day;
  std::int64_t grace_ms = ms_per_day;            // usual spacing + publication lag
  std::string source;                            // "catalogue" or "history", for the summary
  std::optional<std::int64_t> latest;            // the latest observation accepted
};

class completeness {
 public:
  completeness(std::vector<series_timing> series, std::optional<std::int64_t> grace_ms);

  void observed(std::size_t i, std::int64_t t);  // an accepted observation of series i
  void clock(std::int64_t t);                    // a clock line
  // The time through which every series is complete at wall clock `now`.
  std::int64_t horizon(std::int64_t now) const;
  std::int64_t complete_through(std::size_t i, std::int64_t now) const;

  const std::vector<series_timing>& series() const { return series_; }

 private:
  std::vector<series_timing> series_;
  std::optional<std::int64_t> grace_;
  std::optional<std::int64_t> clock_;
};

// Timing for a series without a catalogue entry, from its history's observation times:
// the smallest gap (1 day with fewer than 2 observations) and the median gap as the grace.
series_timing timing_from_history(std::string name, const std::vector<std::int64_t>& times);

}  // namespace sluice::watch
