// Production hooks of issue 17: program::history_needed() (checked against needs worked out
// by hand from each rule's windows), sessions that start warm from the engine's registered
// history (checked against an independent batch run over the whole data), and host-function
// failures counted per function instead of vanishing.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sluice/sluice.h"
#include "sluice/sluice.hpp"

namespace {

constexpr sluice::timestamp day = 86400;
const sluice::timestamp t0 = sluice::to_timestamp({2024, 1, 1});

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// x (daily) and z (daily, published 3 days late) registered with a few points each.
sluice::program on_xz(const std::string& rules) {
  sluice::engine eng;
  const std::vector<sluice::timestamp> t{t0, t0 + day};
  const std::vector<double> v{1, 2};
  REQUIRE(eng.add_series("x", t, v));
  sluice::series_options lagged;
  lagged.lag = sluice::days(3);
  REQUIRE(eng.add_series("z", t, v, lagged));
  const auto r = eng.compile(rules);
  INFO(r.rendered());
  REQUIRE(r.ok());
  return r.value();
}

sluice::history_need need_of(const sluice::program& p, const std::string& series) {
  for (const sluice::history_need& h : p.history_needed())
    if (h.series == series) return h;
  FAIL("no history need for " << series);
  return {};
}

void check_need(const sluice::program& p, const std::string& series, std::int64_t bars,
                std::int64_t days, std::int64_t months, bool unbounded) {
  const sluice::history_need h = need_of(p, series);
  INFO(series << ": bars " << h.bars << ", days " << h.days << ", months " << h.months
              << (h.unbounded ? ", unbounded" : ""));
  CHECK(h.bars == bars);
  CHECK(h.days == days);
  CHECK(h.months == months);
  CHECK(h.unbounded == unbounded);
}

}  // namespace

TEST_CASE("history_needed: windows, lookbacks, nesting and lags, by hand", "[api][history]") {
  // Every rule fires on a rising edge, so its condition is also needed one point earlier:
  // one bar more than the windows alone (docs/semantics.md, "Rules fire on rising edges").
  // sma over 50 bars: the point and 49 before it, plus the point before those: 51 bars.
  check_need(on_xz("rule \"a\": when sma(x, 50 bars) > 1 then watch x"), "x", 51, 0, 0, false);
  // pct(x, 4w) reads x as of 28 days back: 28 days, and the edge's earlier point.
  check_need(on_xz("rule \"a\": when pct(x, 4w) > 10% then watch x"), "x", 2, 28, 0, false);
  // A new high over 90d compares with the points u, t - 90d <= u < t.
  check_need(on_xz("rule \"a\": when x hits new high over 90d then watch x"), "x", 2, 90, 0, false);
  // lag by bars: the value 5 points back, 6 points and the edge's: 7.
  check_need(on_xz("rule \"a\": when x > lag(x, 5 bars) then watch x"), "x", 7, 0, 0, false);
  // A publication lag of 3 days: every read of z is 3 days older.
  check_need(on_xz("rule \"a\": when z > 1 then watch z"), "z", 2, 3, 0, false);
  check_need(on_xz("rule \"a\": when pct(z, 4w) > 10% then watch z"), "z", 2, 31, 0, false);
  // Nesting adds up: 20 bars of pct(x, 4w) is 19 earlier points, each reading 28 days back.
  check_need(on_xz("rule \"a\": when sma(pct(x, 4w), 20 bars) > 0 then watch x"), "x", 21, 28, 0,
             false);
  // Months stay months; the two series of one rule each get their own need.
  const auto two = on_xz("rule \"a\": when x falls by 5% over 3mo and z > 0 then watch x");
  check_need(two, "x", 2, 0, 3, false);
  check_need(two, "z", 2, 3, 0, false);
  // The widest of several rules; series() order.
  const auto rules = on_xz(
      "rule \"a\": when sma(x, 10 bars) > 1 then watch x\n"
      "rule \"b\": when x hits new high over 90d then watch x");
  check_need(rules, "x", 11, 90, 0, false);
  REQUIRE(rules.history_needed().size() == 1);
  // Decaying and anchored state: defined after the window, exact only from the data's start.
  check_need(on_xz("rule \"a\": when ema(x, 20 bars) > 1 then watch x"), "x", 21, 0, 0, true);
  check_need(on_xz("rule \"a\": when drawdown(x) > 10% then watch x"), "x", 2, 0, 0, true);
  check_need(on_xz("rule \"a\": when x > 1 then watch x cooldown 30d"), "x", 2, 0, 0, true);
  check_need(on_xz("rule \"a\": when x hits new high then watch x"), "x", 2, 0, 0, true);
}

