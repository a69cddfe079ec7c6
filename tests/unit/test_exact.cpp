// Exact mode: the decimal type on its own, then boundary cases run end to end in both
// modes, each with what double mode decides on the same data (worked out by hand and in
// comments), and the language golden files again in exact mode.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "support/golden_support.hpp"
#include "interpreter/compile/compiler.hpp"
#include "interpreter/numeric/decimal.hpp"
#include "interpreter/run/run.hpp"

using namespace sluice;
using namespace sluice::testing;

namespace {

decimal dec(const char* text) {
  auto d = decimal::parse(text);
  REQUIRE(d);
  return *d;
}

using scratch = scratch_folder;  // series as CSVs in the folder itself

struct outcome {
  std::vector<std::string> events;    // "2024-01-03 rule"
  std::vector<std::string> values;    // "x=2612.48" per event, in order
  std::vector<std::string> messages;  // alert texts
  std::string diagnostics;
};

outcome run(const scratch& s, const std::string& rules, bool exact) {
  s.write("rules.sluice", rules);
  compile_options copts;
  copts.host = data_folder(s.dir);
  copts.base_dir = s.dir.string();
  diagnostics diags;
  outcome o;
  auto program = compile_source("rules.sluice", rules, copts, diags);
  if (program) {
    csv_provider data;
    run_options options;
    options.exact = exact;
    const run_result r = run_batch(*program, data, options, diags);
    for (const event& e : r.events) {
      o.events.push_back(format_time(e.time) + " " + e.rule_name);
      for (const event_value& v : e.values)
        o.values.push_back(v.name + "=" + (v.text.empty() ? format_number(v.value) : v.text));
      for (const std::string& m : e.messages) o.messages.push_back(m);
    }
  }
  for (const diagnostic& d : diags.items()) o.diagnostics += render(d, rules, false);
  return o;
}

std::string joined(const std::vector<std::string>& xs) { return fmt::format("{}", fmt::join(xs, "; ")); }

}  // namespace

TEST_CASE("decimal parses and prints the exact decimal", "[exact]") {
  CHECK(dec("2612.48").str() == "2612.48");
  CHECK(dec("2600.00").str() == "2600");
  CHECK(dec("1.50").str() == "1.5");
  CHECK(dec("2.6e3").str() == "2600");
  CHECK(dec("5e-2").str() == "0.05");
  CHECK(dec(".5").str() == "0.5");
  CHECK(dec("+3").str() == "3");
  CHECK(dec("-0.000001").str() == "-0.000001");
  CHECK(dec("1e39").str() == "1000000000000000000000000000000000000000");
  CHECK(dec("1e40").str() == "1e+40");
  CHECK(dec("1.25e-30").str() == "1.25e-30");
  CHECK(dec("0").str() == "0");
  CHECK(decimal::nan().str() == "na");
  CHECK_FALSE(decimal::parse("abc"));
  CHECK_FALSE(decimal::parse("1.2.3"));
  CHECK_FALSE(decimal::parse(""));
  CHECK_FALSE(decimal::parse("."));
  CHECK_FALSE(decimal::parse("1e"));
  CHECK_FALSE(decimal::parse("nan"));
  // More than 34 significant digits: rounded half to even.
  const std::string zeros(32, '0');  // 1.<32 zeros>d is 34 digits, a 35th digit rounds
  CHECK(decimal::parse("1." + zeros + "05")->str() == "1");  // a tie: to the even 0
  CHECK(decimal::parse("1." + zeros + "15")->str() == "1." + zeros + "2");  // a tie: to 2
  CHECK(decimal::parse("1." + zeros + "0500001")->str() == "1." + zeros + "1");  // above
  CHECK(decimal::parse("1." + zeros + "0499999")->str() == "1");  // below
  CHECK(dec("99999999999999999999999999999999999").str() == "100000000000000000000000000000000000");
  // Host doubles come in by their shortest round-trip text.
  CHECK(decimal::from_double(0.1).str() == "0.1");
  CHECK(decimal::from_double(2612.48).str() == "2612.48");
  CHECK(fmt::format("{}", dec("0.30")) == "0.3");
}

