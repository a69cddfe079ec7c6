// Bounded compiles: definition chains that double at each level (the "def bombs") compile
// in time linear in the text, because a def called again with the same arguments is
// expanded once; chains whose calls really are all distinct stop at max_def_expansions
// with a diagnostic at the call; a deadline or a cancel token stops any compile.
// These cases hung before (2^30 expansions ran for over 10 CPU-minutes): the ctest
// TIMEOUT of `compile_bombs` (tests/CMakeLists.txt) is what fails if that comes back.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <vector>

#include "sluice/sluice.hpp"

namespace {

constexpr sluice::timestamp day = 86400;

// def f1(x) = f0(x) OP f0(x) ... up to f<levels>; f0(x) = x.
std::string chain(int levels, const std::string& left_arg, const std::string& right_arg,
                  const std::string& op = "+") {
  std::string text = "def f0(x) = x\n";
  for (int i = 1; i <= levels; ++i)
    text += "def f" + std::to_string(i) + "(x) = f" + std::to_string(i - 1) + "(" + left_arg +
            ") " + op + " f" + std::to_string(i - 1) + "(" + right_arg + ")\n";
  return text;
}

sluice::engine engine_with_x(const std::vector<double>& values, sluice::engine_options opt = {}) {
  sluice::engine eng(std::move(opt));
  std::vector<sluice::timestamp> times;
  for (std::size_t i = 0; i < values.size(); ++i)
    times.push_back(sluice::to_timestamp({2024, 1, 1}) + static_cast<sluice::timestamp>(i) * day);
  REQUIRE(eng.add_series("x", times, values));
  return eng;
}

// The 60-level chains nest 61 expansions deep: past the API's default of 32, within the
// CLI's 64.
sluice::engine_options deep() {
  sluice::engine_options opt;
  opt.max_expansion_depth = 64;
  return opt;
}

std::string first_error(const sluice::compile_result& r) {
  for (const auto& d : r.diagnostics())
    if (d.is_error) return d.message;
  return {};
}

}  // namespace

TEST_CASE("bounds: def chains doubling 20, 30 and 60 levels compile to the right value",
          "[api][bomb]") {
  // f_n(x) = 2^n * x, computed by hand; x is 1 then 3, so f_n(x) / 2^n > 2 fires once,
  // on the second day (and would not if a level were dropped or doubled twice).
  const auto eng = engine_with_x({1, 3}, deep());
  for (const auto& [levels, power] : std::vector<std::pair<int, std::string>>{
           {20, "1048576"}, {30, "1073741824"}, {60, "1152921504606846976"}}) {
    INFO(levels);
    const auto r = eng.compile(chain(levels, "x", "x") + "f" + std::to_string(levels) +
                               "(x) / " + power + " > 2 then watch x");
    INFO(r.rendered());
    REQUIRE(r.ok());
    const auto run = r.value().run();
    REQUIRE(run.events.size() == 1);
    CHECK(run.events[0].time == sluice::to_timestamp({2024, 1, 2}));
  }
}

TEST_CASE("bounds: equal argument expressions are shared too", "[api][bomb]") {
  // f_n(x) = 2^n * (x + n) by induction (each level adds 1 inside both halves); with
  // x = 0 then 1: f_60(x) / 2^60 is 60 then 61, so "> 60" fires on the second day only.
  const auto eng = engine_with_x({0, 1}, deep());
  const auto r = eng.compile(chain(60, "x + 1", "x + 1") +
                             "f60(x) / 1152921504606846976 > 60 then watch x");
  INFO(r.rendered());
  REQUIRE(r.ok());
  const auto run = r.value().run();
  REQUIRE(run.events.size() == 1);
  CHECK(run.events[0].time == sluice::to_timestamp({2024, 1, 2}));
  // x * x at every level: the argument doubles in size per level, as a DAG it does not.
  CHECK(eng.compile(chain(60, "x * x", "x * x") + "f60(x) > 1 then watch x").ok());
}

