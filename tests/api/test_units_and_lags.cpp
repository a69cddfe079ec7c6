// Two additions for the Python package: engine::add_series_units (times in nanoseconds or any
// integer unit, converted while the engine copies them) and program::with_lags (publication
// lags per call, over the catalogue's, the host's and `set lag`). Expected dates are worked
// out by hand in the comments.
#include <catch2/catch.hpp>
#include <climits>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "sluice/sluice.hpp"

namespace {

constexpr std::int64_t day = 86400;
constexpr std::int64_t ns = 1'000'000'000;

const sluice::timestamp jan1 = sluice::to_timestamp({2024, 1, 1});

// x on 2024-01-01 .. 2024-01-06: 1, 2, 3, 2, 5, 6. `x crosses above 2.5` fires on Jan 3 and
// Jan 5; read a day late (lag 1d) it sees Jan 2's 2 on Jan 3, 3 on Jan 4, ... and fires on
// Jan 4 and Jan 6.
const std::vector<double> x_values{1, 2, 3, 2, 5, 6};

std::vector<sluice::timestamp> daily_seconds(std::size_t n, sluice::timestamp first = jan1) {
  std::vector<sluice::timestamp> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(first + static_cast<std::int64_t>(i) * day);
  return out;
}

std::vector<std::string> dates(const sluice::run_result& r) {
  std::vector<std::string> out;
  for (const auto& e : r.events) out.push_back(sluice::format_timestamp(e.time));
  return out;
}

sluice::program compiled(const sluice::engine& eng, const std::string& text) {
  const auto c = eng.compile(text);
  INFO(c.rendered());
  REQUIRE(c.ok());
  return c.value();
}

}  // namespace

TEST_CASE("units: nanosecond times give the events of the same times in seconds", "[api][units]") {
  const auto seconds = daily_seconds(x_values.size());
  std::vector<std::int64_t> nanos, millis, hundredths;
  for (const sluice::timestamp t : seconds) {
    nanos.push_back(t * ns);
    millis.push_back(t * 1000);
    hundredths.push_back(t * 100);  // a unit without a fast path
  }
  const std::string rules =
      "rule \"up\": when x crosses above 2.5 then watch x and alert \"x={x}\"";
  sluice::engine by_seconds;
  REQUIRE(by_seconds.add_series("x", seconds, x_values));
  const sluice::run_result expected = compiled(by_seconds, rules).run();
  REQUIRE(dates(expected) == std::vector<std::string>{"2024-01-03", "2024-01-05"});

  for (const auto& [times, unit] : {std::pair{nanos, ns}, std::pair{millis, std::int64_t{1000}},
                                    std::pair{hundredths, std::int64_t{100}}}) {
    INFO("units per second: " << unit);
    sluice::engine eng;
    const sluice::status s = eng.add_series_units("x", times, unit, x_values);
    INFO(s.message);
    REQUIRE(s);
    const sluice::run_result r = compiled(eng, rules).run();
    REQUIRE(r.events.size() == expected.events.size());
    for (std::size_t i = 0; i < r.events.size(); ++i) {
      CHECK(r.events[i].time == expected.events[i].time);
      CHECK(r.events[i].rule == expected.events[i].rule);
      CHECK(r.events[i].messages == expected.events[i].messages);
      REQUIRE(r.events[i].values.size() == 1);
      CHECK(r.events[i].values[0].value == expected.events[i].values[0].value);
    }
  }
}

TEST_CASE("units: times before 1970 and NaN values convert as add_series's", "[api][units]") {
  // 1969-12-30, 12-31, 1970-01-01 at -2, -1, 0 days; the NaN is no observation.
  const std::vector<std::int64_t> nanos{-2 * day * ns, -day * ns, 0};
  sluice::engine eng;
  REQUIRE(eng.add_series_units("x", nanos, ns, std::vector<double>{1, NAN, 3}));
  const auto r = compiled(eng, "x crosses above 2 then watch x").run();
  REQUIRE(dates(r) == std::vector<std::string>{"1970-01-01"});
}

