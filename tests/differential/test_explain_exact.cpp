// `sluice explain --exact`: the reference evaluator in decimal. Its builtins to the last
// digit (expected values worked out independently in 34-digit decimal, half to even),
// boundary cases explained as a person would decide them, each with what double mode's
// explain says on the same data (worked out by hand in the comments), and both modes on
// the bundled example data.
#include <fmt/format.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "support/golden_support.hpp"
#include "interpreter/compile/compiler.hpp"
#include "interpreter/numeric/decimal.hpp"
#include "interpreter/reference/reference_eval.hpp"
#include "interpreter/run/run.hpp"

namespace fs = std::filesystem;
using namespace sluice;
using namespace sluice::testing;

namespace {

decimal dec(const std::string& text) {
  auto d = decimal::parse(text);
  REQUIRE(d);
  return *d;
}

// A scratch folder with series in data/ and the rules in rules.sluice.
struct scratch : scratch_folder {
  scratch() : scratch_folder("data") {}
  void rules(const std::string& text) const { write("rules.sluice", text); }
};

// `sluice explain` on the scratch folder's rules and data: stdout and stderr, exit status.
std::string explain(const scratch& s, const std::string& arguments, int expected_status = 0) {
  const std::string command =
      "cd '" + s.dir.string() +
      "' && NO_COLOR=1 '" SLUICE_BINARY "' explain rules.sluice --data data " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    output.append(buffer, n);
  const int status = pclose(pipe);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == expected_status));
  return output;
}

// The rules of `file` over the CSVs of `data` (host series named by their stems): every
// firing the reference evaluator finds in Num, as "date rule".
template <class Num>
std::vector<std::string> reference_firings(const fs::path& file, const fs::path& data) {
  compile_options options;
  options.host = data_folder(data);
  options.base_dir = file.parent_path().string();
  diagnostics diags;
  const std::string source = read_text(file);
  auto p = compile_source(file.string(), source, options, diags);
  for (const diagnostic& d : diags.items()) UNSCOPED_INFO(d.message);
  REQUIRE(p);
  csv_provider provider;
  std::map<std::pair<std::uint32_t, std::string>, series_values<Num>> columns;
  for (const input_spec& in : p->inputs) {
    const auto key = std::make_pair(in.series, in.field);
    if (!columns.count(key))
      REQUIRE(fetch_series(provider, p->series[in.series], in.field, columns[key], diags));
  }
  basic_reference_evaluator<Num> ref(
      *p,
      [&](std::uint32_t series, const std::string& field) -> const series_values<Num>* {
        auto it = columns.find({series, field});
        return it == columns.end() ? nullptr : &it->second;
      },
      std::nullopt, std::nullopt);
  std::vector<std::string> out;
  for (const auto& [t, r] : ref.firings())
    out.push_back(format_time(ref.timeline()[t]) + " " + p->rules[r].name);
  return out;
}

}  // namespace

