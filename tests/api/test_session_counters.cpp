// A session's production hooks: a bound on observations waiting ahead of the clock (its own
// push status, pending_full) and counters of push outcomes, per-rule firings and per-rule
// evaluation time, in sessions and batch runs. Every count below is worked out from the
// pushes written in the test.
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "sluice/sluice.h"
#include "sluice/sluice.hpp"

namespace {

constexpr sluice::timestamp day = 86400;
const sluice::timestamp d0 = sluice::to_timestamp({2024, 1, 1});

sluice::program two_rules() {
  sluice::engine eng;
  const std::vector<sluice::timestamp> t{d0};
  const std::vector<double> v{0};
  REQUIRE(eng.add_series("x", t, v));
  const auto r = eng.compile(
      "rule \"up\": when x > 5 then watch x\n"
      "rule \"down\": when x < 0 then watch x");
  REQUIRE(r.ok());
  return r.value();
}

}  // namespace

TEST_CASE("session: max_pending refuses pushes past the bound until the clock moves",
          "[api][session]") {
  sluice::stream_options o;
  o.max_pending = 3;
  auto s = two_rules().stream(nullptr, o);
  CHECK(s.push("x", d0, 1) == sluice::push_status::accepted);
  CHECK(s.push("x", d0 + day, 2) == sluice::push_status::accepted);
  CHECK(s.push("x", d0 + 2 * day, 3) == sluice::push_status::accepted);
  CHECK(s.push("x", d0 + 3 * day, 4) == sluice::push_status::pending_full);  // 3 wait already
  CHECK(s.counters().pending == 3);
  CHECK(s.advance_to(d0 + day) == 2);  // days 0 and 1 evaluated: one still waits
  CHECK(s.counters().pending == 1);
  CHECK(s.push("x", d0 + 3 * day, 4) == sluice::push_status::accepted);
  CHECK(s.push("x", d0 + 4 * day, 5) == sluice::push_status::accepted);
  CHECK(s.push("x", d0 + 5 * day, 6) == sluice::push_status::pending_full);
  s.finish();
  CHECK(s.counters().pending == 0);
  CHECK(s.counters().count(sluice::push_status::pending_full) == 2);
  CHECK(std::string(sluice::to_string(sluice::push_status::pending_full)).find("max_pending") !=
        std::string::npos);
}

TEST_CASE("session: counters count push outcomes and firings per rule", "[api][session]") {
  auto s = two_rules().stream(nullptr);
  // x: 0 (d0), 7 (d1: "up" fires), 7 again at d1 (duplicate), 8 at d0 (out of order),
  // inf (invalid), NaN (missing), an unknown series, -1 (d2: "down" fires), 9 (d3: "up"
  // fires again: it rose through 5 from below).
  CHECK(s.push("x", d0, 0) == sluice::push_status::accepted);
  CHECK(s.push("x", d0 + day, 7) == sluice::push_status::accepted);
  CHECK(s.push("x", d0 + day, 7) == sluice::push_status::duplicate);
  CHECK(s.push("x", d0, 8) == sluice::push_status::out_of_order);
  CHECK(s.push("x", d0 + 2 * day, std::numeric_limits<double>::infinity()) ==
        sluice::push_status::invalid_value);
  CHECK(s.push("x", d0 + 2 * day, std::nan("")) == sluice::push_status::missing_value);
  CHECK(s.push("nope", d0, 1) == sluice::push_status::unknown_series);
  CHECK(s.push("x", d0 + 2 * day, -1) == sluice::push_status::accepted);
  CHECK(s.advance_to(d0 + 2 * day) == 3);
  CHECK(s.push("x", d0 + day, 1) == sluice::push_status::late);
  CHECK(s.push("x", d0 + 3 * day, 9) == sluice::push_status::accepted);
  s.finish();
  const sluice::session_counters c = s.counters();
  CHECK(c.count(sluice::push_status::accepted) == 4);
  CHECK(c.count(sluice::push_status::duplicate) == 1);
  CHECK(c.count(sluice::push_status::out_of_order) == 1);
  CHECK(c.count(sluice::push_status::invalid_value) == 1);
  CHECK(c.count(sluice::push_status::missing_value) == 1);
  CHECK(c.count(sluice::push_status::unknown_series) == 1);
  CHECK(c.count(sluice::push_status::late) == 1);
  REQUIRE(c.firings.size() == 2);
  CHECK(c.firings[0] == std::pair<std::string, std::size_t>{"up", 2});
  CHECK(c.firings[1] == std::pair<std::string, std::size_t>{"down", 1});
  CHECK(c.evaluation_time.count() >= 0);
}

