// Sessions robust to bad input and bad hosts: non-finite values are refused (they poisoned
// every running sum for the rest of a session), an event callback that throws loses no
// point and no event, a callback that re-enters the session is refused, and misuse (a
// moved-from session, value() of a failed compile) is an error, not a crash.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "sluice/sluice.h"
#include "sluice/sluice.hpp"

namespace {

constexpr sluice::timestamp day = 86400;
const sluice::timestamp t0 = sluice::to_timestamp({2024, 1, 1});
constexpr double inf = std::numeric_limits<double>::infinity();

// An engine whose program reads one series, x, fed only by pushes.
sluice::program compile_on_x(const std::string& text) {
  sluice::engine eng;
  const std::vector<sluice::timestamp> no_times;
  const std::vector<double> no_values;
  REQUIRE(eng.add_series("x", no_times, no_values));
  const auto r = eng.compile(text);
  INFO(r.rendered());
  REQUIRE(r.ok());
  return r.value();
}

std::vector<sluice::timestamp> times_of(const std::vector<sluice::event>& events) {
  std::vector<sluice::timestamp> out;
  for (const auto& e : events) out.push_back(e.time);
  return out;
}

}  // namespace

TEST_CASE("session: infinite values are refused and do not poison sma", "[api][session]") {
  // By hand: the accepted values are 1, 1, 1, 10, 10 on days 0, 2, 3, 4, 5; the mean of the
  // last 3 bars is 1, 1, 1, 4, 7: above 5 on day 5 only. Before, the inf pushed on day 1
  // entered the running sum and the mean was NaN for the rest of the session: no event.
  const auto p = compile_on_x("sma(x, 3 bars) > 5 then watch x");
  std::vector<sluice::event> events;
  auto s = p.stream([&](const sluice::event& e) { events.push_back(e); });
  CHECK(s.push("x", t0, 1) == sluice::push_status::accepted);
  CHECK(s.push("x", t0 + day, inf) == sluice::push_status::invalid_value);
  CHECK(s.push("x", t0 + day, -inf) == sluice::push_status::invalid_value);
  CHECK(s.push("x", t0 + 2 * day, 1) == sluice::push_status::accepted);
  CHECK(s.push("x", t0 + 3 * day, 1) == sluice::push_status::accepted);
  CHECK(s.push("x", t0 + 4 * day, 10) == sluice::push_status::accepted);
  CHECK(s.push("x", t0 + 5 * day, 10) == sluice::push_status::accepted);
  CHECK(s.finish() == 5);  // the refused value made no timeline point
  REQUIRE(events.size() == 1);
  CHECK(events[0].time == t0 + 5 * day);
  CHECK(std::string(sluice::to_string(sluice::push_status::invalid_value)).find("finite") !=
        std::string::npos);
}

TEST_CASE("session: an exact session refuses infinite values too", "[api][session][exact]") {
  const auto p = compile_on_x("sma(x, 2 bars) > 5 then watch x");
  sluice::stream_options options;
  options.exact = true;
  std::vector<sluice::event> events;
  auto s = p.stream([&](const sluice::event& e) { events.push_back(e); }, options);
  CHECK(s.push("x", t0, 10) == sluice::push_status::accepted);
  CHECK(s.push("x", t0 + day, inf) == sluice::push_status::invalid_value);
  CHECK(s.push("x", t0 + 2 * day, 10) == sluice::push_status::accepted);
  s.finish();
  REQUIRE(events.size() == 1);  // the mean of 10 and 10, on day 2 (day 0 has one bar)
  CHECK(events[0].time == t0 + 2 * day);
}

TEST_CASE("session: add_series refuses non-finite values with the index and time",
          "[api][session]") {
  sluice::engine eng;
  const std::vector<sluice::timestamp> times{t0, t0 + day, t0 + 2 * day};
  const std::vector<double> values{1, inf, 2};
  const sluice::status st = eng.add_series("x", times, values);
  CHECK_FALSE(st.ok);
  CHECK(st.message.find("index 1") != std::string::npos);
  CHECK(st.message.find("not finite") != std::string::npos);
  // NaN is still a missing observation, as an empty CSV cell.
  const std::vector<double> gap{1, std::nan(""), 2};
  CHECK(eng.add_series("y", times, gap));
}