TEST_CASE("the reference evaluator computes every builtin in decimal", "[explain][exact]") {
  // x = 0.1 0.2 0.3 0.4 0.2 0.5 0.7 0.6 on 2024-01-01 .. 08 (t0 .. t7), read from text.
  const std::vector<std::string> cells = {"0.1", "0.2", "0.3", "0.4", "0.2", "0.5", "0.7", "0.6"};
  std::map<std::string, series_values<decimal>> data;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    data["x"].times.push_back(*parse_iso_date("2024-01-01") +
                              static_cast<time_point>(i) * ms_per_day);
    data["x"].values.push_back(dec(cells[i]));
  }
  const std::string source =
      "let s = sma(x, 3 bars)\n"
      "let d = stdev(x, 2 bars)\n"
      "let z = zscore(x, 3 bars)\n"
      "let e = ema(x, 2 bars)\n"
      "let r = rsi(x, 3 bars)\n"
      "let l = log(x)\n"
      "let sum = x + 0.2\n"
      "rule \"r\": when s > 0 then watch x\n";
  compile_options options;
  options.host.push_back({});
  options.host.back().name = "x";
  diagnostics diags;
  auto p = compile_source("test.sluice", source, options, diags);
  REQUIRE(p);
  exact_reference_evaluator ref(
      *p,
      [&](std::uint32_t s, const std::string&) -> const series_values<decimal>* {
        return &data.at(p->series[s].name);
      },
      std::nullopt, std::nullopt);
  auto let = [&](const std::string& name, std::size_t t) {
    for (const statement& st : p->modules[p->rules[0].module]->statements)
      if (const auto* l = std::get_if<let_stmt>(&st.body))
        if (l->name == name) return ref.eval(p->rules[0].module, l->value, t).number;
    FAIL("no let " << name);
    return decimal::nan();
  };
  // (0.1 + 0.2 + 0.3) / 3 is 0.2 exactly (double: 0.6000000000000001 / 3 = 0.20000000000000004).
  CHECK(let("s", 2) == dec("0.2"));
  CHECK(let("s", 1).is_nan());  // warm-up
  CHECK(let("sum", 0) == dec("0.3"));
  // stdev of 0.1, 0.2: var = 0.005, sqrt correctly rounded to 34 digits.
  CHECK(let("d", 1) == dec("0.07071067811865475244008443621048490"));
  // zscore at t4 over 0.3 0.4 0.2: mean 0.3, stdev 0.1 exactly, (0.2 - 0.3) / 0.1 = -1.
  CHECK(let("z", 4) == decimal(-1));
  // ema with alpha = 2/3 (rounded to 34 digits), e += alpha (v - e) from e = 0.1.
  CHECK(let("e", 0).is_nan());
  CHECK(let("e", 1) == dec("0.1666666666666666666666666666666667"));
  CHECK(let("e", 7) == dec("0.6018747142203932327389117512574303"));
  // Wilder's rsi over 3 changes: +0.1 three times (100), then -0.2: gains and losses both
  // average 0.2/3, so 50; then (on +0.3, +0.2, -0.1) 76.47.., 84.61.., 67.17...
  CHECK(let("r", 2).is_nan());
  CHECK(let("r", 3) == decimal(100));
  CHECK(let("r", 4) == decimal(50));
  CHECK(let("r", 5) == dec("76.47058823529411764705882352941176"));
  CHECK(let("r", 6) == dec("84.61538461538461538461538461538462"));
  CHECK(let("r", 7) == dec("67.17557251908396946564885496183205"));
  // ln 0.1 = -2.302585092994045684017991454684364 (34 digits; the last may differ by one
  // unit between implementations of log, so 31 are compared).
  CHECK(format_number(let("l", 0)).substr(0, 33) == "-2.302585092994045684017991454684");
}

TEST_CASE("explain --exact: rises by 5% and by 15% from 100", "[explain][exact]") {
  scratch s;
  s.series("x", {"100", "105", "100", "115"});
  s.rules(
      "rule \"five\": when x rises by 5% over 1 bars then watch x\n"
      "rule \"fifteen\": when x rises by 15% over 1 bars then watch x\n");
  // Exact: 105 / 100 - 1 = 0.05 >= 0.05 holds on 01-02.
  CHECK(explain(s, "--rule five --at 2024-01-02 --exact") ==
        "rule \"five\" (rules.sluice:1) at 2024-01-02: fired\n"
        "  x rises by 5% over 1 bars: true \u2014 x 105 (100 1 bars earlier)\n");
  // Double says the same, by luck: 105 / 100 rounds to 1.0500000000000000444, so the rise
  // is 0.0500000000000000444, above the double 0.05 (0.0500000000000000028).
  CHECK(explain(s, "--rule five --at 2024-01-02") ==
        "rule \"five\" (rules.sluice:1) at 2024-01-02: fired\n"
        "  x rises by 5% over 1 bars: true \u2014 x 105 (100 1 bars earlier)\n");
  // 115 / 100 - 1 = 0.15 >= 0.15: exact mode explains the firing on 01-04.
  CHECK(explain(s, "--rule fifteen --exact") ==
        "rule \"fifteen\" (rules.sluice:2) at 2024-01-04: fired\n"
        "  x rises by 15% over 1 bars: true \u2014 x 115 (100 1 bars earlier)\n");
  // Double: 115 / 100 rounds down to 1.1499999999999999112, a rise of 0.1499999999999999112,
  // below the double 0.15 (0.1499999999999999944): it never fires, and on 01-04 it says
  // false with the same 10-digit numbers a person reads as a 15% rise.
  CHECK(explain(s, "--rule fifteen") ==
        "rule \"fifteen\" never fired between 2024-01-01 and 2024-01-04\n");
  CHECK(explain(s, "--rule fifteen --at 2024-01-04") ==
        "rule \"fifteen\" (rules.sluice:2) at 2024-01-04: did not fire: the condition is not true\n"
        "  x rises by 15% over 1 bars: false \u2014 x 115 (100 1 bars earlier)\n"
        "  failed: x rises by 15% over 1 bars is false (x 115 (100 1 bars earlier))\n");
}