TEST_CASE("session: the C API's pending bound and counters", "[api][session][c]") {
  sluice_engine* e = sluice_engine_new(nullptr);
  const int64_t t[1] = {d0};
  const double v[1] = {0};
  REQUIRE(sluice_engine_add_series(e, "x", t, v, 1, -1, -1) == 0);
  const std::string text = "rule \"up\": when x > 5 then watch x";
  sluice_program* p = sluice_compile(e, text.data(), text.size(), nullptr);
  REQUIRE(p);
  sluice_stream_options o;
  sluice_stream_options_default(&o);
  o.max_pending = 1;
  sluice_session* s = sluice_program_stream_with_options(p, nullptr, nullptr, &o);
  CHECK(sluice_session_push(s, "x", d0, 9) == SLUICE_PUSH_ACCEPTED);
  CHECK(sluice_session_push(s, "x", d0 + day, 1) == SLUICE_PUSH_PENDING_FULL);
  CHECK(std::string(sluice_push_status_text(SLUICE_PUSH_PENDING_FULL)).find("max_pending") !=
        std::string::npos);
  CHECK(sluice_session_advance_to(s, d0) == 1);
  CHECK(sluice_session_push(s, "x", d0 + day, 1) == SLUICE_PUSH_ACCEPTED);
  sluice_session_finish(s);
  CHECK(sluice_session_push_count(s, SLUICE_PUSH_ACCEPTED) == 2);
  CHECK(sluice_session_push_count(s, SLUICE_PUSH_PENDING_FULL) == 1);
  CHECK(sluice_session_firings(s, 0) == 1);
  CHECK(sluice_session_firings(s, 1) == 0);
  CHECK(sluice_session_evaluation_ns(s) >= 0);
  sluice_session_free(s);
  sluice_program_free(p);
  sluice_engine_free(e);
}

// ---- per-rule evaluation time ----
// Which rule's time is largest is known from the rules (one calls a host function that
// sleeps 20 ms per call); the assertions are on ordering and on sums, never on how long a
// cheap rule takes. A sleep lasts at least its duration on the steady clock, so a rule that
// made k calls has at least k * 20 ms.
namespace {

constexpr auto nap = std::chrono::milliseconds(20);

double sleepy(std::span<const double> args) {
  std::this_thread::sleep_for(nap);
  return args[0];
}

// x on five days: 1, 7, 2, 8, -1. "cheap" fires on days 1 and 3 (x rises through 5),
// "slow" on day 1 (slow(x) = x rises through 6) and 3, "shared" reuses slow(x) and fires
// where x > 6 and x < 8 first holds: day 1 only (day 3 has x = 8).
sluice::engine slow_engine() {
  sluice::engine eng;
  std::vector<sluice::timestamp> t;
  for (int i = 0; i < 5; ++i) t.push_back(d0 + i * day);
  const std::vector<double> v{1, 7, 2, 8, -1};
  REQUIRE(eng.add_series("x", t, v));
  REQUIRE(eng.add_function("slow", 1, sleepy));
  return eng;
}

const char* const slow_rules =
    "rule \"cheap\": when x > 5 then watch x\n"
    "rule \"slow\": when slow(x) > 6 then watch x\n"
    "rule \"shared\": when slow(x) > 6 and x < 8 then watch x\n";

std::chrono::nanoseconds sum(
    const std::vector<std::pair<std::string, std::chrono::nanoseconds>>& times) {
  std::chrono::nanoseconds total{0};
  for (const auto& [rule, t] : times) total += t;
  return total;
}

}  // namespace