TEST_CASE("session: the C API says SLUICE_PUSH_INVALID_VALUE and SLUICE_PUSH_NO_SESSION",
          "[api][session][c]") {
  sluice_engine* e = sluice_engine_new(nullptr);
  REQUIRE(e);
  const int64_t times[] = {t0};
  const double values[] = {1};
  REQUIRE(sluice_engine_add_series(e, "x", times, values, 1, -1, -1) == 0);
  const std::string text = "x > 0 then watch x";
  sluice_program* p = sluice_compile(e, text.data(), text.size(), nullptr);
  REQUIRE(p);
  sluice_session* s = sluice_program_stream(p, nullptr, nullptr);
  REQUIRE(s);
  CHECK(sluice_session_push(s, "x", t0, inf) == SLUICE_PUSH_INVALID_VALUE);
  CHECK(sluice_session_push(s, "x", t0, 1) == SLUICE_PUSH_ACCEPTED);
  CHECK(sluice_session_push(nullptr, "x", t0, 1) == SLUICE_PUSH_NO_SESSION);
  CHECK(sluice_session_push_decimal(nullptr, "x", t0, "1") == SLUICE_PUSH_NO_SESSION);
  CHECK(std::string(sluice_push_status_text(SLUICE_PUSH_INVALID_VALUE)) != "unknown status");
  CHECK(std::string(sluice_push_status_text(SLUICE_PUSH_NO_SESSION)) != "unknown status");
  CHECK(std::string(sluice_push_status_text(SLUICE_PUSH_PENDING_FULL + 1)) == "unknown status");
  sluice_session_free(s);
  sluice_program_free(p);
  sluice_engine_free(e);
}

TEST_CASE("session: a throwing callback loses no point and no event", "[api][session]") {
  // Rules fire on rising edges (docs/semantics.md): x alternates 1, -1, 2, -1, ... over 10
  // days, so both rules fire on days 0, 2, 4, 6, 8: 10 events, by hand. The callback throws
  // once, at event `bad`; the exception reaches the host, and finish() delivers the rest in
  // order. Before, the pending points were erased when the exception left advance_to and
  // finish() evaluated nothing (1 of 5 events).
  const auto p = compile_on_x("rule \"a\": when x > 0 then watch x\n"
                              "rule \"b\": when x > 0 then watch x");
  for (std::size_t bad : {0u, 1u, 4u, 9u}) {
    INFO("throws at event " << bad);
    std::vector<sluice::event> events;
    std::size_t calls = 0;
    auto s = p.stream([&](const sluice::event& e) {
      if (calls++ == bad) throw std::runtime_error("host failure");
      events.push_back(e);
    });
    for (int i = 0; i < 10; ++i)
      REQUIRE(s.push("x", t0 + i * day, i % 2 == 0 ? 1 + i : -1) == sluice::push_status::accepted);
    CHECK_THROWS_AS(s.advance_to(t0 + 9 * day), std::runtime_error);
    // The clock stands at the point whose event threw: later points can still be pushed to.
    const sluice::timestamp threw_at = t0 + static_cast<sluice::timestamp>(bad / 2 * 2) * day;
    REQUIRE(s.clock());
    CHECK(*s.clock() == threw_at);
    CHECK(s.push("x", threw_at, 7) != sluice::push_status::accepted);  // late: evaluated
    s.finish();
    REQUIRE(events.size() == 9);  // all but the one whose callback threw
    std::vector<std::string> expected_rules;
    std::vector<sluice::timestamp> expected_times;
    for (std::size_t k = 0; k < 10; ++k) {
      if (k == bad) continue;
      expected_rules.push_back(k % 2 == 0 ? "a" : "b");
      expected_times.push_back(t0 + static_cast<sluice::timestamp>(k / 2 * 2) * day);
    }
    CHECK(times_of(events) == expected_times);
    std::vector<std::string> rules;
    for (const auto& e : events) rules.push_back(e.rule);
    CHECK(rules == expected_rules);
    CHECK(s.points() == 10);
  }
}

