// Hand-checked values for the reference evaluator: tiny data sets where each expected value
// was worked out on paper from docs/semantics.md, so that the reference and the VM cannot
// both be wrong the same way unnoticed.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <map>

#include "interpreter/compile/compiler.hpp"
#include "interpreter/reference/reference_eval.hpp"

namespace sluice::testing {
namespace {

constexpr double na = std::numeric_limits<double>::quiet_NaN();
constexpr int F = 0, T = 1, N = 2;  // condition values: false, true, na

time_point day(int d) { return *parse_iso_date("2024-01-01") + (d - 1) * ms_per_day; }

// Eight daily points, 2024-01-01 .. 2024-01-08 (t0 .. t7).
observations daily(std::vector<double> values) {
  observations obs;
  for (std::size_t i = 0; i < values.size(); ++i) {
    obs.times.push_back(day(static_cast<int>(i) + 1));
    obs.values.push_back(values[i]);
  }
  return obs;
}

struct fixture {
  std::map<std::string, observations> data;
  std::shared_ptr<const program> p;
  std::unique_ptr<reference_evaluator> ref;

  // `host`: series given by the host; others come from `load` statements in `source`.
  fixture(const std::string& source, std::map<std::string, observations> series,
          std::vector<std::string> host, std::optional<time_point> from = {})
      : data(std::move(series)) {
    compile_options options;
    for (const std::string& name : host) {
      host_series h;
      h.name = name;
      options.host.push_back(h);
    }
    diagnostics diags;
    p = compile_source("test.sluice", source, options, diags);
    for (const diagnostic& d : diags.items()) UNSCOPED_INFO(d.message);
    REQUIRE(p);
    ref = std::make_unique<reference_evaluator>(
        *p,
        [this](std::uint32_t s, const std::string&) -> const observations* {
          return &data.at(p->series[s].name);
        },
        from, std::nullopt);
  }

  // The value node of `let NAME` in the main module.
  node_id let_value(const std::string& name) const {
    for (const statement& st : p->modules[p->rules[0].module]->statements)
      if (const auto* l = std::get_if<let_stmt>(&st.body))
        if (l->name == name) return l->value;
    FAIL("no let " << name);
    return no_node;
  }
  std::vector<double> numbers(const std::string& let) {
    std::vector<double> out;
    for (std::size_t t = 0; t < ref->timeline().size(); ++t)
      out.push_back(ref->eval(p->rules[0].module, let_value(let), t).number);
    return out;
  }
  std::vector<int> truths(const std::string& let) {
    std::vector<int> out;
    for (std::size_t t = 0; t < ref->timeline().size(); ++t)
      out.push_back(ref->eval(p->rules[0].module, let_value(let), t).truth);
    return out;
  }
  std::vector<std::size_t> fired(std::uint32_t rule) {
    std::vector<std::size_t> out;
    for (const auto& [t, r] : ref->firings())
      if (r == rule) out.push_back(t);
    return out;
  }
};

void check_numbers(const std::vector<double>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t t = 0; t < got.size(); ++t) {
    INFO("point t" << t << ": got " << got[t] << ", want " << want[t]);
    if (std::isnan(want[t])) CHECK(std::isnan(got[t]));
    else CHECK(got[t] == Approx(want[t]).epsilon(1e-12));
  }
}

// a: 1 3 2 5 5 4 6 0     b: 2 2 3 4 6 4 5 1   (t0 .. t7, daily)
std::map<std::string, observations> ab() {
  return {{"a", daily({1, 3, 2, 5, 5, 4, 6, 0})}, {"b", daily({2, 2, 3, 4, 6, 4, 5, 1})}};
}

const char* const rule_line = "rule \"r\": when a > b then watch a\n";

}  // namespace

