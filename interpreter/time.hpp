// Dates, times and durations: the calendar arithmetic behind as-of alignment and windows.
// A time is milliseconds since 1970-01-01 00:00 UTC; a daily observation sits at midnight.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

using time_point = std::int64_t;  // milliseconds since the Unix epoch, UTC (+-292 million years)

constexpr std::int64_t ms_per_second = 1000;
constexpr std::int64_t ms_per_day = 86'400'000;
// The longest month: the one length every bound on calendar windows counts a month as
// (the window limit and the state estimate), so a month never passes one and fails the other.
constexpr std::int64_t max_days_per_month = 31;

// A window or lookback length. Weeks are stored as days and years as months, so
// `1y` and `12mo` mean the same span. `bars` counts timeline points, not time.
struct duration {
  enum class unit : std::uint8_t { days, months, bars };
  unit kind = unit::days;
  std::int64_t count = 0;

  bool is_bars() const { return kind == unit::bars; }
  bool is_calendar() const { return kind != unit::bars; }
  friend bool operator==(const duration&, const duration&) = default;
};

// Proleptic Gregorian calendar <-> days since the epoch (H. Hinnant's algorithms).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);
struct civil_date {
  std::int64_t year;
  unsigned month;
  unsigned day;
};
civil_date civil_from_days(std::int64_t days);
bool valid_civil(std::int64_t year, unsigned month, unsigned day);
// Days in `month` (1..12) of `year`, February following the Gregorian leap rule.
unsigned days_in_month(std::int64_t year, unsigned month);

// t - d for a calendar duration: days are exact 24-hour spans; months step the calendar
// month back and clamp the day to the month's length (2024-03-31 - 1mo = 2024-02-29).
// Inline for days and weeks (the usual windows and shifts), which the VM and the
// alignment compute at every point; months go through the calendar.
time_point shift_months(time_point t, std::int64_t months);
inline time_point subtract(time_point t, duration d) {
  if (d.kind == duration::unit::days) return t - d.count * ms_per_day;
  if (d.kind == duration::unit::months) return shift_months(t, -d.count);
  return t;
}
// t + d, the mirror of subtract (used for cooldowns and forward horizons).
time_point add(time_point t, duration d);

// Parses `YYYY-MM-DD` (the language's date literal and the CLI's --from/--to).
std::optional<time_point> parse_iso_date(std::string_view text);

// The day a time falls on (days since the epoch, rounded down: 1969-12-31 23:00 is day -1),
// and the milliseconds since that day's midnight.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - (a % b < 0 ? 1 : 0);
}
constexpr std::int64_t day_number(time_point t) { return floor_div(t, ms_per_day); }

// `2026-01-08`, or `2026-01-08 00:05` when the time of day is not midnight, `00:05:30` when
// it is not a whole minute and `00:05:30.250` when it is not a whole second (the CSV loader
// reads every one of these forms back).
std::string format_time(time_point t);
// `20d`, `4w` (when days divide by 7), `3mo`, `1y`, `20 bars`.
std::string format_duration(duration d);

}  // namespace sluice
