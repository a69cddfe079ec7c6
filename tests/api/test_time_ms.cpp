// Millisecond timestamps end to end (docs/embedding.md, "Time resolution"): two ticks 250 ms
// apart are two points in a session, a batch run over a CSV file and the C API; the
// millisecond form of every time call; format_timestamp_ms read back by the CSV loader;
// event ids of whole seconds unchanged (golden ids from the release whose times were
// seconds). The seconds API's own tests (test_api.cpp, test_stream.cpp, ...) are unchanged.
// Expected values are worked out by hand in the comments.
#include <algorithm>
#include <catch2/catch.hpp>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "sluice/sluice.h"
#include "sluice/sluice.hpp"

namespace {

constexpr std::int64_t ms = 1000;  // milliseconds per second

// 2026-01-08 00:00:00 UTC: 20461 days after 1970-01-01.
const sluice::timestamp_ms jan8 = sluice::to_timestamp_ms({2026, 1, 8});

sluice::program compiled(const sluice::engine& eng, const std::string& text) {
  const auto c = eng.compile(text);
  INFO(c.rendered());
  REQUIRE(c.ok());
  return c.value();
}

std::string temp_file(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("sluice_time_ms_" + name);
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

TEST_CASE("ms: the millisecond calendar calls", "[api][time][ms]") {
  CHECK(jan8 == 20461LL * 86'400'000);
  CHECK(sluice::to_timestamp({2026, 1, 8}) * ms == jan8);
  CHECK_THROWS_AS(sluice::to_timestamp_ms({2024, 13, 45}), std::invalid_argument);
  CHECK(sluice::format_timestamp_ms(jan8) == "2026-01-08");
  CHECK(sluice::format_timestamp_ms(jan8 + 5 * 60 * ms) == "2026-01-08 00:05");
  CHECK(sluice::format_timestamp_ms(jan8 + (5 * 60 + 30) * ms) == "2026-01-08 00:05:30");
  CHECK(sluice::format_timestamp_ms(jan8 + (5 * 60 + 30) * ms + 250) == "2026-01-08 00:05:30.250");
  CHECK(sluice::format_timestamp_ms(jan8 + 7) == "2026-01-08 00:00:00.007");
  CHECK(sluice::format_timestamp_ms(-1) == "1969-12-31 23:59:59.999");
  const sluice::date d = sluice::to_date_ms(-1);
  CHECK((d.year == 1969 && d.month == 12 && d.day == 31));
  // The seconds calls are unchanged: format_timestamp shows seconds, never milliseconds.
  CHECK(sluice::format_timestamp(jan8 / ms + 330) == "2026-01-08 00:05:30");
  char buf[32];
  CHECK(sluice_format_time_ms(jan8 + 30 * ms + 250, buf, sizeof buf) == 23);
  CHECK(std::string(buf) == "2026-01-08 00:00:30.250");
  CHECK(sluice_date_ms(2026, 1, 8) == jan8);
  CHECK(sluice_date_ms(2026, 2, 30) == SLUICE_NO_TIME);
}

TEST_CASE("ms: two pushes 250 ms apart are two points, not a duplicate", "[api][time][ms]") {
  sluice::engine eng;
  REQUIRE(eng.add_series("x", std::vector<sluice::timestamp>{}, std::vector<double>{}));
  const sluice::program p = compiled(eng, "x crosses above 10 then watch x");
  std::vector<sluice::event> got;
  sluice::session s = p.stream([&](const sluice::event& e) { got.push_back(e); });
  // 9 at :00.000, 11 at :00.250 (crosses), 9 at :00.500, 12 at :00.750 (crosses again).
  const sluice::timestamp_ms t0 = jan8 + 10 * 3600 * ms;
  CHECK(s.push_ms("x", t0, 9) == sluice::push_status::accepted);
  CHECK(s.push_ms("x", t0 + 250, 11) == sluice::push_status::accepted);
  CHECK(s.push_ms("x", t0 + 500, 9) == sluice::push_status::accepted);
  CHECK(s.push_decimal_ms("x", t0 + 750, "12") == sluice::push_status::accepted);
  CHECK(s.push_ms("x", t0 + 750, 13) == sluice::push_status::duplicate);  // the same millisecond
  CHECK(s.advance_to_ms(t0 + 500) == 3);
  CHECK(s.clock_ms() == t0 + 500);
  CHECK(s.clock() == t0 / ms);  // rounded down to its second
  CHECK(s.finish() == 1);
  CHECK(s.points() == 4);
  REQUIRE(got.size() == 2);
  CHECK(got[0].time_ms == t0 + 250);
  CHECK(got[0].time == t0 / ms);
  CHECK(got[1].time_ms == t0 + 750);
  CHECK(sluice::format_timestamp_ms(got[1].time_ms) == "2026-01-08 10:00:00.750");
  // A later push in seconds is the same clock: 10:00:00 is at or before 10:00:00.750.
  CHECK(s.push("x", t0 / ms, 1) == sluice::push_status::late);
  CHECK(s.push("x", t0 / ms + 1, 1) == sluice::push_status::accepted);

  // With whole seconds only, two ticks in one second are still one: the seconds API's
  // behaviour is unchanged.
  sluice::session whole = p.stream(nullptr);
  CHECK(whole.push("x", t0 / ms, 9) == sluice::push_status::accepted);
  CHECK(whole.push("x", t0 / ms, 11) == sluice::push_status::duplicate);
}

TEST_CASE("ms: a CSV file with fractional seconds is read at millisecond resolution",
          "[api][time][ms]") {
  // Four rows within one second: the loader kept only the whole second before, one row.
  const std::string path = temp_file("frac.csv",
                                     "time,value\n"
                                     "2026-01-08T10:00:00Z,9\n"
                                     "2026-01-08T10:00:00.25Z,11\n"
                                     "2026-01-08T10:00:00.500Z,9\n"
                                     "2026-01-08 10:00:00.750123,12\n");
  std::string error;
  const auto data = sluice::read_csv(path, "", &error);
  INFO(error);
  REQUIRE(data);
  const sluice::timestamp_ms t0 = jan8 + 10 * 3600 * ms;
  CHECK(data->times_ms == std::vector<sluice::timestamp_ms>{t0, t0 + 250, t0 + 500, t0 + 750});
  CHECK(data->times == std::vector<sluice::timestamp>(4, t0 / ms));  // rounded down

  sluice::engine eng;
  REQUIRE(eng.add_series_csv("x", path));
  const sluice::program p = compiled(eng, "x crosses above 10 then watch x");
  const sluice::run_result r = p.run();
  REQUIRE(r.ok);
  CHECK(r.points == 4);
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[0].time_ms == t0 + 250);
  CHECK(r.events[1].time_ms == t0 + 750);
  // from_ms / to_ms cut inside the second; from / to in seconds cut at whole seconds.
  sluice::run_options o;
  o.from_ms = t0 + 251;
  CHECK(p.run(o).events.size() == 1);
  o = {};
  o.to_ms = t0 + 749;
  CHECK(p.run(o).points == 3);
  o = {};
  o.to = t0 / ms;  // 10:00:00.000: the first point only
  CHECK(p.run(o).points == 1);
  // add_series_ms gives the same series.
  sluice::engine eng2;
  REQUIRE(eng2.add_series_ms("x", data->times_ms, data->values));
  CHECK(compiled(eng2, "x crosses above 10 then watch x").run().events.size() == 2);
  std::filesystem::remove(path);
}

TEST_CASE("ms: format_timestamp_ms round-trips through the CSV loader", "[api][time][ms]") {
  // Random times from 1900 to 2100 (every third one a whole second, every ninth a whole
  // day, so that each printed form occurs), printed and read back by the loader.
  std::mt19937_64 rng(17);
  const std::int64_t lo = -2'208'988'800'000, hi = 4'102'444'800'000;
  std::vector<sluice::timestamp_ms> times;
  for (int i = 0; i < 3000; ++i) {
    std::int64_t t = lo + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(hi - lo));
    if (i % 3 == 1) t -= ((t % ms) + ms) % ms;
    if (i % 9 == 2) t -= ((t % 86'400'000) + 86'400'000) % 86'400'000;
    times.push_back(t);
  }
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  std::string text = "date,value\n";
  for (const auto t : times) text += sluice::format_timestamp_ms(t) + ",1\n";
  const std::string path = temp_file("roundtrip.csv", text);
  std::string error;
  const auto data = sluice::read_csv(path, "", &error);
  INFO(error);
  REQUIRE(data);
  CHECK(data->times_ms == times);
  std::filesystem::remove(path);
}