namespace {

// The example data split at `cut`: the part up to it, and what comes after.
struct split_series {
  sluice::series_data before, after;
};

std::map<std::string, split_series> split_examples(sluice::timestamp cut) {
  std::map<std::string, split_series> out;
  const std::string dir = std::string(SLUICE_SOURCE_DIR) + "/examples/data/";
  for (const char* name : {"alts", "btc", "hy_spread", "russell", "spx", "tga"}) {
    std::string error;
    const auto d = sluice::read_csv(dir + name + ".csv", "", &error);
    INFO(error);
    REQUIRE(d);
    split_series& s = out[name];
    for (std::size_t i = 0; i < d->times.size(); ++i) {
      sluice::series_data& part = d->times[i] <= cut ? s.before : s.after;
      part.times.push_back(d->times[i]);
      part.values.push_back(d->values[i]);
    }
  }
  return out;
}

struct pushed {
  std::string series;
  sluice::timestamp time;
  double value;
};

}  // namespace

TEST_CASE("warm session: history from the engine, then pushes, equals one batch run",
          "[api][warm]") {
  const std::string rules = read_text(std::string(SLUICE_SOURCE_DIR) + "/examples/rotation.sluice");
  // The batch run over the whole data is the reference: an engine given all of it.
  sluice::engine whole;
  const auto all = split_examples(std::numeric_limits<sluice::timestamp>::max());
  for (const auto& [name, s] : all)
    REQUIRE(whole.add_series(name, s.before.times, s.before.values));
  const auto full = whole.compile(rules, "rotation.sluice");
  INFO(full.rendered());
  REQUIRE(full.ok());
  const sluice::run_result batch = full.value().run();
  REQUIRE(batch.ok);

  for (const sluice::date cut_day : {sluice::date{2020, 6, 30}, sluice::date{2021, 1, 4}}) {
    const sluice::timestamp cut = sluice::to_timestamp(cut_day);
    INFO("history up to " << sluice::format_timestamp(cut));
    const auto parts = split_examples(cut);
    sluice::engine eng;
    std::vector<pushed> rest;
    sluice::timestamp last_registered = 0;
    for (const auto& [name, s] : parts) {
      REQUIRE(eng.add_series(name, s.before.times, s.before.values));
      if (!s.before.times.empty())
        last_registered = std::max(last_registered, s.before.times.back());
      for (std::size_t i = 0; i < s.after.times.size(); ++i)
        rest.push_back({name, s.after.times[i], s.after.values[i]});
    }
    const auto r = eng.compile(rules, "rotation.sluice");
    REQUIRE(r.ok());

    std::vector<sluice::event> events;
    sluice::stream_options o;
    o.warm_from_registered = true;
    sluice::session s = r.value().stream([&](const sluice::event& e) { events.push_back(e); }, o);
    // Warm: the history is evaluated, silently, and the clock stands at its end.
    CHECK(events.empty());
    REQUIRE(s.clock());
    CHECK(*s.clock() == last_registered);
    CHECK(s.push("btc", last_registered, 1) == sluice::push_status::late);
    for (const auto& [rule, n] : s.counters().firings) CHECK(n == 0);

    std::stable_sort(rest.begin(), rest.end(),
                     [](const pushed& a, const pushed& b) { return a.time < b.time; });
    for (std::size_t i = 0; i < rest.size(); ++i) {
      if (i > 0 && rest[i].time != rest[i - 1].time) s.advance_to(rest[i - 1].time);
      REQUIRE(s.push(rest[i].series, rest[i].time, rest[i].value) == sluice::push_status::accepted);
    }
    s.finish();

    std::vector<const sluice::event*> expected;
    for (const sluice::event& e : batch.events)
      if (e.time > last_registered) expected.push_back(&e);
    REQUIRE(expected.size() >= 3);  // the comparison must have something to compare
    REQUIRE(events.size() == expected.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
      INFO("event " << i << ": " << sluice::format_timestamp(expected[i]->time) << " "
                    << expected[i]->rule);
      CHECK(events[i].time == expected[i]->time);
      CHECK(events[i].point == expected[i]->point);  // the warm-up's points count too
      CHECK(events[i].rule == expected[i]->rule);
      CHECK(events[i].messages == expected[i]->messages);
      REQUIRE(events[i].values.size() == expected[i]->values.size());
      for (std::size_t v = 0; v < events[i].values.size(); ++v)
        CHECK(events[i].values[v].value == expected[i]->values[v].value);
    }
    std::size_t counted = 0;
    for (const auto& [rule, n] : s.counters().firings) counted += n;
    CHECK(counted == events.size());
  }
}