TEST_CASE("units: a time with a fraction of a millisecond is refused, never rounded",
          "[api][units]") {
  // Sluice's times are milliseconds (they were whole seconds: a half second was refused).
  auto nanos = daily_seconds(3);
  for (auto& t : nanos) t *= ns;
  nanos[2] += ns / 2'000;  // 2024-01-03 00:00:00.0005
  sluice::engine eng;
  sluice::status s = eng.add_series_units("x", nanos, ns, std::vector<double>{1, 2, 3});
  CHECK_FALSE(s);
  CHECK(s.message ==
        "series 'x': the time at index 2 (2024-01-03 + 0.0005 s) has a fraction of a millisecond; "
        "Sluice's times are milliseconds");
  // Before 1970 the millisecond is the one below: -0.25 ms is 23:59:59.999 + 0.00075 s.
  s = eng.add_series_units("y", std::vector<std::int64_t>{-250}, 1'000'000, std::vector<double>{1});
  CHECK(s.message ==
        "series 'y': the time at index 0 (1969-12-31 23:59:59.999 + 0.00075 s) has a fraction of a "
        "millisecond; Sluice's times are milliseconds");
  s = eng.add_series_units("z", std::vector<std::int64_t>{0}, 0, std::vector<double>{1});
  CHECK(s.message == "series 'z': units_per_second must be at least 1, not 0");
  // The refused series were not registered: the rules cannot read them.
  CHECK_FALSE(eng.compile("x breaks 1 then watch x").ok());
}

TEST_CASE("units: the other checks of add_series still apply", "[api][units]") {
  sluice::engine eng;
  const std::vector<std::int64_t> backwards{2 * day * ns, day * ns};
  sluice::status s = eng.add_series_units("x", backwards, ns, std::vector<double>{1, 2});
  CHECK(s.message ==
        "series 'x': times must be strictly ascending (index 1: 1970-01-02 after 1970-01-03)");
  s = eng.add_series_units("x", std::vector<std::int64_t>{0, day * ns}, ns,
                           std::vector<double>{1, INFINITY});
  CHECK(s.message == "series 'x': the value at index 1 (1970-01-02) is not finite");
}

TEST_CASE("lags: with_lags replaces the host's lag and `set lag` for one program", "[api][lags]") {
  const auto seconds = daily_seconds(x_values.size());
  sluice::engine eng;
  sluice::series_options late;
  late.lag = sluice::days(1);
  REQUIRE(eng.add_series("x", seconds, x_values, late));
  const sluice::program lagged = compiled(eng, "x crosses above 2.5 then watch x");
  CHECK(dates(lagged.run()) == std::vector<std::string>{"2024-01-04", "2024-01-06"});

  std::string error;
  const auto on_the_day = lagged.with_lags({{"X", sluice::days(0)}}, &error);  // any case
  REQUIRE(on_the_day);
  CHECK(dates(on_the_day->run()) == std::vector<std::string>{"2024-01-03", "2024-01-05"});
  CHECK(dates(lagged.run()) == std::vector<std::string>{"2024-01-04", "2024-01-06"});  // unchanged

  // `set lag x 3d` in the text wins over the host's lag; with_lags wins over both.
  const sluice::program set_in_text =
      compiled(eng, "set lag x 3d\nx crosses above 2.5 then watch x");
  CHECK(dates(set_in_text.with_lags({{"x", sluice::days(0)}})->run()) ==
        std::vector<std::string>{"2024-01-03", "2024-01-05"});
  CHECK(dates(set_in_text.with_lags({{"x", sluice::days(1)}})->run()) ==
        std::vector<std::string>{"2024-01-04", "2024-01-06"});

  // Event ids hash the rule text: the same with other lags.
  const sluice::run_result a = lagged.run(),
                           b = on_the_day->with_lags({{"x", sluice::days(1)}})->run();
  REQUIRE(a.events.size() == b.events.size());
  CHECK(lagged.event_id(a.events[0]) == on_the_day->event_id(b.events[0]));
}