TEST_CASE("session: advance_to or finish from inside the callback is refused",
          "[api][session]") {
  // x is 1, -1, 2, -1, 3: the rule fires on days 0, 2 and 4 with x = 1, 2, 3 (by hand).
  // Before, the inner call evaluated later points inside the first point's callback:
  // events out of order, with a wrong value.
  const auto p = compile_on_x("x > 0 then watch x");
  std::vector<sluice::event> events;
  sluice::session* self = nullptr;
  std::size_t refused = 0;
  auto s = p.stream([&](const sluice::event& e) {
    events.push_back(e);
    try {
      self->advance_to(t0 + 10 * day);
    } catch (const std::logic_error& error) {
      ++refused;
      CHECK(std::string(error.what()).find("callback") != std::string::npos);
    }
    CHECK_THROWS_AS(self->finish(), std::logic_error);
  });
  self = &s;
  for (int i = 0; i < 5; ++i)
    REQUIRE(s.push("x", t0 + i * day, i % 2 == 0 ? 1 + i / 2 : -1) == sluice::push_status::accepted);
  CHECK(s.advance_to(t0 + 4 * day) == 5);
  CHECK(refused == 3);
  REQUIRE(events.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(events[i].time == t0 + static_cast<sluice::timestamp>(2 * i) * day);
    REQUIRE(events[i].values.size() == 1);
    CHECK(events[i].values[0].value == static_cast<double>(i + 1));
  }
}

TEST_CASE("session: a push from inside the callback is evaluated in time order",
          "[api][session]") {
  // x is 5, -10, 5 on days 0, 1, 2, all pending; y is 0 on day 0. The rule fires on day 0
  // (5 + 0 > 2), and its callback pushes y = -10 at 6h and y = 0 at 12h. In time order:
  // 6h is false (5 - 10), 12h true again (5 + 0): it fires; day 1 false, day 2 fires: events
  // at day 0, 12h, day 2, by hand. Evaluated after the points already pending, 12h would
  // come last: out of order.
  sluice::engine eng;
  const std::vector<sluice::timestamp> no_times;
  const std::vector<double> no_values;
  REQUIRE(eng.add_series("x", no_times, no_values));
  REQUIRE(eng.add_series("y", no_times, no_values));
  const auto r = eng.compile("x + y > 2 then watch x");
  INFO(r.rendered());
  REQUIRE(r.ok());
  std::vector<sluice::event> events;
  sluice::session* self = nullptr;
  auto s = r.value().stream([&](const sluice::event& e) {
    events.push_back(e);
    if (e.time != t0) return;
    CHECK(self->push("y", t0 + day / 4, -10) == sluice::push_status::accepted);
    CHECK(self->push("y", t0 + day / 2, 0) == sluice::push_status::accepted);
    CHECK(self->push("x", t0, 9) == sluice::push_status::late);  // its point is evaluated
  });
  self = &s;
  REQUIRE(s.push("y", t0, 0) == sluice::push_status::accepted);
  const double xs[] = {5, -10, 5};
  for (int i = 0; i < 3; ++i)
    REQUIRE(s.push("x", t0 + i * day, xs[i]) == sluice::push_status::accepted);
  CHECK(s.advance_to(t0 + 2 * day) == 5);
  CHECK(times_of(events) == std::vector<sluice::timestamp>{t0, t0 + day / 2, t0 + 2 * day});
  REQUIRE(events.size() == 3);
  CHECK(events[1].values.at(0).value == 5);
}

TEST_CASE("session: misuse is an error, not a crash", "[api][session]") {
  const auto p = compile_on_x("x > 0 then watch x");
  auto s = p.stream(nullptr);
  sluice::session moved = std::move(s);
  // NOLINTNEXTLINE(bugprone-use-after-move): using a moved-from session is what is tested
  CHECK(s.push("x", t0, 1) == sluice::push_status::no_session);
  CHECK(s.push_decimal("x", t0, "1") == sluice::push_status::no_session);
  CHECK_THROWS_AS(s.advance_to(t0), std::logic_error);
  CHECK_THROWS_AS(s.finish(), std::logic_error);
  CHECK(moved.push("x", t0, 1) == sluice::push_status::accepted);  // the new owner works
  CHECK(moved.finish() == 1);

  sluice::engine eng;
  const auto failed = eng.compile("x >");
  REQUIRE_FALSE(failed.ok());
  CHECK_THROWS_AS(failed.value(), std::logic_error);
  try {
    (void)failed.value();
  } catch (const std::logic_error& error) {
    CHECK(std::string(error.what()).find("compile failed") != std::string::npos);
  }
}