TEST_CASE("warm session: without the option a session starts cold", "[api][warm]") {
  // x rises above 1 on day 1 of the registered history. A warm session has seen it (no
  // event for it, and day 2's 3 is no new rise); a cold one fires on its first push.
  sluice::engine eng;
  const std::vector<sluice::timestamp> t{t0, t0 + day};
  const std::vector<double> v{0, 2};
  REQUIRE(eng.add_series("x", t, v));
  const auto r = eng.compile("rule \"up\": when x > 1 then watch x");
  REQUIRE(r.ok());
  for (bool warm : {false, true}) {
    std::vector<sluice::event> events;
    sluice::stream_options o;
    o.warm_from_registered = warm;
    auto s = r.value().stream([&](const sluice::event& e) { events.push_back(e); }, o);
    CHECK(s.points() == (warm ? 2u : 0u));
    CHECK(s.push("x", t0 + 2 * day, 3) == sluice::push_status::accepted);
    s.finish();
    CHECK(events.size() == (warm ? 0u : 1u));
  }
}

TEST_CASE("host functions: failures give na and are counted per function", "[api][host]") {
  // f(x) throws when x is 3 and returns an infinity when x is 5; g(x) = x never fails. x is
  // 1..6 on six days: f gives 1, 2, na, 4, na, 6, and the rule "f" (f(x) > 0) is true, true,
  // na, true, na, true: it fires on days 0, 3 and 5 (rising edges after the na's).
  sluice::engine eng;
  std::vector<sluice::timestamp> t;
  std::vector<double> v;
  for (int i = 0; i < 6; ++i) {
    t.push_back(t0 + i * day);
    v.push_back(i + 1);
  }
  REQUIRE(eng.add_series("x", t, v));
  REQUIRE(eng.add_function("f", 1, [](std::span<const double> a) {
    if (a[0] == 3) throw std::runtime_error("f cannot do 3");
    return a[0] == 5 ? std::numeric_limits<double>::infinity() : a[0];
  }));
  REQUIRE(eng.add_function("g", 1, [](std::span<const double> a) { return a[0]; }));
  const auto r = eng.compile(
      "rule \"f\": when f(x) > 0 then watch x\n"
      "rule \"g\": when g(x) > 0 then watch x");
  INFO(r.rendered());
  REQUIRE(r.ok());
  const std::vector<std::pair<std::string, std::size_t>> expected{{"f", 2}, {"g", 0}};

  const sluice::run_result run = r.value().run();
  REQUIRE(run.ok);
  CHECK(run.host_function_failures == expected);
  std::vector<sluice::timestamp> f_times;
  for (const auto& e : run.events)
    if (e.rule == "f") f_times.push_back(e.time);
  CHECK(f_times == std::vector<sluice::timestamp>{t0, t0 + 3 * day, t0 + 5 * day});

  auto s = r.value().stream(nullptr);
  for (std::size_t i = 0; i < t.size(); ++i)
    REQUIRE(s.push("x", t[i], v[i]) == sluice::push_status::accepted);
  s.advance_to(t0 + 3 * day);  // f failed once so far (x = 3)
  CHECK(s.counters().host_function_failures ==
        std::vector<std::pair<std::string, std::size_t>>{{"f", 1}, {"g", 0}});
  s.finish();
  CHECK(s.counters().host_function_failures == expected);
  CHECK(s.counters().firings[0].second == 3);
}

// ---- the same through the C API ----

namespace {

int checked_half(const double* args, size_t count, double* result, void* user) {
  ++*static_cast<int*>(user);
  if (count != 1 || args[0] < 0) return 1;  // fails for negative x
  *result = args[0] / 2;
  return 0;
}

void count_event(const sluice_event*, void* user) { ++*static_cast<int*>(user); }

}  // namespace