TEST_CASE("lags: a session of a with_lags program reads the new lag", "[api][lags]") {
  const auto seconds = daily_seconds(x_values.size());
  sluice::engine eng;
  sluice::series_options late;
  late.lag = sluice::days(1);
  REQUIRE(eng.add_series("x", seconds, x_values, late));
  const auto program =
      compiled(eng, "x crosses above 2.5 then watch x").with_lags({{"x", sluice::days(0)}});
  REQUIRE(program);
  std::vector<std::string> fired;
  sluice::session s = program->stream(
      [&](const sluice::event& e) { fired.push_back(sluice::format_timestamp(e.time)); });
  for (std::size_t i = 0; i < seconds.size(); ++i) {
    REQUIRE(s.push("x", seconds[i], x_values[i]) == sluice::push_status::accepted);
    s.advance_to(seconds[i]);
  }
  s.finish();
  CHECK(fired == std::vector<std::string>{"2024-01-03", "2024-01-05"});
}

TEST_CASE("lags: an unknown series or a negative lag is refused with its name", "[api][lags]") {
  sluice::engine eng;
  REQUIRE(eng.add_series("x", daily_seconds(3), std::vector<double>{1, 2, 3}));
  const sluice::program p = compiled(eng, "x breaks 1 then watch x");
  std::string error;
  CHECK_FALSE(p.with_lags({{"x", sluice::days(0)}, {"tga", sluice::days(0)}}, &error));
  CHECK(error == "lag of 'tga': the program has no series of that name");
  CHECK_FALSE(p.with_lags({{"x", sluice::days(-1)}}, &error));
  CHECK(error == "lag of 'x': a publication lag cannot be negative");
  CHECK_FALSE(p.with_lags({{"y", sluice::days(0)}}));  // without an error string
}

TEST_CASE("units: nanoseconds convert as plain division says, over the whole range",
          "[api][units]") {
  // add_series_units' conversion checked against `/` and `%` over the whole int64 range. A
  // series [x, x] reveals the conversion either way: refused at index 0 when x has a
  // fraction of a millisecond, else at index 1 as not ascending, naming x in milliseconds.
  std::vector<std::int64_t> xs{0,
                               ns,
                               -ns,
                               512,
                               -512,
                               1'953'125,
                               -1'953'125,
                               ns + 512,
                               -ns - 1'953'125,
                               INT64_MAX,
                               INT64_MIN,
                               INT64_MAX / ns * ns,
                               INT64_MIN / ns * ns,
                               INT64_MIN / ns * ns - 1};
  std::uint64_t state = 42;
  for (int i = 0; i < 2000; ++i) {  // splitmix64: any value, then a whole second near it
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    const auto x = static_cast<std::int64_t>(z ^ (z >> 31));
    xs.push_back(x);
    xs.push_back(x / ns * ns);
    xs.push_back(x / 1'000'000 * 1'000'000);  // a whole millisecond
  }
  sluice::engine eng;
  for (const std::int64_t x : xs) {
    INFO("x = " << x);
    const sluice::status s =
        eng.add_series_units("x", std::vector<std::int64_t>{x, x}, ns, std::vector<double>{1, 2});
    REQUIRE_FALSE(s);
    constexpr std::int64_t per_ms = ns / 1000;
    if (x % per_ms == 0) {
      const std::string t = sluice::format_timestamp_ms(x / per_ms);
      CHECK(s.message ==
            "series 'x': times must be strictly ascending (index 1: " + t + " after " + t + ")");
    } else {
      CHECK(s.message.find("the time at index 0 (" +
                           sluice::format_timestamp_ms(x / per_ms - (x < 0 ? 1 : 0)) + " + ") !=
            std::string::npos);
    }
  }
}
