// The embedding API's forward stats, explanations and load reports (api/insight.cpp), on
// data small enough to work out by hand.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sluice/sluice.hpp"

namespace {

constexpr sluice::timestamp day = 86400;

sluice::engine engine_with_x(const std::vector<double>& values) {
  std::vector<sluice::timestamp> times;
  for (std::size_t i = 0; i < values.size(); ++i)
    times.push_back(sluice::to_timestamp({2024, 1, 1}) + static_cast<sluice::timestamp>(i) * day);
  sluice::engine e;
  REQUIRE(e.add_series("x", times, values));
  return e;
}

}  // namespace

TEST_CASE("program::stats gives each rule's forward returns and a baseline", "[api][stats]") {
  // x: 90 100 110 90 120 120. `x breaks 105` fires on day 3 (110) and day 5 (120).
  // 1-day returns after them, by hand: 90/110 - 1 and 120/120 - 1 = 0.
  const auto e = engine_with_x({90, 100, 110, 90, 120, 120});
  const auto c = e.compile("x breaks 105 then watch x");
  REQUIRE(c);
  const sluice::stats_result s = c.value().stats({}, {sluice::days(1)});
  REQUIRE(s.run.ok);
  REQUIRE(s.run.events.size() == 2);
  REQUIRE(s.rows.size() == 2);  // the rule, then the baseline
  const sluice::horizon_summary& r = s.rows[0];
  CHECK(r.watched == "x");
  CHECK(r.horizon == "1d");
  CHECK(r.count == 2);
  CHECK(r.pending == 0);
  CHECK(r.mean == Approx((90.0 / 110 - 1 + 0) / 2));
  CHECK(r.worst == Approx(90.0 / 110 - 1));
  CHECK(r.hit_rate == 0);  // neither return is above 0
  CHECK(r.max_drawdown == Approx(90.0 / 110 - 1));  // the deepest either event saw in its day
  REQUIRE(s.events.size() == 2);  // one return per event (the baseline lists none)
  CHECK(s.events[0].time == sluice::to_timestamp({2024, 1, 3}));
  CHECK(s.events[0].status == "ok");
  CHECK(s.events[0].ret == Approx(90.0 / 110 - 1));
  CHECK(s.events[1].ret == Approx(0.0).margin(1e-12));
  CHECK(s.rows[1].rule == "baseline");
  CHECK(s.rows[1].count == 5);  // every point but the last has a next day
  CHECK(s.rows[1].pending == 1);
}

TEST_CASE("program::explain says why a rule did or did not fire", "[api][explain]") {
  const auto e = engine_with_x({90, 100, 110, 90});
  const auto c = e.compile("rule \"up\": when x breaks 105 then watch x");
  REQUIRE(c);
  const sluice::explanation fired = c.value().explain("up", sluice::to_timestamp({2024, 1, 3}));
  REQUIRE(fired.ok);
  CHECK(fired.text.find("rule \"up\" (<rules>:1) at 2024-01-03: fired") == 0);
  const sluice::explanation not_fired = c.value().explain("UP", sluice::to_timestamp({2024, 1, 4}));
  REQUIRE(not_fired.ok);  // names match ignoring case
  CHECK(not_fired.text.find("did not fire: the condition is not true") != std::string::npos);
  const sluice::explanation unknown = c.value().explain("down");
  CHECK_FALSE(unknown.ok);
  CHECK(unknown.error == "<rules> has no rule named \"down\"; its rules are: \"up\"");
  const sluice::explanation early = c.value().explain("up", sluice::to_timestamp({2023, 1, 1}));
  CHECK_FALSE(early.ok);
  CHECK(early.error == "no data on or before 2023-01-01");
}

TEST_CASE("read_csv fills a load report", "[api][csv]") {
  const auto path = std::filesystem::temp_directory_path() / "sluice_api_load_report.csv";
  {
    std::ofstream f(path);
    f << "Date,Close\n2024-01-01,1.5\n2024-01-02,abc\n2024-01-03,\n2024-01-04,2.5\n";
  }
  std::string error;
  sluice::load_report report;
  const auto data = sluice::read_csv(path.string(), {}, &error, &report);
  REQUIRE(data);
  CHECK(data->values == std::vector<double>{1.5, 2.5});
  CHECK(report.rows_read == 4);
  CHECK(report.missing_cells == 1);
  REQUIRE(report.rejected.size() == 1);
  CHECK(report.rejected[0].line == 3);  // header is line 1
  CHECK(report.text.find(":3:") != std::string::npos);
  CHECK_FALSE(sluice::read_csv(path.string(), "volume", &error, &report));
  CHECK(error.find("has no column 'volume'") != std::string::npos);
  std::filesystem::remove(path);
}
