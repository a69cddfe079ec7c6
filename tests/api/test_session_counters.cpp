// A session's production hooks: a bound on observations waiting ahead of the clock (its own
// push status, pending_full) and counters of push outcomes and per-rule firings. Every count
// below is worked out from the pushes written in the test.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
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