TEST_CASE("decimal arithmetic is exact where the result has 34 digits", "[exact]") {
  CHECK(dec("0.1") + dec("0.2") == dec("0.3"));
  CHECK((dec("0.1") + dec("0.2")).str() == "0.3");
  CHECK(dec("0.6") / decimal(3) == dec("0.2"));          // cpp_dec_float gets 0.2000..01109
  CHECK(decimal(105) / decimal(100) - decimal(1) == dec("0.05"));
  CHECK(decimal(115) / decimal(100) - decimal(1) == dec("0.15"));
  CHECK((dec("2612.48") / dec("2600")).str() == "1.0048");
  CHECK((decimal(1) / decimal(3)).str() == "0.3333333333333333333333333333333333");
  CHECK((decimal(2) / decimal(3)).str() == "0.6666666666666666666666666666666667");
  CHECK(decimal(1) / decimal(3) * decimal(3) == dec("0.9999999999999999999999999999999999"));
  CHECK((dec("1234567.891") * dec("9876543.21")).str() == "12193263121140.07011");
  CHECK(dec("2600.00") == decimal(2600));
  CHECK(dec("2600.01") > decimal(2600));
  CHECK(dec("-2600.01") < dec("-2600"));
  CHECK(dec("1e-30") > decimal(0));
  CHECK(dec("1e40") + decimal(1) == dec("1e40"));  // 41 digits rounded to 34
  CHECK(dec("1e33") + dec("0.5") == dec("1e33"));  // a tie: to even
  CHECK(dec("1000000000000000000000000000000001") + dec("0.5") ==
        dec("1000000000000000000000000000000002"));  // a tie: to even, upward
  CHECK(dec("1e33") + dec("0.50000000000000000000000000000001") ==
        dec("1000000000000000000000000000000001"));  // above the tie: 67 exact digits
  CHECK(dec("1e40") + dec("0.6") == dec("1e40"));  // far below: only a sticky nudge
  CHECK(dec("1e33") - dec("1e-60") == dec("1e33"));
  CHECK((dec("1e34") - dec("1e-60")).str() == "10000000000000000000000000000000000");
  CHECK(decimal(7) / decimal(0) != decimal(7) / decimal(0));  // NaN
  CHECK(sqrt(decimal(2)).str() == "1.414213562373095048801688724209698");
  CHECK(sqrt(dec("0.04")) == dec("0.2"));
  for (long long k = 1; k < 3000; k += 7) {
    const decimal v = decimal(k) / decimal(100);  // k/100 squared is exact in 34 digits
    CHECK(sqrt(v * v) == v);
  }
  CHECK(sqrt(decimal(3)).str() == "1.732050807568877293527446341505872");
  CHECK(sqrt(dec("1e-7")).str() == "0.0003162277660168379331998893544432719");
  CHECK(sqrt(decimal(-1)).is_nan());
  CHECK(log(decimal(1)).str() == "0");
  CHECK(log(dec("2.718281828459045235360287471352662")).str().substr(0, 12) == "0.9999999999");
  CHECK(abs(dec("-2.5")) == dec("2.5"));
  // NaN compares false (and != true), like double.
  const decimal na = decimal::nan();
  CHECK_FALSE(na == na);
  CHECK_FALSE(na < decimal(1));
  CHECK_FALSE(na >= decimal(1));
  CHECK(na != decimal(1));
  CHECK((na + decimal(1)).is_nan());
}