TEST_CASE("C API: history needed, warm sessions, checked host functions", "[api][c][warm]") {
  sluice_engine* e = sluice_engine_new(nullptr);
  REQUIRE(e);
  // x: -1, 2, -3, 4, 5 on five days.
  const int64_t t[] = {t0, t0 + day, t0 + 2 * day, t0 + 3 * day, t0 + 4 * day};
  const double v[] = {-1, 2, -3, 4, 5};
  REQUIRE(sluice_engine_add_series(e, "x", t, v, 5, -1, -1) == 0);
  int calls = 0;
  REQUIRE(sluice_engine_add_checked_function(e, "half", 1, checked_half, &calls, 0) == 0);
  const std::string text =
      "rule \"h\": when half(x) > 1 then watch x\n"
      "rule \"s\": when sma(x, 3 bars) > 0 and pct(x, 2w) > 0 then watch x";
  sluice_program* p = sluice_compile(e, text.data(), text.size(), "c.sluice");
  INFO(sluice_last_error());
  REQUIRE(p);

  // x: sma over 3 bars (2 earlier points) and the edge's earlier point: 4 bars; 14 days.
  REQUIRE(sluice_program_history_count(p) == 1);
  sluice_history_need h{};
  REQUIRE(sluice_program_history_needed(p, 0, &h) == 0);
  CHECK(std::string(h.series) == "x");
  CHECK(h.bars == 4);
  CHECK(h.days == 14);
  CHECK(h.months == 0);
  CHECK(h.unbounded == 0);
  CHECK(sluice_program_history_needed(p, 1, &h) == -1);
  CHECK(sluice_program_history_needed(p, 0, nullptr) == -1);

  // half(x) fails at -1 and -3: two failures, na there. "h" (half(x) > 1) is na, false, na,
  // true, true: it fires on day 3.
  sluice_events* run = sluice_program_run(p, nullptr, nullptr);
  REQUIRE(sluice_events_ok(run));
  CHECK(sluice_events_host_failures(run, "half") == 2);
  CHECK(sluice_events_host_failures(run, "HALF") == 2);
  CHECK(sluice_events_host_failures(run, "nope") == 0);
  std::size_t h_events = 0;
  for (size_t i = 0; i < sluice_events_count(run); ++i)
    if (std::string(sluice_events_get(run, i)->rule) == "h") {
      ++h_events;
      CHECK(sluice_events_get(run, i)->time == t0 + 3 * day);
    }
  CHECK(h_events == 1);
  sluice_events_free(run);

  // A warm session: the five days are evaluated silently (half fails twice again), the
  // clock ends on day 4, day 5's push (x = 6 after 5: no new rise) is accepted.
  sluice_stream_options o;
  sluice_stream_options_default(&o);
  CHECK(o.warm_from_registered == 0);
  o.warm_from_registered = 1;
  int events = 0;
  sluice_session* s = sluice_program_stream_with_options(p, count_event, &events, &o);
  REQUIRE(s);
  CHECK(events == 0);
  CHECK(sluice_session_host_failures(s, "half") == 2);
  CHECK(sluice_session_push(s, "x", t0 + 4 * day, 9) == SLUICE_PUSH_LATE);
  CHECK(sluice_session_push(s, "x", t0 + 5 * day, 6) == SLUICE_PUSH_ACCEPTED);
  CHECK(sluice_session_finish(s) == 1);
  CHECK(events == 0);
  sluice_session_free(s);

  // A host built before warm_from_registered existed passes the shorter struct: accepted,
  // and the session starts cold (the first push of -1 is evaluated: half fails once).
  sluice_stream_options old;
  sluice_stream_options_default(&old);
  old.struct_size = offsetof(sluice_stream_options, warm_from_registered);
  sluice_session* cold = sluice_program_stream_with_options(p, nullptr, nullptr, &old);
  INFO(sluice_last_error());
  REQUIRE(cold);
  CHECK(sluice_session_push(cold, "x", t0, -1) == SLUICE_PUSH_ACCEPTED);
  CHECK(sluice_session_finish(cold) == 1);
  CHECK(sluice_session_host_failures(cold, "half") == 1);
  sluice_session_free(cold);

  sluice_program_free(p);
  sluice_engine_free(e);
}
