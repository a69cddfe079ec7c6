// A session evaluates the points due at one advance_to() as VM blocks (interpreter/run/
// stream.cpp). These tests pin what blocks must not change, against a batch run on the data
// the session finally saw (an independent driver): events whatever the block sizes (a whole
// history pushed, then one finish(); double and exact), and the callback rules of
// docs/embedding.md inside long blocks: a callback that throws at any event, and a callback
// that pushes observations dated inside the block being delivered.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sluice/sluice.hpp"

namespace {

constexpr sluice::timestamp day = 86400;
const sluice::timestamp t0 = sluice::to_timestamp({2020, 1, 1});

struct series_rows {
  std::vector<sluice::timestamp> times;
  std::vector<double> values;
};

// The program compiled over the final data, so that its batch run is the reference. Every
// series stays fresh for 100 years (y has a few scattered observations).
sluice::program compile_over(const std::map<std::string, series_rows>& data,
                             const std::string& text) {
  sluice::engine eng;
  sluice::series_options fresh;
  fresh.stale = sluice::years(100);
  for (const auto& [name, rows] : data)
    REQUIRE(eng.add_series(name, rows.times, rows.values, fresh));
  const auto r = eng.compile(text);
  INFO(r.rendered());
  REQUIRE(r.ok());
  return r.value();
}

void require_same(const std::vector<sluice::event>& got, const std::vector<sluice::event>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("event " << i);
    CHECK(got[i].time == want[i].time);
    CHECK(got[i].rule == want[i].rule);
    CHECK(got[i].point == want[i].point);
    CHECK(got[i].messages == want[i].messages);
    REQUIRE(got[i].values.size() == want[i].values.size());
    for (std::size_t v = 0; v < got[i].values.size(); ++v) {
      const double a = got[i].values[v].value, b = want[i].values[v].value;
      CHECK(((std::isnan(a) && std::isnan(b)) || a == b));
      CHECK(got[i].values[v].text == want[i].values[v].text);
    }
  }
}

// x over `days` days: 1 + i on even days, -1 on odd days, so `x > 0` rises on every even day.
series_rows alternating_x(int days) {
  series_rows x;
  for (int i = 0; i < days; ++i) {
    x.times.push_back(t0 + i * day);
    x.values.push_back(i % 2 == 0 ? 1 + i : -1);
  }
  return x;
}

// Rises on each even day of alternating_x (y at 0). The alert prints a 5-bar average and an
// exponential one, so that the events' texts show whether the window state was rewound
// correctly (without the restore, the exponential average differs from the batch run's).
const std::string kRule =
    "rule \"up\": when x + y > 0 then watch x and alert \"s {sma(x + y, 5 bars)} e {ema(x + y, 50 "
    "bars)}\"";

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("stream blocks: a whole history pushed, then finish(), equals batch",
          "[stream][blocks]") {
  // Every observation is pending at once, so the points go through the VM in full blocks
  // (and a last partial one), unlike the point-by-point and bursty streams of test_stream.
  const std::string dir = std::string(SLUICE_SOURCE_DIR) + "/examples/data/";
  std::map<std::string, series_rows> data;
  for (const char* name : {"alts", "btc", "hy_spread", "russell", "spx", "tga"}) {
    std::string error;
    auto d = sluice::read_csv(dir + name + ".csv", "", &error);
    INFO(error);
    REQUIRE(d);
    data[name] = {d->times, d->values};
  }
  const auto p =
      compile_over(data, read_text(std::string(SLUICE_SOURCE_DIR) + "/examples/rotation.sluice"));
  for (const bool exact : {false, true}) {
    INFO((exact ? "exact" : "double"));
    sluice::run_options ro;
    ro.exact = exact;
    const auto batch = p.run(ro);
    REQUIRE(batch.ok);
    REQUIRE(batch.events.size() >= 5);
    std::vector<sluice::event> events;
    sluice::stream_options so;
    so.exact = exact;
    auto s = p.stream([&](const sluice::event& e) { events.push_back(e); }, so);
    for (const std::string& name : s.series()) {
      const series_rows& rows = data.at(name);
      for (std::size_t i = 0; i < rows.times.size(); ++i)
        REQUIRE(s.push(name, rows.times[i], rows.values[i]) == sluice::push_status::accepted);
    }
    CHECK(s.finish() == batch.points);
    require_same(events, batch.events);
  }
}

