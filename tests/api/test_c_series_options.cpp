// The C API's per-series lag and staleness (sluice_engine_add_series's lag_days and
// stale_days), checked with the same data and expectations as the C++ test "api: series
// options give lag and staleness": a C host that passes them must see the same events.
#include <catch2/catch.hpp>

#include <string>

#include "sluice/sluice.h"

namespace {

struct engine_and_program {
  sluice_engine* engine = sluice_engine_new(nullptr);
  sluice_program* program = nullptr;
  ~engine_and_program() {
    sluice_program_free(program);
    sluice_engine_free(engine);
  }
};

}  // namespace

TEST_CASE("C API: lag_days delays a series, stale_days ends an old value", "[api]") {
  int64_t times[10];
  double x[10];
  for (int i = 0; i < 10; ++i) {
    times[i] = sluice_date(2024, 1, 1 + i);
    x[i] = i + 1;
  }
  const double y[1] = {1};  // one observation, on Jan 1
  engine_and_program c;
  REQUIRE(c.engine);
  REQUIRE(sluice_engine_add_series(c.engine, "x", times, x, 10, /*lag_days=*/2, -1) == 0);
  REQUIRE(sluice_engine_add_series(c.engine, "y", times, y, 1, -1, /*stale_days=*/3) == 0);
  const std::string rules =
      "rule \"a\": when x >= 3 then alert \"{x} {y}\"\n"
      "rule \"b\": when x >= 2 then alert \"{y}\"";
  c.program = sluice_compile(c.engine, rules.data(), rules.size(), "c.sluice");
  INFO(sluice_engine_last_error(c.engine));
  REQUIRE(c.program);
  sluice_events* run = sluice_program_run(c.program, nullptr, nullptr);
  REQUIRE(sluice_events_ok(run));
  REQUIRE(sluice_events_count(run) == 2);
  // x lags 2 days: its Jan 2 value 2 is visible on Jan 4; y (Jan 1) is 3 days old: valid.
  const sluice_event* b = sluice_events_get(run, 0);
  CHECK(std::string(b->rule) == "b");
  CHECK(b->time == times[3]);
  REQUIRE(b->message_count == 1);
  CHECK(std::string(b->messages[0]) == "1");
  // On Jan 5, y is older than 3 days: missing.
  const sluice_event* a = sluice_events_get(run, 1);
  CHECK(std::string(a->rule) == "a");
  CHECK(a->time == times[4]);
  REQUIRE(a->message_count == 1);
  CHECK(std::string(a->messages[0]) == "3 na");
  sluice_events_free(run);
}

TEST_CASE("C API: negative lag_days and stale_days mean the defaults", "[api]") {
  int64_t times[3] = {sluice_date(2024, 1, 1), sluice_date(2024, 1, 2), sluice_date(2024, 1, 3)};
  const double x[3] = {1, 5, 5};
  engine_and_program c;
  REQUIRE(sluice_engine_add_series(c.engine, "x", times, x, 3, -1, -1) == 0);
  const std::string rules = "x > 3 then watch x";
  c.program = sluice_compile(c.engine, rules.data(), rules.size(), nullptr);
  REQUIRE(c.program);
  sluice_events* run = sluice_program_run(c.program, nullptr, nullptr);
  REQUIRE(sluice_events_count(run) == 1);
  CHECK(sluice_events_get(run, 0)->time == times[1]);  // no lag: seen the day it is dated
  sluice_events_free(run);
}