TEST_CASE("reference: comparisons, crosses and logic", "[reference]") {
  fixture f(std::string(rule_line) +
                "let gt = a > b\n"
                "let up = a crosses above b\n"
                "let down = a crosses below b\n"
                "let brk = a breaks 4\n"
                "let btw = a between 2 and 4.5\n"
                "let no = not (a rises over 2 bars)\n"
                "let both = (a rises over 2 bars) and (a > 0)\n"
                "let either = (a rises over 2 bars) or (a > 3)\n",
            ab(), {"a", "b"});
  CHECK(f.truths("gt") == std::vector<int>{F, T, F, T, F, F, T, F});
  CHECK(f.truths("up") == std::vector<int>{N, T, F, T, F, F, T, F});
  CHECK(f.truths("down") == std::vector<int>{N, F, T, F, T, F, F, T});
  CHECK(f.truths("brk") == std::vector<int>{N, F, F, T, F, F, T, F});  // a > 4 after a <= 4
  CHECK(f.truths("btw") == std::vector<int>{F, T, T, F, F, T, F, F});
  CHECK(f.truths("no") == std::vector<int>{N, N, F, F, F, T, F, T});
  CHECK(f.truths("both") == std::vector<int>{N, N, T, T, T, F, T, F});  // t7: false and false
  CHECK(f.truths("either") == std::vector<int>{N, N, T, T, T, T, T, F});  // t5: false or 4 > 3
}

TEST_CASE("reference: rises, falls, outperforms, new highs", "[reference]") {
  fixture f(std::string(rule_line) +
                "let r2 = a rises over 2 bars\n"
                "let r2d = a rises over 2d\n"
                "let pct = a rises by 50% over 1 bar\n"
                "let fall = a falls by 1 over 1 bar\n"
                "let lead = a outperforms b over 1 bar\n"
                "let top = a hits new high\n"
                "let high2 = a hits new high over 2 bars\n"
                "let low3 = a hits new low over 3d\n",
            ab(), {"a", "b"});
  CHECK(f.truths("r2") == std::vector<int>{N, N, T, T, T, F, T, F});
  CHECK(f.truths("r2d") == std::vector<int>{N, N, T, T, T, F, T, F});
  CHECK(f.truths("pct") == std::vector<int>{N, T, F, T, F, F, T, F});  // t6: 6/4 - 1 = 50% exactly
  CHECK(f.truths("fall") == std::vector<int>{N, F, T, F, F, T, F, T});
  // pct a: +200% -33% +150% 0 -20% +50% -100%; pct b: 0 +50% +33% +50% -33% +25% -80%
  CHECK(f.truths("lead") == std::vector<int>{N, T, F, T, F, T, T, F});
  CHECK(f.truths("top") == std::vector<int>{N, T, F, T, F, F, T, F});
  CHECK(f.truths("high2") == std::vector<int>{N, N, F, T, F, F, T, F});
  CHECK(f.truths("low3") == std::vector<int>{N, N, N, F, F, F, F, T});
}

TEST_CASE("reference: for, within, followed by", "[reference]") {
  fixture f(std::string(rule_line) +
                "let for2 = (a >= 2) for 2 bars\n"
                "let for3d = (a >= 2) for 3d\n"
                "let in1 = (a > b) within 1 bar\n"
                "let in2d = (a > b) within 2d\n"
                "let fb = (a > b) followed by (b > a) within 2 bars\n"
                "let fbd = (a > b) followed by (b > a) within 1d\n",
            ab(), {"a", "b"});
  // a >= 2: F T T T T T T F
  CHECK(f.truths("for2") == std::vector<int>{F, F, T, T, T, T, T, F});
  CHECK(f.truths("for3d") == std::vector<int>{F, F, F, F, T, T, T, F});  // t3 starts at t0: false
  // a > b: F T F T F F T F; b > a: T F T F T F F T
  CHECK(f.truths("in1") == std::vector<int>{F, T, T, T, T, F, T, T});
  CHECK(f.truths("in2d") == std::vector<int>{F, T, T, T, T, T, T, T});
  CHECK(f.truths("fb") == std::vector<int>{F, F, T, F, T, F, F, T});
  CHECK(f.truths("fbd") == std::vector<int>{F, F, T, F, T, F, F, T});
}