TEST_CASE("counters: a batch run's per-rule firings and times", "[api][counters]") {
  const sluice::engine eng = slow_engine();
  const auto compiled = eng.compile(slow_rules);
  REQUIRE(compiled.ok());
  const sluice::run_result r = compiled.value().run();
  REQUIRE(r.ok);
  REQUIRE(r.firings.size() == 3);
  CHECK(r.firings[0] == std::pair<std::string, std::size_t>{"cheap", 2});
  CHECK(r.firings[1] == std::pair<std::string, std::size_t>{"slow", 2});
  CHECK(r.firings[2] == std::pair<std::string, std::size_t>{"shared", 1});
  CHECK(r.events.size() == 5);
  REQUIRE(r.rule_evaluation_time.size() == 3);
  for (const auto& [rule, t] : r.rule_evaluation_time) CHECK(t.count() >= 0);
  CHECK(r.rule_evaluation_time[1].first == "slow");
  // slow(x) is one expression of both "slow" and "shared": computed once, it counts for
  // "slow", the first rule that uses it (five calls).
  CHECK(r.rule_evaluation_time[1].second >= 5 * nap);
  CHECK(r.rule_evaluation_time[1].second > r.rule_evaluation_time[0].second);
  CHECK(r.rule_evaluation_time[1].second > r.rule_evaluation_time[2].second);
  CHECK(sum(r.rule_evaluation_time) <= r.evaluation_time);
}

TEST_CASE("counters: a session times its rules only when asked", "[api][counters]") {
  const sluice::engine eng = slow_engine();
  const auto compiled = eng.compile(slow_rules);
  REQUIRE(compiled.ok());
  auto feed = [](sluice::session& s) {
    const double v[] = {1, 7, 2, 8, -1};
    for (int i = 0; i < 5; ++i) {
      REQUIRE(s.push("x", d0 + i * day, v[i]) == sluice::push_status::accepted);
      s.advance_to(d0 + i * day);  // one point per block: a clock read per rule per point
    }
  };
  auto untimed = compiled.value().stream(nullptr);
  feed(untimed);
  CHECK(untimed.counters().rule_evaluation_time.empty());

  sluice::stream_options o;
  o.time_rules = true;
  auto timed = compiled.value().stream(nullptr, o);
  feed(timed);
  const sluice::session_counters c = timed.counters();
  REQUIRE(c.rule_evaluation_time.size() == 3);
  CHECK(c.rule_evaluation_time[0].first == "cheap");
  for (const auto& [rule, t] : c.rule_evaluation_time) CHECK(t.count() >= 0);
  CHECK(c.rule_evaluation_time[1].second >= 5 * nap);
  CHECK(c.rule_evaluation_time[1].second > c.rule_evaluation_time[0].second);
  CHECK(c.rule_evaluation_time[1].second > c.rule_evaluation_time[2].second);
  CHECK(sum(c.rule_evaluation_time) <= c.evaluation_time);
  // The same firings as the batch run.
  CHECK(c.firings[0].second == 2);
  CHECK(c.firings[1].second == 2);
  CHECK(c.firings[2].second == 1);
}

