// Millisecond times inside the interpreter: the CSV date parser's fractions of a second,
// format_time's forms, and calendar windows and shifts at millisecond resolution. Expected
// values are worked out by hand (2026-01-08 is day 20461 after 1970-01-01).
#include <catch2/catch.hpp>
#include <string>

#include "interpreter/data/csv_dates.hpp"
#include "interpreter/time.hpp"

using namespace sluice;

namespace {

constexpr time_point jan8 = 20461LL * ms_per_day;

std::optional<time_point> cell(std::string_view text) {
  return parse_date_cell(text, slash_order::month_first).time;
}

}  // namespace

TEST_CASE("dates: fractions of a second are read to the millisecond", "[loader][time]") {
  const time_point t = jan8 + (5 * 60 + 30) * ms_per_second;  // 00:05:30
  CHECK(cell("2026-01-08T00:05:30Z") == t);
  CHECK(cell("2026-01-08T00:05:30.250Z") == t + 250);
  CHECK(cell("2026-01-08T00:05:30.25Z") == t + 250);
  CHECK(cell("2026-01-08T00:05:30.2Z") == t + 200);
  CHECK(cell("2026-01-08T00:05:30.007") == t + 7);
  CHECK(cell("2026-01-08 00:05:30.250 UTC") == t + 250);
  // Digits past the millisecond are dropped, as the fraction once was for whole seconds.
  CHECK(cell("2026-01-08T00:05:30.250999Z") == t + 250);
  CHECK(cell("2026-01-08T00:05:30.000000001Z") == t);
  // The zone applies after the fraction: 02:05:30.250+02:00 is 00:05:30.250 UTC.
  CHECK(cell("2026-01-08T02:05:30.250+02:00") == t + 250);
  // A point without digits is no time.
  CHECK(cell("2026-01-08T00:05:30.Z") == std::nullopt);
  CHECK(cell("2026-01-08T00:05:30.") == std::nullopt);
  // Unix timestamps: seconds and milliseconds, the latter now exact.
  CHECK(cell("1767830730") == (1767830730LL) * ms_per_second);
  CHECK(cell("1767830730250") == 1767830730250LL);
  CHECK(cell("1767830730250") != cell("1767830730000"));
  // The fast reader and plain dates: midnight in milliseconds.
  iso_day_reader reader;
  CHECK(reader.read("2026-01-08") == jan8);
  CHECK(cell("2026-01-08") == jan8);
  CHECK(parse_iso_date("2026-01-08") == jan8);
}

TEST_CASE("time: format_time prints seconds and milliseconds when there are some", "[time]") {
  CHECK(format_time(jan8) == "2026-01-08");
  CHECK(format_time(jan8 + 5 * 60 * ms_per_second) == "2026-01-08 00:05");
  CHECK(format_time(jan8 + 330 * ms_per_second) == "2026-01-08 00:05:30");
  CHECK(format_time(jan8 + 330 * ms_per_second + 250) == "2026-01-08 00:05:30.250");
  CHECK(format_time(jan8 + 300 * ms_per_second + 5) == "2026-01-08 00:05:00.005");
  CHECK(format_time(jan8 - 1) == "2026-01-07 23:59:59.999");
  CHECK(format_time(-1) == "1969-12-31 23:59:59.999");
  // Every form reads back.
  for (const time_point t : {jan8, jan8 + 300'000, jan8 + 330'000, jan8 + 330'250, jan8 - 1,
                             time_point{-1}, jan8 + 300'005})
    CHECK(cell(format_time(t)) == t);
}

TEST_CASE("time: calendar spans keep the time of day to the millisecond", "[time]") {
  const time_point noon = jan8 + 12 * 3600 * ms_per_second + 250;
  CHECK(subtract(noon, {duration::unit::days, 1}) == noon - ms_per_day);
  CHECK(add(noon, {duration::unit::days, 7}) == noon + 7 * ms_per_day);
  // 2026-01-08 12:00:00.250 - 1mo = 2025-12-08 12:00:00.250.
  CHECK(format_time(subtract(noon, {duration::unit::months, 1})) == "2025-12-08 12:00:00.250");
  CHECK(day_number(noon) == 20461);
  CHECK(day_number(-1) == -1);
  CHECK(floor_div(-1, ms_per_second) == -1);
  CHECK(floor_div(999, ms_per_second) == 0);
}