TEST_CASE("explain --exact: breaks 2600 on exactly 2600.00, then 2600.01", "[explain][exact]") {
  scratch s;
  s.series("spx", {"2590.50", "2600.00", "2600.01", "2612.48"});
  s.series("y", {"2.9", "3.00", "3.01", "3.01"});
  s.rules(
      "rule \"break\": when spx breaks 2600 then watch spx\n"
      "rule \"scaled\": when y * 0.1 breaks 0.3 then watch y\n");
  // 2600.00 is not above 2600 (it prints as 2600: the exact value, without the zeros).
  const std::string not_yet =
      "rule \"break\" (rules.sluice:1) at 2024-01-02: did not fire: the condition is not true\n"
      "  spx breaks 2600: false \u2014 spx 2600 (prev 2590.5)\n"
      "  failed: spx breaks 2600 is false (spx 2600 (prev 2590.5))\n";
  CHECK(explain(s, "--rule break --at 2024-01-02 --exact") == not_yet);
  // 2600.01 is above 2600 and the point before was at or below it: a break on 01-03.
  const std::string fired =
      "rule \"break\" (rules.sluice:1) at 2024-01-03: fired\n"
      "  spx breaks 2600: true \u2014 spx 2600.01 (prev 2600)\n";
  CHECK(explain(s, "--rule break --exact") == fired);
  // Double agrees word for word: 2600.00 is the double 2600, 2600.01 rounds above it.
  CHECK(explain(s, "--rule break --at 2024-01-02") == not_yet);
  CHECK(explain(s, "--rule break") == fired);

  // A computed level: exact mode has 3.00 * 0.1 = 0.3, not above 0.3; the break is 3.01 on
  // 01-03 (0.301 after 0.3).
  CHECK(explain(s, "--rule scaled --exact") ==
        "rule \"scaled\" (rules.sluice:2) at 2024-01-03: fired\n"
        "  y * 0.1 breaks 0.3: true \u2014 y * 0.1 0.301 (prev 0.3)\n"
        "    y * 0.1: 0.301\n"
        "      y: 3.01\n");
  CHECK(explain(s, "--rule scaled --at 2024-01-02 --exact") ==
        "rule \"scaled\" (rules.sluice:2) at 2024-01-02: did not fire: the condition is not true\n"
        "  y * 0.1 breaks 0.3: false \u2014 y * 0.1 0.3 (prev 0.29)\n"
        "    y * 0.1: 0.3\n"
        "      y: 3\n"
        "  failed: y * 0.1 breaks 0.3 is false (y * 0.1 0.3 (prev 0.29))\n");
  // Double: 3 * 0.1 = 0.30000000000000004 > 0.3, so it "breaks" on 01-02 and prints the
  // level it broke as 0.3 (10 digits); on 01-03 the condition was already true.
  CHECK(explain(s, "--rule scaled") ==
        "rule \"scaled\" (rules.sluice:2) at 2024-01-02: fired\n"
        "  y * 0.1 breaks 0.3: true \u2014 y * 0.1 0.3 (prev 0.29)\n"
        "    y * 0.1: 0.3\n"
        "      y: 3\n");
}