TEST_CASE("rises by 5% from 100 to 105, and by 15% from 100 to 115", "[exact]") {
  scratch s;
  s.series("x", {"100", "105", "100", "115"});
  const std::string rules =
      "rule \"five\": when x rises by 5% over 1 bars then watch x\n"
      "rule \"fifteen\": when x rises by 15% over 1 bars then watch x\n";
  // Exact: 105/100 - 1 = 0.05 >= 0.05 on 01-02; 115/100 - 1 = 0.15 >= 0.15 on 01-04
  // (and 115/100 - 1 = 0.15 >= 0.05 for "five" there too).
  const outcome exact = run(s, rules, true);
  INFO(exact.diagnostics);
  CHECK(joined(exact.events) == "2024-01-02 five; 2024-01-04 five; 2024-01-04 fifteen");
  // Double: 105/100 - 1 = 0.050000000000000044 >= 0.05 holds (by luck: the rounding went
  // up), but 115/100 - 1 = 0.1499999999999999 < 0.15, so "fifteen" never fires.
  const outcome binary = run(s, rules, false);
  CHECK(joined(binary.events) == "2024-01-02 five; 2024-01-04 five");
}

TEST_CASE("breaks 2600 on exactly 2600.00, then 2600.01", "[exact]") {
  scratch s;
  s.series("spx", {"2590.50", "2600.00", "2600.01", "2612.48"});
  const std::string rules = "rule \"break\": when spx breaks 2600 then watch spx\n";
  // 2600.00 is not above 2600; 2600.01 is, after 2600.00 <= 2600: fires on 01-03 only.
  const outcome exact = run(s, rules, true);
  INFO(exact.diagnostics);
  CHECK(joined(exact.events) == "2024-01-03 break");
  CHECK(joined(exact.values) == "spx=2600.01");
  // Double agrees here: 2600.00 and 2600 are the same double, 2600.01 rounds above it.
  const outcome binary = run(s, rules, false);
  CHECK(joined(binary.events) == "2024-01-03 break");

  // A computed level is where double slips: 3 * 0.1 = 0.30000000000000004 > 0.3, so double
  // "breaks" on 3.00 (01-02); exact mode waits for 3.01 (01-03).
  scratch t;
  t.series("y", {"2.9", "3.00", "3.01"});
  const std::string scaled = "rule \"scaled\": when y * 0.1 breaks 0.3 then watch y\n";
  CHECK(joined(run(t, scaled, true).events) == "2024-01-03 scaled");
  CHECK(joined(run(t, scaled, false).events) == "2024-01-02 scaled");
}

TEST_CASE("sma of 0.1, 0.2, 0.3 is exactly 0.2", "[exact]") {
  scratch s;
  s.series("x", {"0.1", "0.2", "0.3", "0.3"});
  const std::string rules =
      "rule \"mean\": when sma(x, 3 bars) == 0.2 then watch x\n"
      "rule \"above\": when sma(x, 3 bars) > 0.2 then watch x\n";
  // Exact: (0.1 + 0.2 + 0.3) / 3 = 0.2 on 01-03; on 01-04 (0.2+0.3+0.3)/3 = 0.2666.. > 0.2.
  const outcome exact = run(s, rules, true);
  INFO(exact.diagnostics);
  CHECK(joined(exact.events) == "2024-01-03 mean; 2024-01-04 above");
  // Double: the running sum is 0.6000000000000001, / 3 = 0.20000000000000004: not equal to
  // 0.2 but above it, so "above" fires on 01-03 and "mean" never.
  const outcome binary = run(s, rules, false);
  CHECK(joined(binary.events) == "2024-01-03 above");
}

TEST_CASE("0.1 + 0.2 == 0.3, in literals and in data", "[exact]") {
  scratch s;
  s.series("x", {"0.1", "0.1"});
  const std::string rules =
      "rule \"literal\": when x > 0 and 0.1 + 0.2 == 0.3 then watch x\n"
      "rule \"data\": when x + 0.2 == 0.3 then watch x\n"
      "rule \"threshold\": when x + 0.2 >= 0.3 then watch x\n";
  const outcome exact = run(s, rules, true);
  INFO(exact.diagnostics);
  CHECK(joined(exact.events) == "2024-01-01 literal; 2024-01-01 data; 2024-01-01 threshold");
  // Double: 0.1 + 0.2 = 0.30000000000000004, neither == 0.3 nor (for the threshold) a
  // problem: >= still holds because the error is upward.
  const outcome binary = run(s, rules, false);
  CHECK(joined(binary.events) == "2024-01-01 threshold");
}