TEST_CASE("counters: a warm start's history is not timed", "[api][counters]") {
  const sluice::engine eng = slow_engine();  // five days registered: five slow calls
  const auto compiled = eng.compile(slow_rules);
  REQUIRE(compiled.ok());
  sluice::stream_options o;
  o.time_rules = true;
  o.warm_from_registered = true;
  auto s = compiled.value().stream(nullptr, o);
  const sluice::session_counters warm = s.counters();
  REQUIRE(warm.rule_evaluation_time.size() == 3);
  for (const auto& [rule, t] : warm.rule_evaluation_time) CHECK(t.count() == 0);
  CHECK(warm.evaluation_time.count() == 0);
  REQUIRE(s.push("x", d0 + 5 * day, 3) == sluice::push_status::accepted);
  s.finish();
  const sluice::session_counters after = s.counters();
  CHECK(after.rule_evaluation_time[1].second >= nap);  // one point, one call
  CHECK(sum(after.rule_evaluation_time) <= after.evaluation_time);
}

namespace {

int c_sleepy(const double* args, size_t, double* result, void*) {
  std::this_thread::sleep_for(nap);
  *result = args[0];
  return 0;
}

}  // namespace

TEST_CASE("counters: the C API gives the same per-rule counters", "[api][counters][c]") {
  sluice_engine* e = sluice_engine_new(nullptr);
  int64_t t[5];
  for (int i = 0; i < 5; ++i) t[i] = d0 + i * day;
  const double v[5] = {1, 7, 2, 8, -1};
  REQUIRE(sluice_engine_add_series(e, "x", t, v, 5, -1, -1) == 0);
  REQUIRE(sluice_engine_add_checked_function(e, "slow", 1, c_sleepy, nullptr, 0) == 0);
  const std::string text = slow_rules;
  sluice_program* p = sluice_compile(e, text.data(), text.size(), nullptr);
  REQUIRE(p);

  sluice_events* ev = sluice_program_run(p, nullptr, nullptr);
  REQUIRE(sluice_events_ok(ev));
  CHECK(sluice_events_firings(ev, 0) == 2);
  CHECK(sluice_events_firings(ev, 1) == 2);
  CHECK(sluice_events_firings(ev, 2) == 1);
  CHECK(sluice_events_firings(ev, 3) == 0);  // no such rule
  const int64_t ns[3] = {sluice_events_rule_evaluation_ns(ev, 0),
                         sluice_events_rule_evaluation_ns(ev, 1),
                         sluice_events_rule_evaluation_ns(ev, 2)};
  CHECK(ns[0] >= 0);
  CHECK(ns[2] >= 0);
  CHECK(ns[1] >= 5 * std::chrono::nanoseconds(nap).count());
  CHECK(ns[1] > ns[0]);
  CHECK(ns[1] > ns[2]);
  CHECK(ns[0] + ns[1] + ns[2] <= sluice_events_evaluation_ns(ev));
  CHECK(sluice_events_rule_evaluation_ns(ev, 3) == 0);
  CHECK(sluice_events_firings(nullptr, 0) == 0);
  sluice_events_free(ev);

  for (const unsigned flags : {0u, unsigned{SLUICE_TIME_RULES}}) {
    sluice_session* s = sluice_program_stream_with(p, nullptr, nullptr, flags);
    REQUIRE(s);
    for (int i = 0; i < 5; ++i) {
      REQUIRE(sluice_session_push(s, "x", t[i], v[i]) == SLUICE_PUSH_ACCEPTED);
      sluice_session_advance_to(s, t[i]);
    }
    const int64_t slow = sluice_session_rule_evaluation_ns(s, 1);
    if (flags == 0) {
      CHECK(slow == 0);  // not timed
    } else {
      CHECK(slow >= 5 * std::chrono::nanoseconds(nap).count());
      CHECK(slow > sluice_session_rule_evaluation_ns(s, 0));
      CHECK(slow > sluice_session_rule_evaluation_ns(s, 2));
      CHECK(sluice_session_rule_evaluation_ns(s, 0) + slow +
                sluice_session_rule_evaluation_ns(s, 2) <=
            sluice_session_evaluation_ns(s));
    }
    CHECK(sluice_session_firings(s, 1) == 2);
    sluice_session_free(s);
  }
  CHECK(sluice_session_rule_evaluation_ns(nullptr, 0) == 0);
  sluice_program_free(p);
  sluice_engine_free(e);
}
