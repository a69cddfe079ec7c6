// event::rule_index: each event names its rule by position in program::rules() too, in batch
// runs, stats runs and sessions, so hosts can group events without comparing rule names.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "sluice/sluice.hpp"

namespace {

constexpr sluice::timestamp day = 86400;

// (day number, rule name, rule_index) of each event, sorted.
using fired = std::tuple<long, std::string, std::size_t>;

std::vector<fired> firings(const std::vector<sluice::event>& events, sluice::timestamp t0) {
  std::vector<fired> out;
  for (const sluice::event& e : events) out.emplace_back((e.time - t0) / day, e.rule, e.rule_index);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("event rule_index: the rule's position in rules(), in runs, stats and sessions",
          "[api][rule_index]") {
  const sluice::timestamp t0 = sluice::to_timestamp({2024, 1, 1});
  const std::vector<sluice::timestamp> times{t0, t0 + day, t0 + 2 * day, t0 + 3 * day};
  const std::vector<double> x{0, 2, 0, 6};
  const std::vector<double> y{0, 0, 2, 2};
  sluice::engine engine;
  REQUIRE(engine.add_series("x", times, x));
  REQUIRE(engine.add_series("y", times, y));
  // Not in alphabetical order, and the last rule fires first: the index is the position.
  const sluice::compile_result c = engine.compile(
      "rule \"zeta\": when x breaks 1 then watch x\n"
      "rule \"alpha\": when x breaks 5 then watch x\n"
      "rule \"mid\": when y breaks 1 then watch y\n");
  REQUIRE(c);
  const sluice::program& p = c.value();
  REQUIRE(p.rules() == std::vector<std::string>{"zeta", "alpha", "mid"});
  // By hand: x goes above 1 on days 1 and 3 and above 5 on day 3; y goes above 1 on day 2.
  const std::vector<fired> expected{{1, "zeta", 0}, {2, "mid", 2}, {3, "alpha", 1}, {3, "zeta", 0}};

  const sluice::run_result run = p.run();
  REQUIRE(run.ok);
  CHECK(firings(run.events, t0) == expected);

  const sluice::stats_result stats = p.stats({}, {sluice::days(1)});
  CHECK(firings(stats.run.events, t0) == expected);

  std::vector<sluice::event> streamed;
  sluice::session s = p.stream([&](const sluice::event& e) { streamed.push_back(e); });
  for (std::size_t i = 0; i < times.size(); ++i) {
    REQUIRE(s.push("x", times[i], x[i]) == sluice::push_status::accepted);
    REQUIRE(s.push("y", times[i], y[i]) == sluice::push_status::accepted);
  }
  s.finish();
  CHECK(firings(streamed, t0) == expected);

  std::string error;
  const auto lagged = p.with_lags({{"x", sluice::days(0)}}, &error);
  REQUIRE(lagged);
  CHECK(firings(lagged->run().events, t0) == expected);
}
