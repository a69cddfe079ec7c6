// sluice::parts (sluice.hpp, "universes in parts"; what sluice.dask runs on each worker):
// the cross-sectional reduction on a case worked out by hand, and a universe program
// evaluated in two parts, each holding only its members' data, equal to the whole run.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <iterator>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "sluice/sluice.hpp"

namespace {

constexpr sluice::timestamp day = 86400;
const double na = std::nan("");

bool same(double x, double y) { return (std::isnan(x) && std::isnan(y)) || x == y; }

struct series {
  std::vector<sluice::timestamp> times;
  std::vector<double> values;
};

// Member k's prices over 40 days: a wave of its own period, so ranks change over time.
// b skips days 10-19 (absent once stale), d starts on day 6, e is also observed at noon on
// odd days (points a part without e does not have).
std::map<std::string, series> universe_data() {
  std::map<std::string, series> out;
  const std::vector<std::string> names = {"a", "b", "c", "d", "e"};
  const sluice::timestamp start = sluice::to_timestamp({2024, 1, 1});
  for (std::size_t k = 0; k < names.size(); ++k) {
    series s;
    for (int i = 0; i < 40; ++i) {
      if (names[k] == "b" && i >= 10 && i < 20) continue;
      if (names[k] == "d" && i < 6) continue;
      const double v = std::round(1000 * (10 + std::sin(0.3 * (k + 1) * i) + 0.05 * k * i)) / 1000;
      s.times.push_back(start + i * day);
      s.values.push_back(v);
      if (names[k] == "e" && i % 2 == 1) {
        s.times.push_back(start + i * day + day / 2);
        s.values.push_back(v + 0.25);
      }
    }
    out[names[k]] = s;
  }
  return out;
}

const char* rules =
    "rule \"r\": for each s in u when rank(pct(s, 2 bars)) <= 2 and breadth(u, s > sma(s, 3 bars)) "
    ">= 0.5 then watch s\n"
    "rule \"m\": for each s in u when s > mean(u, s) and s < median(u, s) + 0.5 then watch s "
    "and alert \"{s.name} at {s}\"\n"
    "rule \"plain\": when a crosses above sma(a, 4 bars) then watch a\n";

sluice::program compiled(const std::map<std::string, series>& data,
                         const std::vector<std::string>& members) {
  sluice::engine e;
  std::string text = rules;
  text += "universe u = ";
  for (std::size_t k = 0; k < members.size(); ++k) text += (k ? ", " : "") + members[k];
  text += "\n";
  for (const std::string& m : members)
    REQUIRE(e.add_series(m, data.at(m).times, data.at(m).values));
  if (std::find(members.begin(), members.end(), "a") == members.end())
    REQUIRE(e.add_series("a", data.at("a").times, data.at("a").values));  // the plain rule's
  auto r = e.compile(text);
  INFO(r.rendered());
  REQUIRE(r.ok());
  return r.value();
}

}  // namespace

TEST_CASE("reduce_cross_section: ranks with ties and absent members, mean, median, breadth",
          "[api][parts]") {
  // Three members (rows) at two points (columns): point 0 is 2, na, 2 (a tie, the middle
  // member absent); point 1 is 1, 3, 2.
  const std::vector<double> x = {2, 1, na, 3, 2, 2};
  const std::vector<double> rank = sluice::parts::reduce_cross_section("rank", x, 3, 2);
  REQUIRE(rank.size() == 6);
  CHECK(rank[0] == 1);  // the tie goes to the member listed first
  CHECK(std::isnan(rank[2]));
  CHECK(rank[4] == 2);
  CHECK(rank[1] == 3);
  CHECK(rank[3] == 1);
  CHECK(rank[5] == 2);
  const std::vector<double> mean = sluice::parts::reduce_cross_section("mean", x, 3, 2);
  CHECK(mean == std::vector<double>{2, 2});  // (2 + 2) / 2, not (2 + 0 + 2) / 3
  const std::vector<double> median = sluice::parts::reduce_cross_section("median", x, 3, 2);
  CHECK(median == std::vector<double>{2, 2});
  // Conditions: 1 true, 0 false, NaN na (absent).
  const std::vector<double> c = {1, 0, na, 1, 0, 1};
  const std::vector<double> breadth = sluice::parts::reduce_cross_section("breadth", c, 3, 2);
  CHECK(breadth[0] == 0.5);  // 1 of the 2 present
  CHECK(breadth[1] == 2.0 / 3);
  const std::vector<double> absent = {na, na};
  const std::vector<double> nobody = sluice::parts::reduce_cross_section("mean", absent, 2, 1);
  CHECK(std::isnan(nobody[0]));
  CHECK_THROWS_AS(sluice::parts::reduce_cross_section("rnak", x, 3, 2), std::invalid_argument);
  CHECK_THROWS_AS(sluice::parts::reduce_cross_section("rank", x, 2, 2), std::invalid_argument);
}