TEST_CASE("reference: builtins", "[reference]") {
  fixture f(std::string(rule_line) +
                "let s3 = sma(a, 3 bars)\n"
                "let e3 = ema(a, 3 bars)\n"
                "let r2 = rsi(a, 2 bars)\n"
                "let sd = stdev(a, 3 bars)\n"
                "let z = zscore(a, 3 bars)\n"
                "let h3 = highest(a, 3d)\n"
                "let dd = drawdown(a)\n"
                "let rb = rebase(a)\n"
                "let bk = basket(a, b)\n"
                "let q = a / (b - 2)\n"
                "let lg = log(a)\n"
                "let mn = min(a, b, 4)\n"
                "let back = a[2]\n",
            ab(), {"a", "b"});
  check_numbers(f.numbers("s3"), {na, na, 2, 10.0 / 3, 4, 14.0 / 3, 5, 10.0 / 3});
  // alpha 1/2, seeded by 1: 1, 2, 2, 3.5, 4.25, 4.125, 5.0625, 2.53125; na for the first 2
  check_numbers(f.numbers("e3"), {na, na, 2, 3.5, 4.25, 4.125, 5.0625, 2.53125});
  // changes +2 -1 +3 0 -1 +2 -6; after two: gain 1, loss .5; then Wilder smoothing
  check_numbers(f.numbers("r2"), {na, na, 100 - 100 / 3.0, 100 - 100 / 9.0, 100 - 100 / 9.0,
                                  100 - 100 / (1 + 0.5 / 0.5625),
                                  100 - 100 / (1 + 1.25 / 0.28125),
                                  100 - 100 / (1 + 0.625 / 3.140625)});
  check_numbers(f.numbers("sd"), {na, na, 1, std::sqrt(7.0 / 3), std::sqrt(3.0), std::sqrt(1.0 / 3),
                                  1, std::sqrt(28.0 / 3)});
  check_numbers(f.numbers("z"), {na, na, 0, (5 - 10.0 / 3) / std::sqrt(7.0 / 3), 1 / std::sqrt(3.0),
                                 (4 - 14.0 / 3) / std::sqrt(1.0 / 3), 1,
                                 (0 - 10.0 / 3) / std::sqrt(28.0 / 3)});
  check_numbers(f.numbers("h3"), {na, na, na, 5, 5, 5, 6, 6});  // t - 3d < u <= t
  check_numbers(f.numbers("dd"), {0, 0, 1 - 2.0 / 3, 0, 0, 0.2, 0, 1});
  check_numbers(f.numbers("rb"), {100, 300, 200, 500, 500, 400, 600, 0});
  check_numbers(f.numbers("bk"), {100, 200, 175, 350, 400, 300, 425, 25});
  check_numbers(f.numbers("q"), {na, na, 2, 2.5, 1.25, 2, 2, 0});  // b - 2 = 0 at t0, t1
  check_numbers(f.numbers("lg"), {0, std::log(3), std::log(2), std::log(5), std::log(5), std::log(4),
                                  std::log(6), na});
  check_numbers(f.numbers("mn"), {1, 2, 2, 4, 4, 4, 4, 0});
  check_numbers(f.numbers("back"), {na, na, 1, 3, 2, 5, 5, 4});
}

