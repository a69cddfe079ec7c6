// The API's calendar: to_timestamp refuses what is not a date (it rolled {2024, 13, 45} over
// into 2025-02-14), and format_timestamp shows seconds when a time has them (two ticks in one
// minute printed alike). Expected texts are written out by hand.
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>

#include "sluice/sluice.h"
#include "sluice/sluice.hpp"

TEST_CASE("time: to_timestamp refuses dates that are not on the calendar", "[api][time]") {
  CHECK_THROWS_AS(sluice::to_timestamp({2024, 13, 45}), std::invalid_argument);
  CHECK_THROWS_AS(sluice::to_timestamp({2023, 2, 29}), std::invalid_argument);  // not a leap year
  CHECK_THROWS_AS(sluice::to_timestamp({2024, 4, 31}), std::invalid_argument);
  CHECK_THROWS_AS(sluice::to_timestamp({2024, 0, 1}), std::invalid_argument);
  CHECK_THROWS_AS(sluice::to_timestamp({2024, 1, 0}), std::invalid_argument);
  CHECK(sluice::to_timestamp({2024, 2, 29}) == 1709164800);  // 19782 days after 1970-01-01
  CHECK(sluice::to_timestamp({1970, 1, 1}) == 0);
  // The C API: SLUICE_NO_TIME and a reason.
  CHECK(sluice_date(2024, 13, 45) == SLUICE_NO_TIME);
  CHECK(std::string(sluice_last_error()).find("2024-13-45 is not a calendar date") !=
        std::string::npos);
  CHECK(sluice_date(2024, 2, 29) == 1709164800);
  CHECK(std::string(sluice_last_error()).empty());
}

TEST_CASE("time: format_timestamp shows seconds when the time has them", "[api][time]") {
  const sluice::timestamp day = sluice::to_timestamp({2026, 1, 8});
  CHECK(sluice::format_timestamp(day) == "2026-01-08");
  CHECK(sluice::format_timestamp(day + 5 * 60) == "2026-01-08 00:05");
  CHECK(sluice::format_timestamp(day + 5 * 60 + 30) == "2026-01-08 00:05:30");
  CHECK(sluice::format_timestamp(day + 13 * 3600 + 59 * 60 + 1) == "2026-01-08 13:59:01");
  CHECK(sluice::format_timestamp(-1) == "1969-12-31 23:59:59");
  char buf[32];
  CHECK(sluice_format_time(day + 30, buf, sizeof buf) == 19);
  CHECK(std::string(buf) == "2026-01-08 00:00:30");
}