TEST_CASE("bounds: the 60-level chain needs one expansion per level", "[api][bomb]") {
  // 61 defs, each expanded once with its one argument: a budget of 61 distinct expansions
  // is enough (unshared, the chain is 2^61 - 1 expansions), 60 is one too few. The count
  // is what is checked, not the time.
  auto opt = deep();
  opt.max_def_expansions = 61;
  const auto text = chain(60, "x", "x") + "f60(x) > 1 then watch x";
  const auto fits = engine_with_x({1}, opt).compile(text);
  INFO(fits.rendered());
  CHECK(fits.ok());
  opt.max_def_expansions = 60;
  const auto over = engine_with_x({1}, opt).compile(text);
  REQUIRE_FALSE(over.ok());
  CHECK(first_error(over).find("more than 60 distinct calls") != std::string::npos);
  // The default depth bound refuses the chain with a diagnostic too.
  const auto shallow = engine_with_x({1}).compile(text);
  REQUIRE_FALSE(shallow.ok());
  CHECK(first_error(shallow).find("nest more than 32 deep") != std::string::npos);
}

TEST_CASE("bounds: really distinct expansions stop at the budget with a positioned error",
          "[api][bomb]") {
  // (a, b) -> (a + b, a * b) and (a * b, a + b): every call has new arguments, 2^40 of them.
  std::string text = "def g0(a, b) = a - b\n";
  for (int i = 1; i <= 40; ++i)
    text += "def g" + std::to_string(i) + "(a, b) = g" + std::to_string(i - 1) +
            "(a + b, a * b) + g" + std::to_string(i - 1) + "(a * b, a + b)\n";
  text += "g40(x, x) > 1 then watch x";
  auto opt = deep();
  opt.max_def_expansions = 2000;
  const auto r = engine_with_x({1, 2}, opt).compile(text);
  REQUIRE_FALSE(r.ok());
  CHECK(first_error(r).find("more than 2000 distinct calls") != std::string::npos);
  bool positioned = false;
  for (const auto& d : r.diagnostics()) positioned = positioned || (d.is_error && d.line > 0);
  CHECK(positioned);
}

TEST_CASE("bounds: a cancel token or a deadline stops a compile", "[api][bomb]") {
  std::string text = "def g0(a, b) = a - b\n";
  for (int i = 1; i <= 40; ++i)
    text += "def g" + std::to_string(i) + "(a, b) = g" + std::to_string(i - 1) +
            "(a + b, a * b) + g" + std::to_string(i - 1) + "(a * b, a + b)\n";
  text += "g40(x, x) > 1 then watch x";

  std::atomic<bool> cancel{true};
  sluice::engine_options cancelled = deep();
  cancelled.cancel = &cancel;
  const auto stopped = engine_with_x({1}, cancelled).compile(text);
  REQUIRE_FALSE(stopped.ok());
  CHECK(first_error(stopped) == "the compile was cancelled here");

  // No expansion budget: only the deadline ends this (2^40 expansions would take days).
  sluice::engine_options timed = deep();
  timed.max_def_expansions = std::size_t(-1);
  timed.max_compile_time = std::chrono::milliseconds(50);
  const auto late = engine_with_x({1}, timed).compile(text);
  REQUIRE_FALSE(late.ok());
  CHECK(first_error(late) == "the compile ran out of time here");
}

TEST_CASE("bounds: a month counts as 31 days against max_window_days", "[api]") {
  // One month length for every bound (interpreter/time.hpp): 12 months can hold 366 days, and
  // the state estimate counts 31 per month, so 12mo must not pass a 365-day limit (it did
  // when the window check divided by 30).
  sluice::engine_options opt;
  opt.max_window_days = 365;
  const auto year = engine_with_x({1, 2}, opt);
  CHECK(year.compile("x rises over 365d then watch x").ok());
  const auto months = year.compile("x rises over 12mo then watch x");
  CHECK_FALSE(months.ok());
  CHECK(first_error(months).find("longer than the limit") != std::string::npos);
  opt.max_window_days = 12 * 31;
  CHECK(engine_with_x({1, 2}, opt).compile("x rises over 12mo then watch x").ok());
}