TEST_CASE("explain --exact: 0.1 + 0.2 == 0.3, and as a threshold", "[explain][exact]") {
  scratch s;
  s.series("z", {"0.1", "0.1"});
  s.rules(
      "rule \"sum\": when z + 0.2 == 0.3 then watch z\n"
      "rule \"threshold\": when z + 0.2 >= 0.3 then watch z\n");
  CHECK(explain(s, "--rule sum --exact") ==
        "rule \"sum\" (rules.sluice:1) at 2024-01-01: fired\n"
        "  z + 0.2 == 0.3: true \u2014 z + 0.2 0.3 vs 0.3\n"
        "    z + 0.2: 0.3\n"
        "      z: 0.1\n");
  // Double: 0.1 + 0.2 = 0.30000000000000004 != 0.3, though both print as 0.3.
  CHECK(explain(s, "--rule sum --at 2024-01-01") ==
        "rule \"sum\" (rules.sluice:1) at 2024-01-01: did not fire: the condition is not true\n"
        "  z + 0.2 == 0.3: false \u2014 z + 0.2 0.3 vs 0.3\n"
        "    z + 0.2: 0.3\n"
        "      z: 0.1\n"
        "  failed: z + 0.2 == 0.3 is false (z + 0.2 0.3 vs 0.3)\n");
  // The threshold holds in both modes (double's error is upward): the same explanation.
  const std::string threshold =
      "rule \"threshold\" (rules.sluice:2) at 2024-01-01: fired\n"
      "  z + 0.2 >= 0.3: true \u2014 z + 0.2 0.3 vs 0.3\n"
      "    z + 0.2: 0.3\n"
      "      z: 0.1\n";
  CHECK(explain(s, "--rule threshold --exact") == threshold);
  CHECK(explain(s, "--rule threshold") == threshold);
}

TEST_CASE("explain --exact prints every digit of a computed value", "[explain][exact]") {
  scratch s;
  s.series("x", {"1", "2"});
  s.rules("rule \"third\": when x / 3 > 0.5 then watch x\n");
  // 2 / 3 to 34 digits, half to even; double prints 10 significant digits.
  CHECK(explain(s, "--rule third --exact") ==
        "rule \"third\" (rules.sluice:1) at 2024-01-02: fired\n"
        "  x / 3 > 0.5: true \u2014 x / 3 0.6666666666666666666666666666666667 vs 0.5\n"
        "    x / 3: 0.6666666666666666666666666666666667\n"
        "      x: 2\n");
  CHECK(explain(s, "--rule third") ==
        "rule \"third\" (rules.sluice:1) at 2024-01-02: fired\n"
        "  x / 3 > 0.5: true \u2014 x / 3 0.6666666667 vs 0.5\n"
        "    x / 3: 0.6666666667\n"
        "      x: 2\n");
}

TEST_CASE("explain in exact and double mode agree on the example data",
          "[explain][exact][examples]") {
  // The example data has at most a few decimals per cell and its rules compare no
  // computed value with a level it could meet exactly, so both modes must find the same
  // firings of every rule.
  const fs::path root = SLUICE_SOURCE_DIR;
  const auto binary =
      reference_firings<double>(root / "examples/rotation.sluice", root / "examples/data");
  const auto exact =
      reference_firings<decimal>(root / "examples/rotation.sluice", root / "examples/data");
  CHECK(exact.size() > 50);
  CHECK(sorted_lines(exact) == sorted_lines(binary));
  // And through the command: each firing of a rule explained, in the same order.
  scratch s;
  fs::copy(root / "examples/data", s.dir / "data",
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  s.rules(read_text(root / "examples/rotation.sluice"));
  for (const char* rule : {"risk-on rotation", "liquidity cascade", "cascade reaches crypto"}) {
    INFO(rule);
    auto headers = [](const std::string& text) {  // the lines starting `rule "`
      std::istringstream lines(text);
      std::string out;
      for (std::string line; std::getline(lines, line);)
        if (line.rfind("rule \"", 0) == 0) out += line + "\n";
      return out;
    };
    const std::string exact = explain(s, fmt::format("--rule \"{}\" --exact", rule));
    CHECK(exact.find(": fired") != std::string::npos);
    CHECK(headers(exact) == headers(explain(s, fmt::format("--rule \"{}\"", rule))));
  }
}