TEST_CASE("exact mode reads CSV text, never via double, and prints exact values", "[exact]") {
  scratch s;
  // Quoted thousands separators, a plus sign, 20 significant digits (double keeps 17).
  s.write("p.csv", "date,close\n"
             "2024-01-01,\"2,612.48\"\n"
             "2024-01-02,+2612.49\n"
             "2024-01-03,2612.4800000000000000001\n");
  const std::string rules =
      "rule \"up\": when p rises over 1 bars then watch p and alert \"p {p}\"\n"
      "rule \"down\": when p falls over 1 bars then watch p\n";
  const outcome exact = run(s, rules, true);
  INFO(exact.diagnostics);
  // 2612.49 > 2612.48 on 01-02; 2612.4800000000000000001 < 2612.49 on 01-03.
  CHECK(joined(exact.events) == "2024-01-02 up; 2024-01-03 down");
  CHECK(joined(exact.values) == "p=2612.49; p=2612.4800000000000000001");
  CHECK(joined(exact.messages) == "p 2612.49");
  // Double reads the third cell as 2612.48: the same events, 10-digit values.
  const outcome binary = run(s, rules, false);
  CHECK(joined(binary.events) == "2024-01-02 up; 2024-01-03 down");
  CHECK(joined(binary.values) == "p=2612.49; p=2612.48");

  // A run rule that only exact mode can tell apart: the third cell is above 2612.48.
  const std::string tiny = "rule \"tiny\": when p > 2612.48 and p < 2612.49 then watch p\n";
  CHECK(joined(run(s, tiny, true).events) == "2024-01-03 tiny");
  CHECK(run(s, tiny, false).events.empty());
}

TEST_CASE("stdev, zscore, ema, rsi, log and drawdown run in exact mode", "[exact]") {
  scratch s;
  s.series("x", {"1", "2", "3", "4", "5", "4", "3", "6", "7", "8"});
  // stdev(1,2,3) = 1 exactly; log(x) > 1.9 from e^1.9 = 6.69: 7 on 01-09.
  const std::string rules =
      "rule \"sd\": when stdev(x, 3 bars) == 1 then watch x\n"
      "rule \"ln\": when log(x) > 1.9 then watch x\n"
      "rule \"ema\": when ema(x, 3 bars) > 5 then watch x\n"
      "rule \"dd\": when drawdown(x) >= 0.4 then watch x\n";
  const outcome exact = run(s, rules, true);
  const outcome binary = run(s, rules, false);
  INFO(exact.diagnostics);
  CHECK_FALSE(exact.events.empty());
  // These values are not on a decimal boundary: both modes agree.
  CHECK(joined(exact.events) == joined(binary.events));
}

TEST_CASE("language golden files give the same events in exact mode", "[exact][golden]") {
  const std::filesystem::path source_dir = SLUICE_SOURCE_DIR;
  const auto host = data_folder(source_dir / "tests/lang/data");
  const auto files = files_under(source_dir / "tests/lang", ".sluice");
  REQUIRE(files.size() >= 8);
  run_options exact;
  exact.exact = true;
  for (const auto& file : files) {
    DYNAMIC_SECTION(file.lexically_relative(source_dir).string()) {
      const golden_run run = run_file(file, host, exact);
      INFO(run.diagnostics);
      REQUIRE(run.ok);
      CHECK(sorted_lines(run.events) == sorted_lines(expected_events(read_text(file))));
    }
  }
}