TEST_CASE("a universe program in two parts equals the whole run", "[api][parts]") {
  const auto data = universe_data();
  const std::vector<std::string> all = {"a", "b", "c", "d", "e"};
  const sluice::program whole = compiled(data, all);
  const sluice::run_result want = whole.run();
  REQUIRE(want.ok);

  struct part {
    std::vector<std::string> members;
    std::size_t first;
  };
  const std::vector<part> split = {{{"a", "b"}, 0}, {{"c", "d", "e"}, 2}};
  std::vector<sluice::program> programs;
  for (const part& p : split) programs.push_back(compiled(data, p.members));
  for (const sluice::program& p : programs) CHECK(sluice::parts::check_universe(p, "u").empty());
  REQUIRE(sluice::parts::cross_sections(programs[0]).size() == 4);  // rank, breadth, mean, median

  // 1. The whole timeline: the union of the parts' (the first part lacks e's noon points).
  std::vector<sluice::timestamp> timeline;
  for (const sluice::program& p : programs) {
    const auto times = sluice::parts::part_timeline(p, std::nullopt, nullptr);
    std::vector<sluice::timestamp> merged;
    std::set_union(timeline.begin(), timeline.end(), times.begin(), times.end(),
                   std::back_inserter(merged));
    timeline = merged;
  }
  CHECK(sluice::parts::part_timeline(programs[0], std::nullopt, nullptr).size() < timeline.size());
  REQUIRE(timeline.size() == want.points);

  // 2. Operands per part, 3. one reduction per operator over all five members.
  std::vector<sluice::parts::operands> operands;
  for (const sluice::program& p : programs) {
    operands.push_back(sluice::parts::part_operands(p, timeline));
    REQUIRE(operands.back().ok);
  }
  const auto kinds = sluice::parts::cross_sections(programs[0]);
  std::vector<std::vector<std::vector<double>>> given(split.size());
  for (std::size_t x = 0; x < kinds.size(); ++x) {
    std::vector<double> stacked;
    for (const auto& o : operands)
      stacked.insert(stacked.end(), o.values[x].begin(), o.values[x].end());
    const std::vector<double> reduced =
        sluice::parts::reduce_cross_section(kinds[x].op, stacked, all.size(), timeline.size());
    for (std::size_t k = 0; k < split.size(); ++k) {
      if (kinds[x].op != "rank") {
        given[k].push_back(reduced);
        continue;
      }
      const std::size_t from = split[k].first * timeline.size();
      given[k].emplace_back(
          reduced.begin() + static_cast<std::ptrdiff_t>(from),
          reduced.begin() +
              static_cast<std::ptrdiff_t>(from + split[k].members.size() * timeline.size()));
    }
  }

  // 4. Each part's events, numbered as in the whole program, merged by (time, rule).
  struct numbered {
    std::size_t rule;
    std::size_t point;
    std::vector<double> values;
    std::vector<std::string> value_names;
    std::string actions;
    std::string alert;
  };
  std::vector<numbered> got;
  for (std::size_t k = 0; k < split.size(); ++k) {
    const sluice::parts::layout layout{"u", all.size(), split[k].first, k == 0};
    const sluice::parts::part_result r =
        sluice::parts::part_run(programs[k], layout, timeline, given[k]);
    REQUIRE(r.ok);
    CHECK(r.points == timeline.size());
    REQUIRE(r.event_rule.size() == r.event_point.size());
    REQUIRE(r.rule_index.size() == programs[k].rules().size());
    std::size_t value = 0, alert = 0;
    for (std::size_t e = 0; e < r.event_point.size(); ++e) {
      const std::uint32_t local = r.event_rule[e];
      numbered n{r.rule_index.at(local),  r.event_point[e],         {},
                 r.rule_values.at(local), r.rule_actions.at(local), ""};
      for (std::size_t v = 0; v < n.value_names.size(); ++v)
        n.values.push_back(r.values.at(value++));
      if (alert < r.alert_events.size() && r.alert_events[alert] == e) n.alert = r.alerts[alert++];
      got.push_back(n);
    }
    CHECK(value == r.values.size());
    CHECK(alert == r.alerts.size());
  }
  std::sort(got.begin(), got.end(), [](const numbered& x, const numbered& y) {
    return x.point != y.point ? x.point < y.point : x.rule < y.rule;
  });
  // The case has something to compare: each kind of rule fires.
  std::set<std::string> fired;
  for (const sluice::event& e : want.events) fired.insert(e.rule.substr(0, e.rule.find('[')));
  CHECK(fired == std::set<std::string>{"r", "m", "plain"});
  REQUIRE(got.size() == want.events.size());
  std::size_t alerts = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const numbered& g = got[i];
    const sluice::event& w = want.events[i];
    INFO("event " << i << ": " << w.rule << " at " << sluice::format_timestamp(w.time));
    CHECK(whole.rules().at(g.rule) == w.rule);
    CHECK(g.point == w.point);
    CHECK(timeline.at(g.point) == w.time);
    std::string actions;
    for (std::size_t a = 0; a < w.actions.size(); ++a) actions += (a ? "; " : "") + w.actions[a];
    CHECK(g.actions == actions);
    REQUIRE(w.messages.size() <= 1);
    CHECK(g.alert == (w.messages.empty() ? "" : w.messages[0]));
    alerts += !w.messages.empty();
    REQUIRE(g.values.size() == w.values.size());
    for (std::size_t v = 0; v < g.values.size(); ++v) {
      CHECK(g.value_names[v] == w.values[v].name);
      CHECK(same(g.values[v], w.values[v].value));
    }
  }
  CHECK(alerts > 0);
}

TEST_CASE("parts refuse rules over a universe they do not split", "[api][parts]") {
  const auto data = universe_data();
  sluice::engine e;
  for (const char* m : {"a", "b"}) REQUIRE(e.add_series(m, data.at(m).times, data.at(m).values));
  auto r = e.compile(
      "universe v = a, b\nfor each s in v when s > 1 then watch s\nuniverse u = a\n"
      "for each s in u when s > 1 then watch s\n");
  REQUIRE(r.ok());
  CHECK(sluice::parts::check_universe(r.value(), "u").find("'v'") != std::string::npos);
  CHECK(sluice::parts::check_universe(r.value(), "v").find("'u'") != std::string::npos);
}
