// Month arithmetic, pinned by a table. Every row was worked out on a paper calendar: a
// month step keeps the day of the month and clamps it to the target month's length, with
// February following the Gregorian leap rule (docs/semantics.md, "Durations").
#include <catch2/catch.hpp>

#include <string>

#include "interpreter/time.hpp"

namespace {

sluice::time_point day(const char* iso) { return *sluice::parse_iso_date(iso); }

sluice::duration months(std::int64_t n) { return {sluice::duration::unit::months, n}; }

}  // namespace

TEST_CASE("calendar: t - N months and t + N months, clamped to the month's length", "[time]") {
  struct row {
    const char* from;
    std::int64_t months;  // negative: subtract
    const char* to;
  };
  const row rows[] = {
      {"2024-03-31", -1, "2024-02-29"},  // leap February
      {"2023-03-31", -1, "2023-02-28"},  // common February
      {"2024-01-31", +1, "2024-02-29"},
      {"2023-01-31", +1, "2023-02-28"},
      {"2024-05-31", -1, "2024-04-30"},  // 30-day month
      {"2024-03-15", -1, "2024-02-15"},  // no clamping needed
      {"2024-01-15", -1, "2023-12-15"},  // across the year
      {"2024-12-31", +2, "2025-02-28"},
      {"2024-02-29", -12, "2023-02-28"},  // 1y back from a leap day
      {"2024-02-29", +12, "2025-02-28"},
      {"2024-02-29", +48, "2028-02-29"},  // four years on: a leap day again
      {"2000-03-31", -1, "2000-02-29"},   // 2000 is a leap year (divisible by 400)
      {"1900-03-31", -1, "1900-02-28"},   // 1900 is not (divisible by 100)
      {"1969-12-31", +2, "1970-02-28"},   // before the epoch
      {"2026-08-31", -6, "2026-02-28"},
  };
  for (const row& r : rows) {
    INFO(r.from << " " << r.months << "mo");
    const sluice::time_point t = day(r.from);
    const sluice::time_point got =
        r.months < 0 ? sluice::subtract(t, months(-r.months)) : sluice::add(t, months(r.months));
    CHECK(sluice::format_time(got) == r.to);
  }
}

TEST_CASE("calendar: a month step keeps the time of day", "[time]") {
  const sluice::time_point noon = day("2024-03-31") + 12 * 3600 * sluice::ms_per_second;
  CHECK(sluice::format_time(sluice::subtract(noon, months(1))) == "2024-02-29 12:00");
}

TEST_CASE("calendar: days in February follow the Gregorian rule", "[time]") {
  CHECK(sluice::days_in_month(2024, 2) == 29);
  CHECK(sluice::days_in_month(2023, 2) == 28);
  CHECK(sluice::days_in_month(2000, 2) == 29);
  CHECK(sluice::days_in_month(1900, 2) == 28);
  CHECK(sluice::days_in_month(2100, 2) == 28);
  CHECK(sluice::days_in_month(2024, 4) == 30);
  CHECK(sluice::days_in_month(2024, 12) == 31);
}
