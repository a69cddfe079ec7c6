// The no-repaint rule (see completeness.hpp).
#include "cli/watch/completeness.hpp"

#include <algorithm>
#include <limits>

namespace sluice::watch {

completeness::completeness(std::vector<series_timing> series, std::optional<std::int64_t> grace_ms)
    : series_(std::move(series)), grace_(grace_ms) {}

void completeness::observed(std::size_t i, std::int64_t t) {
  auto& latest = series_[i].latest;
  if (!latest || t > *latest) latest = t;
}

void completeness::clock(std::int64_t t) {
  if (!clock_ || t > *clock_) clock_ = t;
}

std::int64_t completeness::complete_through(std::size_t i, std::int64_t now) const {
  const series_timing& s = series_[i];
  std::int64_t through = std::numeric_limits<std::int64_t>::min();
  if (clock_) through = *clock_;
  if (s.latest) {
    const std::int64_t next =
        s.min_gap_calendar ? add(*s.latest, *s.min_gap_calendar) : *s.latest + s.min_gap_ms;
    // The last instant before `next`, at the series' own resolution: a second (what the
    // summary and the late reports print: "23:59:59"), or a millisecond for a series that
    // ticks faster than once a second.
    const bool sub_second = !s.min_gap_calendar && s.min_gap_ms < ms_per_second;
    through = std::max(through, next - (sub_second ? 1 : ms_per_second));
  }
  through = std::max(through, now - (grace_ ? *grace_ : s.grace_ms));
  return through;
}

std::int64_t completeness::horizon(std::int64_t now) const {
  std::int64_t h = std::numeric_limits<std::int64_t>::max();
  for (std::size_t i = 0; i < series_.size(); ++i) h = std::min(h, complete_through(i, now));
  return series_.empty() ? now : h;
}

series_timing timing_from_history(std::string name, const std::vector<std::int64_t>& times) {
  series_timing t;
  t.name = std::move(name);
  t.source = "history";
  if (times.size() < 2) return t;
  std::vector<std::int64_t> gaps;
  gaps.reserve(times.size() - 1);
  for (std::size_t i = 1; i < times.size(); ++i) gaps.push_back(times[i] - times[i - 1]);
  t.min_gap_ms = std::max<std::int64_t>(1, *std::min_element(gaps.begin(), gaps.end()));
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2), gaps.end());
  t.grace_ms = gaps[gaps.size() / 2];
  return t;
}

}  // namespace sluice::watch