TEST_CASE("reference: as-of reads with lag and staleness", "[reference]") {
  // c is observed on Jan 2, 3 and 6, published a day late, stale after one day; the
  // timeline is a's (Jan 1 .. 8).
  observations c;
  c.times = {day(2), day(3), day(6)};
  c.values = {10, 20, 30};
  fixture f(std::string("load c from \"c.csv\" lag 1d stale 1d\n") + rule_line +
                "let v = c\n"
                "let raw = lag(c, 2d)\n"
                "let tl = lag(c * 1, 2d)\n",
            {{"a", daily({1, 3, 2, 5, 5, 4, 6, 0})}, {"b", daily({2, 2, 3, 4, 6, 4, 5, 1})}, {"c", c}},
            {"a", "b"});
  // c at t reads the last observation <= t - 1d, valid back to (t - 1d) - 1d.
  check_numbers(f.numbers("v"), {na, na, 10, 20, 20, na, 30, 30});
  // raw: as-of (t - 2d) - 1d; Jan 8 reads Jan 5 -> Jan 3, two days old: stale.
  check_numbers(f.numbers("raw"), {na, na, na, na, 10, 20, 20, na});
  // any other expression: its value at the last point <= t - 2d.
  check_numbers(f.numbers("tl"), {na, na, na, na, 10, 20, 20, na});

  // A timeline with a hole: d is observed on Jan 1, 2 and 8 only.
  observations d;
  d.times = {day(1), day(2), day(8)};
  d.values = {1, 2, 8};
  fixture g("load d from \"d.csv\" stale 2d\nrule \"r\": when d > 0 then watch d\n"
            "let raw = lag(d, 3d)\nlet tl = lag(d + 0, 3d)\n",
            {{"d", d}}, {});
  REQUIRE(g.ref->timeline().size() == 3);
  // At Jan 8: the raw read at Jan 5 finds Jan 2, older than 2 days; the timeline read
  // takes the point Jan 2, where d was 2.
  check_numbers(g.numbers("raw"), {na, na, na});
  check_numbers(g.numbers("tl"), {na, na, 2});
}

TEST_CASE("reference: rule firings, cooldown, once, --from, signals", "[reference]") {
  // a > b holds at t1, t3, t6: three rising edges.
  fixture f("rule \"plain\": when a > b then watch a and signal s\n"
            "rule \"cool\": when a > b then watch a cooldown 3d\n"
            "rule \"bars\": when a > b then watch a cooldown 2 bars\n"
            "rule \"once\": when a > b then watch a once\n"
            "rule \"after\": when s within 1 bar then watch b\n",
            ab(), {"a", "b"});
  CHECK(f.fired(0) == std::vector<std::size_t>{1, 3, 6});
  CHECK(f.fired(1) == std::vector<std::size_t>{1, 6});  // t3 < t1 + 3d
  CHECK(f.fired(2) == std::vector<std::size_t>{1, 3, 6});
  CHECK(f.fired(3) == std::vector<std::size_t>{1});
  // `s within 1 bar` holds at t1..t4 and t6, t7: rising edges at t1 and t6 only.
  CHECK(f.fired(4) == std::vector<std::size_t>{1, 6});
  CHECK(f.ref->outcome(1, 3) == rule_outcome::cooling_down);
  CHECK(f.ref->outcome(3, 6) == rule_outcome::once_spent);
  CHECK(f.ref->outcome(0, 2) == rule_outcome::condition_not_true);
  CHECK(f.ref->outcome(4, 2) == rule_outcome::no_rising_edge);
  const auto values = f.ref->event_values(0, 3);
  REQUIRE(values.size() == 2);
  CHECK(values[0] == std::pair<std::string, double>("a", 5));
  CHECK(values[1] == std::pair<std::string, double>("b", 4));

  // --from Jan 3: the edge at t1 is seen but not reported, and starts no cooldown.
  fixture g("rule \"cool\": when a > b then watch a cooldown 3d\n", ab(), {"a", "b"}, day(3));
  CHECK(g.fired(0) == std::vector<std::size_t>{3, 6});
  CHECK(g.ref->outcome(0, 1) == rule_outcome::before_from);
}

TEST_CASE("reference: names resolve like the compiler's", "[reference]") {
  // `russell` is the prelude's alias of `rut`; a host series `spx` beats the prelude's
  // `let spx = gspc`; a def parameter beats a series of the same name.
  fixture f("def up(a) = a > 4\n"
            "rule \"r\": when up(russell) and spx > 1 then watch spx\n",
            {{"rut", daily({1, 3, 2, 5, 5, 4, 6, 0})}, {"spx", daily({2, 2, 3, 4, 6, 4, 5, 1})},
             {"a", daily({9, 9, 9, 9, 9, 9, 9, 9})}},
            {"rut", "spx", "a"});
  CHECK(f.fired(0) == std::vector<std::size_t>{3, 6});
  const auto values = f.ref->event_values(0, 3);
  REQUIRE(values.size() == 2);
  CHECK(values[0].first == "russell");
  CHECK(values[1].first == "spx");
}