TEST_CASE("ms: add_series_units converts to milliseconds and refuses less", "[api][time][ms]") {
  constexpr std::int64_t ns = 1'000'000'000;
  const std::int64_t t0 = jan8 * 1'000'000;  // in nanoseconds
  sluice::engine eng;
  // 250 ms apart in nanoseconds, microseconds and milliseconds: two observations each.
  REQUIRE(eng.add_series_units("x", std::vector<std::int64_t>{t0, t0 + 250'000'000}, ns,
                               std::vector<double>{9, 11}));
  REQUIRE(eng.add_series_units("y", std::vector<std::int64_t>{t0 / 1000, t0 / 1000 + 250'000},
                               1'000'000, std::vector<double>{9, 11}));
  REQUIRE(eng.add_series_units("z", std::vector<std::int64_t>{jan8, jan8 + 250}, 1000,
                               std::vector<double>{9, 11}));
  for (const char* name : {"x", "y", "z"}) {
    const auto r = compiled(eng, std::string(name) + " crosses above 10 then watch " + name).run();
    REQUIRE(r.events.size() == 1);
    CHECK(r.events[0].time_ms == jan8 + 250);
  }
  // Half a millisecond at index 1: refused with its index and date, never rounded.
  sluice::status s = eng.add_series_units("w", std::vector<std::int64_t>{t0, t0 + 250'500'000}, ns,
                                          std::vector<double>{1, 2});
  CHECK(s.message ==
        "series 'w': the time at index 1 (2026-01-08 00:00:00.250 + 0.0005 s) has a fraction of a "
        "millisecond; Sluice's times are milliseconds");
  // Before 1970 the millisecond is the one below: -0.25 ms is 23:59:59.999 + 0.00075 s.
  s = eng.add_series_units("w", std::vector<std::int64_t>{-250'000}, ns, std::vector<double>{1});
  CHECK(s.message ==
        "series 'w': the time at index 0 (1969-12-31 23:59:59.999 + 0.00075 s) has a fraction of "
        "a millisecond; Sluice's times are milliseconds");
  // Seconds beyond int64 milliseconds (+-292 million years) are refused, not wrapped.
  s = eng.add_series_units("w", std::vector<std::int64_t>{0, INT64_MAX / 1000 + 1}, 1,
                           std::vector<double>{1, 2});
  CHECK(s.message.find("series 'w': the time at index 1 (") == 0);
  CHECK(s.message.find("beyond +-292 million years") != std::string::npos);
  // 60ths of a second: 30/60 s is 500 ms; 1/60 s is no whole millisecond.
  REQUIRE(
      eng.add_series_units("v", std::vector<std::int64_t>{0, 30}, 60, std::vector<double>{1, 2}));
  s = eng.add_series_units("w", std::vector<std::int64_t>{1}, 60, std::vector<double>{1});
  // 1/60 s = 16.67 ms: the millisecond below, 0.016 s, and 2/3 of a millisecond.
  CHECK(s.message.find("the time at index 0 (1970-01-01 00:00:00.016 + 0.000666667 s)") !=
        std::string::npos);
  // The checks after the conversion still apply, to the converted times.
  s = eng.add_series_units("w", std::vector<std::int64_t>{t0 + 1'000'000, t0}, ns,
                           std::vector<double>{1, 2});
  CHECK(s.message ==
        "series 'w': times must be strictly ascending (index 1: 2026-01-08 after 2026-01-08 "
        "00:00:00.001)");
  s = eng.add_series_units("w", std::vector<std::int64_t>{t0, t0 + 1'000'000}, ns,
                           std::vector<double>{NAN, INFINITY});
  CHECK(s.message == "series 'w': the value at index 1 (2026-01-08 00:00:00.001) is not finite");
  // NaN is no observation: the series keeps 1 and 3.
  REQUIRE(eng.add_series_units("u", std::vector<std::int64_t>{t0, t0 + 1'000'000, t0 + 2'000'000},
                               ns, std::vector<double>{1, NAN, 3}));
  const auto r = compiled(eng, "u crosses above 2 then watch u").run();
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].time_ms == jan8 + 2);
  CHECK(r.points == 2);
}

TEST_CASE("ms: event ids of whole seconds are the seconds release's", "[api][time][ms]") {
  // tests/watch/rotation_ids.jsonl: the ids `sluice watch` gave examples/rotation.sluice
  // when times were seconds. The id hashes the rule text, the rule and the time, so events
  // built from those lines must get the same ids.
  const std::string root = SLUICE_SOURCE_DIR;
  std::ifstream rules_file(root + "/examples/rotation.sluice");
  const std::string text((std::istreambuf_iterator<char>(rules_file)), {});
  sluice::engine eng;
  for (const char* s : {"russell", "spx", "tga", "hy_spread", "btc", "alts"})
    REQUIRE(eng.add_series_csv(s, root + "/examples/data/" + s + ".csv"));
  const sluice::program p = compiled(eng, text);
  std::ifstream golden(root + "/tests/watch/rotation_ids.jsonl");
  std::string line;
  std::size_t checked = 0;
  while (std::getline(golden, line)) {
    // {"date": "2016-03-07", "rule": "liquidity cascade", "id": "9fe3..."}
    auto field = [&](const std::string& key) {
      const auto at = line.find("\"" + key + "\": \"") + key.size() + 5;
      return line.substr(at, line.find('"', at) - at);
    };
    const std::string date = field("date");
    sluice::event e;
    e.rule = field("rule");
    e.time_ms = sluice::to_timestamp_ms({std::stoi(date.substr(0, 4)),
                                         static_cast<unsigned>(std::stoi(date.substr(5, 2))),
                                         static_cast<unsigned>(std::stoi(date.substr(8, 2)))});
    e.time = e.time_ms / ms;
    INFO(line);
    CHECK(p.event_id(e) == field("id"));
    // A host's own event with only `time` set hashes the same.
    e.time_ms = 0;
    CHECK(p.event_id(e) == field("id"));
    ++checked;
  }
  CHECK(checked == 146);
  // An event with milliseconds has an id of its own, stable, and distinct from its second's.
  sluice::event e;
  e.rule = "liquidity cascade";
  e.time_ms = jan8 + 250;
  e.time = jan8 / ms;
  const std::string with_ms = p.event_id(e);
  e.time_ms = jan8 + 251;
  CHECK(p.event_id(e) != with_ms);
  e.time_ms = jan8;
  CHECK(p.event_id(e) != with_ms);
  e.time_ms = jan8 + 250;
  CHECK(p.event_id(e) == with_ms);
}

namespace {
struct c_seen {
  std::vector<std::int64_t> times, times_ms;
};
void on_c_event(const sluice_event* e, void* user) {
  auto* seen = static_cast<c_seen*>(user);
  seen->times.push_back(e->time);
  seen->times_ms.push_back(e->time_ms);
}
}  // namespace

TEST_CASE("ms: the C API's millisecond functions", "[api][time][ms]") {
  sluice_engine* eng = sluice_engine_new(nullptr);
  REQUIRE(eng);
  const std::int64_t t0 = jan8 + 10 * 3600 * ms;
  const std::int64_t times[] = {t0, t0 + 250, t0 + 500};
  const double values[] = {9, 11, 9};
  REQUIRE(sluice_engine_add_series_ms(eng, "x", times, values, 3, nullptr) == 0);
  const char* text = "x crosses above 10 then watch x";
  sluice_program* p = sluice_compile(eng, text, std::strlen(text), "t");
  REQUIRE(p);
  sluice_events* ev = sluice_program_run_ms(p, nullptr, nullptr, 0);
  REQUIRE(ev);
  REQUIRE(sluice_events_count(ev) == 1);
  CHECK(sluice_events_get(ev, 0)->time_ms == t0 + 250);
  CHECK(sluice_events_get(ev, 0)->time == t0 / ms);
  sluice_events_free(ev);
  const std::int64_t from = t0 + 251;
  ev = sluice_program_run_ms(p, &from, nullptr, 0);
  CHECK(sluice_events_count(ev) == 0);
  sluice_events_free(ev);

  c_seen seen;
  sluice_session* s = sluice_program_stream(p, on_c_event, &seen);
  CHECK(sluice_session_push_ms(s, "x", t0, 9) == SLUICE_PUSH_ACCEPTED);
  CHECK(sluice_session_push_decimal_ms(s, "x", t0 + 250, "11") == SLUICE_PUSH_ACCEPTED);
  CHECK(sluice_session_push_ms(s, "x", t0 + 250, 12) == SLUICE_PUSH_DUPLICATE);
  CHECK(sluice_session_advance_to_ms(s, t0 + 250) == 2);
  CHECK(seen.times_ms == std::vector<std::int64_t>{t0 + 250});
  CHECK(seen.times == std::vector<std::int64_t>{t0 / ms});
  CHECK(sluice_session_push(s, "x", t0 / ms + 1, 9) == SLUICE_PUSH_ACCEPTED);  // seconds mix in
  sluice_session_free(s);
  sluice_program_free(p);
  sluice_engine_free(eng);
}

TEST_CASE("ms: explain_ms explains the point between two whole seconds", "[api][explain][ms]") {
  // x: 9 at 10:00:00.000, 11 at 10:00:00.250 (breaks 10 there), 12 at 10:00:01.000.
  const sluice::timestamp_ms t0 = jan8 + 10 * 3600 * ms;
  sluice::engine eng;
  REQUIRE(eng.add_series_ms("x", std::vector<sluice::timestamp_ms>{t0, t0 + 250, t0 + ms},
                            std::vector<double>{9, 11, 12}));
  const sluice::program p = compiled(eng, "rule \"up\": when x breaks 10 then watch x");
  const sluice::explanation fired = p.explain_ms("up", t0 + 250);
  REQUIRE(fired.ok);
  CHECK(fired.text.find("rule \"up\" (<rules>:1) at 2026-01-08 10:00:00.250: fired") == 0);
  // The seconds call rounds to its second: the last point on or before 10:00:00 is the 9.
  const sluice::explanation at_second = p.explain("up", t0 / ms);
  REQUIRE(at_second.ok);
  CHECK(at_second.text.find("at 2026-01-08 10:00: did not fire") != std::string::npos);
  // At .999 there is no point: the last one on or before it (.250) is explained, and said so.
  CHECK(p.explain_ms("up", t0 + 999).text ==
        "no data point on 2026-01-08 10:00:00.999; the last one before it is "
        "2026-01-08 10:00:00.250\n" +
            fired.text);
}