TEST_CASE("stream blocks: a callback that throws inside a long block loses nothing",
          "[stream][blocks]") {
  // 600 days pending at once (several blocks); `x + y > 0` rises on each even day (y is 0):
  // 300 events. The callback throws once, at event k; the clock then stands at that event's
  // point, a later point can still be pushed (y at 12h after it, which makes a timeline point
  // of its own), and finish() delivers the rest: every event of a batch run on the final
  // data but the one that threw.
  for (const std::size_t k : {0u, 1u, 127u, 128u, 200u, 299u}) {
    INFO("throws at event " << k);
    const series_rows x = alternating_x(600);
    const sluice::timestamp thrown = t0 + static_cast<sluice::timestamp>(2 * k) * day;
    std::map<std::string, series_rows> final_data{{"x", x},
                                                  {"y", {{t0, thrown + day / 2}, {0, 0}}}};
    const auto p = compile_over(final_data, kRule);
    std::vector<sluice::event> events;
    std::size_t calls = 0;
    auto s = p.stream([&](const sluice::event& e) {
      if (calls++ == k) throw std::runtime_error("host failure");
      events.push_back(e);
    });
    REQUIRE(s.push("y", t0, 0) == sluice::push_status::accepted);
    for (std::size_t i = 0; i < x.times.size(); ++i)
      REQUIRE(s.push("x", x.times[i], x.values[i]) == sluice::push_status::accepted);
    CHECK_THROWS_AS(s.advance_to(x.times.back()), std::runtime_error);
    REQUIRE(s.clock());
    CHECK(*s.clock() == thrown);
    CHECK(s.points() == 2 * k + 1);
    CHECK(s.push("x", thrown, 5) == sluice::push_status::late);
    CHECK(s.push("y", thrown + day / 2, 0) == sluice::push_status::accepted);
    s.finish();
    const auto batch = p.run();
    REQUIRE(batch.ok);
    REQUIRE(batch.events.size() == 300);
    std::vector<sluice::event> want = batch.events;
    want.erase(want.begin() + static_cast<std::ptrdiff_t>(k));
    require_same(events, want);
    CHECK(s.points() == 601);
  }
}

TEST_CASE("stream blocks: a push from the callback into the block is evaluated in its turn",
          "[stream][blocks]") {
  // 600 days of x pending at once, y = 0 from day 0. At the event of day 300 the callback
  // pushes y = -1000 at 6h (x + y falls below 0), y = 0 at 18h (it rises again: an event at
  // 18h) and y = 0.5 on day 400 (a point already pending, whose as-of y changes). Evaluated in
  // time order, the events are a batch run's on the final data: the 300 even days, plus 18h
  // on day 300 (by hand: 301), with x's values as batch prints them.
  const series_rows x = alternating_x(600);
  const sluice::timestamp d300 = t0 + 300 * day;
  std::map<std::string, series_rows> final_data{
      {"x", x},
      {"y", {{t0, d300 + day / 4, d300 + 3 * day / 4, t0 + 400 * day}, {0, -1000, 0, 0.5}}}};
  for (const bool exact : {false, true}) {
    INFO((exact ? "exact" : "double"));
    const auto p = compile_over(final_data, kRule);
    std::vector<sluice::event> events;
    sluice::session* self = nullptr;
    sluice::stream_options so;
    so.exact = exact;
    auto s = p.stream(
        [&](const sluice::event& e) {
          events.push_back(e);
          if (e.time != d300) return;
          CHECK(self->push("y", d300 + day / 4, -1000) == sluice::push_status::accepted);
          CHECK(self->push("y", d300 + 3 * day / 4, 0) == sluice::push_status::accepted);
          CHECK(self->push("y", t0 + 400 * day, 0.5) == sluice::push_status::accepted);
          CHECK(self->push("x", d300, 9) == sluice::push_status::late);  // its point is evaluated
        },
        so);
    self = &s;
    REQUIRE(s.push("y", t0, 0) == sluice::push_status::accepted);
    for (std::size_t i = 0; i < x.times.size(); ++i)
      REQUIRE(s.push("x", x.times[i], x.values[i]) == sluice::push_status::accepted);
    CHECK(s.advance_to(x.times.back()) == 602);
    sluice::run_options ro;
    ro.exact = exact;
    const auto batch = p.run(ro);
    REQUIRE(batch.ok);
    REQUIRE(batch.events.size() == 301);
    CHECK(batch.events[151].time == d300 + 3 * day / 4);
    require_same(events, batch.events);
  }
}