TEST_CASE("reference: explain traces", "[reference]") {
  fixture f("def up(x) = x crosses above b\n"
            "rule \"r\": when up(a) and (a > b) followed by (b > a) within 2 bars then watch a\n",
            ab(), {"a", "b"});
  // At t3: a crosses above b (5 > 4 after 2 <= 3); followed by: b > a is false at t3.
  const std::vector<trace_entry> trace = f.ref->trace(0, 3);
  REQUIRE(trace.size() >= 4);
  CHECK(trace[0].text == "up(a) and (a > b) followed by (b > a) within 2 bars");
  CHECK(trace[0].value.truth == F);
  CHECK(trace[1].text == "up(a) and (a > b)");
  CHECK(trace[1].value.truth == T);
  CHECK(trace[2].text == "up(a)");
  CHECK(trace[3].depth == 3);  // the def's body, one level below the call
  CHECK(trace[3].text == "x crosses above b");
  CHECK(trace[3].inputs == "x 5 (prev 2), b 4 (prev 3)");
  CHECK(trace[0].inputs == "first part last held 2024-01-02, 2 days before; second part false");
}

TEST_CASE("reference: explain states the reason of every predicate", "[reference][explain]") {
  // a: 1 3 2 5 5 4 6 0   b: 2 2 3 4 6 4 5 1   c: na na 3 3 3 3 3 3   (t0 .. t7 = Jan 1 .. 8)
  // Each expected reason was worked out by hand from these values and docs/semantics.md.
  auto data = ab();
  data["c"] = daily({na, na, 3, 3, 3, 3, 3, 3});
  struct row {
    const char* condition;
    std::size_t t;
    int truth;
    const char* inputs;
  };
  const row rows[] = {
      // the prior high over the last 3 bars (t3..t5: 5 5 4) and over all prior points
      {"a hits new high over 3 bars", 6, T, "a 6, prior high 5 over 3 bars"},
      // without a window, since when "all-time" runs: a's first value, t0 = 2024-01-01
      {"a hits new high", 4, F, "a 5, prior high 5 since 2024-01-01 (data start)"},
      {"a hits new low", 7, T, "a 0, prior low 1 since 2024-01-01 (data start)"},
      {"a hits new high", 0, N,
       "a 1, prior high none since 2024-01-01 (data start)"},  // no prior point: na
      {"c hits new high", 3, F,
       "c 3, prior high 3 since 2024-01-03 (data start)"},  // c begins at t2
      // change against the value 2 bars earlier (t1: 3)
      {"a rises over 2 bars", 3, T, "a 5 (3 2 bars earlier)"},
      {"a crosses above b", 3, T, "a 5 (prev 2), b 4 (prev 3)"},
      {"a crosses above 4", 0, N, "no previous point"},  // na at the first point
      {"a between b and 6", 3, T, "a 5, b 4, 6"},
      {"a > b for 2 bars", 4, F, "not held now (false)"},
      {"a > b for 2 bars", 3, F, "held since 2024-01-04 (1 point)"},
      {"a > b within 2 bars", 5, T, "last held 2024-01-04, 2 days before"},
      // na: c has no observation before t2
      {"c > 1", 0, N, "c na vs 1"},
      {"c > 1 for 2 bars", 1, F, "not held now (na)"},
      {"c > 1 within 1 bars", 1, F, "last held: never"},
  };
  for (const row& r : rows) {
    INFO(r.condition << " at t" << r.t);
    fixture f(std::string("rule \"r\": when ") + r.condition + " then watch a\n", data,
              {"a", "b", "c"});
    const std::vector<trace_entry> trace = f.ref->trace(0, r.t);
    REQUIRE_FALSE(trace.empty());
    CHECK(trace[0].text == r.condition);
    CHECK(static_cast<int>(trace[0].value.truth) == r.truth);
    CHECK(trace[0].inputs == r.inputs);
  }
}

}  // namespace sluice::testing
