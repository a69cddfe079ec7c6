// Hostile and broken inputs (issue 8): rule text and CSV bytes built to hurt — deep
// nesting, huge files, overflowing numbers, cycles, bad bytes, quirky CSV — each must end
// in the exact diagnostic (message and line:col) or load summary, never a crash or hang;
// and long windows over long series must cost linear time. docs/robustness.md lists them.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "interpreter/compile/compiler.hpp"
#include "interpreter/data/csv_loader.hpp"
#include "interpreter/run/run.hpp"

using namespace sluice;

namespace {

// Every diagnostic as "line:col: message" (or just the message when it has no position).
std::vector<std::string> lines_of(const diagnostics& diags) {
  std::vector<std::string> out;
  for (const diagnostic& d : diags.items())
    out.push_back(d.has_pos ? fmt::format("{}:{}: {}", d.pos.line, d.pos.column, d.message)
                            : d.message);
  return out;
}

// Compiles `source` with host series a and b (no files unless a base_dir is given).
struct compiled {
  std::shared_ptr<const program> prog;
  diagnostics diags;
  std::vector<std::string> errors() const { return lines_of(diags); }
};

compiled compile_text(std::string source, std::string base_dir = {}) {
  compile_options options;
  for (const char* name : {"a", "b"}) {
    host_series h;
    h.name = name;
    options.host.push_back(h);
  }
  options.allow_files = !base_dir.empty();
  options.base_dir = std::move(base_dir);
  compiled c;
  c.prog = compile_source("hostile.sluice", std::move(source), options, c.diags);
  return c;
}

// Host series from memory: every series is the same column of values, one per time.
class memory_series : public series_provider {
 public:
  memory_series(std::vector<time_point> times, std::vector<double> values) {
    obs_.times = std::move(times);
    obs_.values = std::move(values);
  }
  bool fetch(const series_spec&, const std::string&, observations& out, diagnostics&) override {
    out = obs_;
    return true;
  }

 private:
  observations obs_;
};

time_point day(int n) { return (days_from_civil(2024, 1, 1) + n) * ms_per_day; }

// n daily points 1, 2, 3, ... from 2024-01-01.
memory_series rising_days(int n) {
  std::vector<time_point> t;
  std::vector<double> v;
  for (int i = 0; i < n; ++i) {
    t.push_back(day(i));
    v.push_back(i + 1);
  }
  return {t, v};
}

std::vector<std::string> event_dates(const run_result& r) {
  std::vector<std::string> out;
  for (const event& e : r.events) out.push_back(format_time(e.time) + " " + e.rule_name);
  return out;
}

run_result run(const program& p, series_provider& data, run_options options = {}) {
  diagnostics diags;
  run_result r = run_batch(p, data, options, diags);
  INFO(fmt::format("{}", fmt::join(lines_of(diags), "\n")));
  REQUIRE(r.ok);
  return r;
}

// Processor time, not wall time: the time bounds below must hold on a busy CI machine.
double cpu_seconds_since(std::clock_t start) {
  return static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
}

// The loader's whole summary of `bytes`: notes, rejected rows (line and reason) and the
// counts line, exactly as `sluice run` prints it.
std::string load_report(std::string_view bytes) {
  const csv_result r = parse_csv(bytes, "h.csv");
  INFO(r.failure.message);
  REQUIRE(r.table.has_value());
  return format_load_report(*r.table);
}

std::string load_failure(std::string_view bytes) {
  const csv_result r = parse_csv(bytes, "h.csv");
  REQUIRE_FALSE(r.table.has_value());
  return r.failure.line ? fmt::format("line {}: {}", r.failure.line, r.failure.message)
                        : r.failure.message;
}

std::string repeat(std::string_view piece, std::size_t n) {
  std::string out;
  out.reserve(piece.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += piece;
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Rule text: size and nesting

TEST_CASE("100,000 nested parentheses, nots or minus signs stop at the nesting limit",
          "[hostile]") {
  // Column of the 257th opener: the limit is 256 and the error points at the one past it.
  const std::size_t n = 100'000;
  const compiled parens = compile_text("let x = " + repeat("(", n) + "a" + repeat(")", n) + "\n");
  CHECK(parens.errors() == std::vector<std::string>{
                              "1:265: expression nested too deeply (limit 256)"});

  const compiled nots =
      compile_text("rule \"r\": when " + repeat("not ", n) + "a > 1 then watch a\n");
  CHECK(nots.errors() == std::vector<std::string>{
                            "1:1040: expression nested too deeply (limit 256)"});

  const compiled minus = compile_text("let x = " + repeat("-", n) + "a\n");
  CHECK(minus.errors() == std::vector<std::string>{
                             "1:265: expression nested too deeply (limit 256)"});

  const compiled calls = compile_text("let x = " + repeat("abs(", n) + "a" + repeat(")", n) + "\n");
  CHECK(calls.errors() == std::vector<std::string>{
                             "1:1033: expression nested too deeply (limit 256)"});
}

TEST_CASE("a 100,000-term chain is bounded by the compiler's depth limit", "[hostile]") {
  // No parentheses, so the parser's limit does not apply; the left-deep tree is cut by the
  // compiler's recursion bound instead of overflowing the stack.
  // One error per expression (every node at the cut used to repeat it), at the node where
  // the chain is cut: the sum of the first terms, which starts at the first `a`.
  const std::string too_deep =
      "expression is nested too deeply (limit 1500 levels, counting the bodies of definitions "
      "it uses)";
  CHECK(compile_text("let x = a" + repeat(" + a", 100'000) + "\n").errors() ==
        std::vector<std::string>{"1:9: " + too_deep});
  CHECK(compile_text("a > 1" + repeat(" and a > 1", 100'000) + " then watch a\n").errors() ==
        std::vector<std::string>{"1:1: " + too_deep});
  // Two deep expressions: one error each.
  CHECK(compile_text("let x = a" + repeat(" * a", 2000) + "\nlet y = b" + repeat(" - b", 2000) + "\n")
            .errors() == std::vector<std::string>{"1:9: " + too_deep, "2:9: " + too_deep});
}

TEST_CASE("a 50 MB rule file is read in linear time and stopped by the rule limit",
          "[hostile]") {
  // 2.4 million one-line rules, each with its own constant: compiling used to search the
  // constants linearly, which made this quadratic.
  std::string source;
  source.reserve(50u << 20);
  std::size_t rules = 0;
  while (source.size() < (50u << 20) - 64) {
    fmt::format_to(std::back_inserter(source), "a > {} then watch a\n", rules);
    ++rules;
  }
  const std::clock_t start = std::clock();
  const compiled c = compile_text(source);
  INFO(cpu_seconds_since(start) << " s");
  CHECK(c.errors() == std::vector<std::string>{
                          fmt::format("1:1: {} rules exceed the limit of 100000", rules)});

  // A few rules with 100,000 distinct constants compile (the old quadratic case).
  std::string many = "let x = a";
  for (int i = 0; i < 1000; ++i) many += fmt::format(" + {}", i);
  many += "\n";
  std::string file;
  for (int i = 0; i < 100; ++i) file += fmt::format("let v{} = x * {}.5\n", i, i);
  const compiled constants = compile_text(many + file);
  CHECK(constants.errors().empty());
}

TEST_CASE("a rule reading 100,000 distinct fields compiles in linear time", "[hostile]") {
  // Each field is a new input and a new referenced value; both lists were searched
  // linearly per name. Groups of 1,000 keep the tree within the compiler's depth bound.
  std::string condition;
  for (int g = 0; g < 100; ++g) {
    condition += g ? " or (" : "(";
    for (int i = 0; i < 1000; ++i) condition += fmt::format("{}a.f{} > 0", i ? " or " : "", g * 1000 + i);
    condition += ")";
  }
  const std::clock_t start = std::clock();
  const compiled c = compile_text("rule \"r\": when " + condition + " then watch a\n");
  CHECK(c.errors().empty());
  REQUIRE(c.prog);
  CHECK(c.prog->rules[0].values.size() == 100'000);
  INFO(cpu_seconds_since(start) << " s");
}

TEST_CASE("a source over 64 MB gets one diagnostic without a position", "[hostile]") {
  const std::string big = "a > 1 then watch a\n" + std::string((64u << 20), '#');
  const compiled c = compile_text(big);
  CHECK(c.errors() == std::vector<std::string>{fmt::format(
                          "the source is {} bytes, more than the limit of 67108864 bytes",
                          big.size())});
}

TEST_CASE("a 10-million-character identifier is one error", "[hostile]") {
  const std::string name(10'000'000, 'x');
  const compiled let = compile_text("let " + name + " = a\n");
  CHECK(let.errors() == std::vector<std::string>{"1:5: name is longer than 256 characters"});
  const compiled use = compile_text("a > " + name + " then watch a\n");
  CHECK(use.errors() == std::vector<std::string>{"1:5: name is longer than 256 characters"});
  // The rendered caret line is cut around the caret, not 10 MB long.
  CHECK(render(use.diags.items()[0], "a > " + name).size() < 400);
}

// ---------------------------------------------------------------------------------------
// Rule text: numbers and windows

TEST_CASE("numbers and durations that overflow are errors at their position", "[hostile]") {
  CHECK(compile_text("let x = a * 1e400\n").errors() ==
        std::vector<std::string>{"1:13: number 1e400 is out of range"});
  CHECK(compile_text("let x = sma(a, 99999999999999999999y)\n").errors() ==
        std::vector<std::string>{"1:16: the duration is too long"});
  CHECK(compile_text("let x = a * 1e9999999\n").errors() ==
        std::vector<std::string>{"1:13: the number's exponent is too large"});
  // Big but finite numbers are fine.
  CHECK(compile_text("let x = a * 99999999999999999999\n").errors().empty());
}

TEST_CASE("windows longer than the data are na until covered; past the limit, an error",
          "[hostile]") {
  compiled c = compile_text(
      "let long = sma(a, 20 bars)\n"
      "let exact = sma(a, 10 bars)\n"
      "rule \"long\": when long > 0 then watch long\n"
      "rule \"exact\": when exact > 0 then watch exact\n"
      "rule \"lag\": when lag(a, 1000000 bars) > 0 then watch a\n");
  REQUIRE(c.prog);
  memory_series data = rising_days(10);
  run_options options;
  options.keep_watched = true;
  const run_result r = run(*c.prog, data, options);
  // Only the 10-bar window is ever covered, on the 10th point (mean of 1..10).
  CHECK(event_dates(r) == std::vector<std::string>{"2024-01-10 exact"});
  REQUIRE(r.watched.size() == 3);  // long, exact, a
  CHECK(r.watched[0].name == "long");
  for (double v : r.watched[0].values) CHECK(std::isnan(v));
  CHECK(r.watched[1].name == "exact");
  CHECK(r.watched[1].values.back() == 5.5);

  CHECK(compile_text("let x = sma(a, 1000001 bars)\n").errors() ==
        std::vector<std::string>{"1:16: the duration is too long"});
  CHECK(compile_text("let x = sma(a, 80000d)\n").errors() ==
        std::vector<std::string>{
            "1:16: window 80000d is longer than the limit (10000000 bars or 73200 days)"});
  CHECK(compile_text("let x = a rises over 2500mo\n").errors() ==
        std::vector<std::string>{
            "1:22: window 2500mo is longer than the limit (10000000 bars or 73200 days)"});
}

// ---------------------------------------------------------------------------------------
// Rule text: definitions and modules

TEST_CASE("recursive defs and let cycles are errors, not endless expansion", "[hostile]") {
  CHECK(compile_text("def f(x) = f(x) + 1\nlet y = f(a)\n").errors() ==
        std::vector<std::string>{"1:12: recursive definition: f -> f"});
  CHECK(compile_text("def f(x) = g(x)\ndef g(x) = f(x) * 2\nlet y = f(a)\n").errors() ==
        std::vector<std::string>{"2:12: recursive definition: f -> g -> f"});
  CHECK(compile_text("let p = q + 1\nlet q = p * 2\n").errors() ==
        std::vector<std::string>{"2:9: definition cycle: p -> q -> p"});
}

TEST_CASE("use cycles between files are reported where they close", "[hostile]") {
  const auto dir = std::filesystem::temp_directory_path() / "sluice_hostile_use";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "one.sluice") << "use \"two.sluice\"\nlet x = a\n";
  std::ofstream(dir / "two.sluice") << "let y = b\nuse \"one.sluice\"\n";
  std::ofstream(dir / "self.sluice") << "use \"self.sluice\"\n";
  const std::string one = (dir / "one.sluice").string();
  const std::string two = (dir / "two.sluice").string();
  const std::string self = (dir / "self.sluice").string();

  const compiled cycle = compile_text("use \"one.sluice\"\na > 1 then watch a\n", dir.string());
  REQUIRE(cycle.diags.items().size() == 1);
  CHECK(cycle.diags.items()[0].file == two);
  CHECK(cycle.errors() == std::vector<std::string>{fmt::format(
                              "2:1: 'use' cycle: hostile.sluice -> {} -> {} -> {}", one, two, one)});

  const compiled itself = compile_text("use \"self.sluice\"\n", dir.string());
  CHECK(itself.errors() == std::vector<std::string>{fmt::format(
                               "1:1: 'use' cycle: hostile.sluice -> {} -> {}", self, self)});
  std::filesystem::remove_all(dir);
}

// ---------------------------------------------------------------------------------------
// Rule text: bytes and line ends

TEST_CASE("NUL bytes and invalid UTF-8 are errors at their byte", "[hostile]") {
  using namespace std::string_literals;
  CHECK(compile_text("let x = a\0 + 1\n"s).errors() ==
        std::vector<std::string>{"1:10: NUL byte in the source"});
  CHECK(compile_text("let x = 1\nlet y = a \xff+ 1\n").errors() ==
        std::vector<std::string>{"2:11: invalid UTF-8 (byte 0xff)"});
  // Overlong and truncated sequences are invalid too, even inside comments.
  CHECK(compile_text("# \xc0\xaf\nlet x = a\n").errors() ==
        std::vector<std::string>{"1:3: invalid UTF-8 (byte 0xc0)"});
  CHECK(compile_text("let x = a  # caf\xc3").errors() ==
        std::vector<std::string>{"1:17: invalid UTF-8 (byte 0xc3)"});
  // Valid UTF-8 in names of rules, strings and comments is fine.
  CHECK(compile_text("rule \"caf\xc3\xa9 \xe2\x82\xac\": when a > 1 then alert \"\xf0\x9f\x9a\x80\"  # \xc3\xa9\n")
            .errors()
            .empty());
}

TEST_CASE("CRLF line ends and a BOM change nothing", "[hostile]") {
  const std::string lf =
      "let m = sma(a, 3 bars)\n"
      "rule \"up\":\n"
      "  when a crosses above m\n"
      "  then watch a\n"
      "a > 5 then watch b\n";
  std::string crlf;
  for (char c : lf) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  memory_series data({day(0), day(1), day(2), day(3), day(4), day(5), day(6), day(7)},
                     {3, 2, 1, 4, 6, 2, 1, 9});
  std::vector<std::string> expected;
  for (const std::string& source : {lf, crlf, "\xEF\xBB\xBF" + lf, "\xEF\xBB\xBF" + crlf}) {
    const compiled c = compile_text(source);
    REQUIRE(c.errors().empty());
    const auto dates = event_dates(run(*c.prog, data));
    if (expected.empty()) expected = dates;
    CHECK(dates == expected);
    CHECK(c.prog->rules[1].name == "a > 5 then watch b");  // no \r in the short form's name
  }
  CHECK(expected == std::vector<std::string>{"2024-01-04 up", "2024-01-05 a > 5 then watch b",
                                             "2024-01-08 up", "2024-01-08 a > 5 then watch b"});
  // Positions after a BOM count from the first character after it; CR is not a column.
  CHECK(compile_text("\xEF\xBB\xBFlet x = (a\r\nlet y = b +\r\n").errors() ==
        std::vector<std::string>{"1:11: expected ')' to close '(' opened at 1:9",
                                 "2:12: expected a value after '+'"});
}

// ---------------------------------------------------------------------------------------
// CSV files: every problem row accounted for in the load summary

TEST_CASE("CSV: unsorted and duplicate dates", "[hostile]") {
  CHECK(load_report("Date,v\n2021-01-03,3\n2021-01-01,1\n2021-01-02,2\n") ==
        "h.csv: note: rows were not in date order; sorted\n"
        "h.csv: 3 rows read, 3 used, 0 rejected, 0 empty cells\n");
  CHECK(load_report("Date,v\n2021-01-01,1\n2021-01-01,1\n2021-01-02,2\n2021-01-02,5\n") ==
        "h.csv: note: line 3 repeats line 2 (2021-01-01, same values); dropped\n"
        "h.csv:5: rejected: duplicate date 2021-01-02 with a different value (first at line 4)\n"
        "h.csv: 4 rows read, 2 used, 1 rejected, 0 empty cells, duplicates dropped: 1\n");
}

TEST_CASE("CSV: ragged rows, thousands separators, decimal commas", "[hostile]") {
  CHECK(load_report("Date,a,b\n2021-01-01,1,2\n2021-01-02,1\n2021-01-03,1,2,3\n") ==
        "h.csv:3: rejected: expected 3 cells, found 2\n"
        "h.csv:4: rejected: expected 3 cells, found 4 (a comma inside an unquoted number, "
        "like 1.234,5?)\n"
        "h.csv: 3 rows read, 1 used, 2 rejected, 0 empty cells\n");
  const csv_result quoted = parse_csv("Date,v\n2021-01-01,\"1,234.5\"\n2021-01-02,\"12,345,678\"\n", "h.csv");
  REQUIRE(quoted.table);
  CHECK(quoted.table->cells[0] == std::vector<double>{1234.5, 12345678});
  // 1,234.5 unquoted is two cells; "1.234,5" (a European decimal) is not a number here.
  CHECK(load_report("Date,v\n2021-01-01,1,234.5\n2021-01-02,\"1.234,5\"\n2021-01-03,1.5\n") ==
        "h.csv:2: rejected: expected 2 cells, found 3 (a comma inside an unquoted number, "
        "like 1.234,5?)\n"
        "h.csv:3: rejected: bad number '1.234,5' in column v\n"
        "h.csv: 3 rows read, 1 used, 2 rejected, 0 empty cells\n");
}

TEST_CASE("CSV: MM/DD/YYYY dates, NaN, inf and empty cells", "[hostile]") {
  const csv_result us = parse_csv("Date,v\n01/02/2021,1\n12/31/2021,2\n", "h.csv");
  REQUIRE(us.table);
  CHECK(us.table->times == std::vector<time_point>{days_from_civil(2021, 1, 2) * ms_per_day,
                                                   days_from_civil(2021, 12, 31) * ms_per_day});
  CHECK(format_load_report(*us.table) ==
        "h.csv: note: dates read as MM/DD/YYYY\n"
        "h.csv: 2 rows read, 2 used, 0 rejected, 0 empty cells\n");
  CHECK(load_report("Date,v\n2021-01-01,NaN\n2021-01-02,inf\n2021-01-03,\n2021-01-04,-Infinity\n"
                    "2021-01-05,1e999\n2021-01-06,4\n") ==
        "h.csv:3: rejected: number out of range 'inf' in column v\n"
        "h.csv:5: rejected: number out of range '-Infinity' in column v\n"
        "h.csv:6: rejected: number out of range '1e999' in column v\n"
        "h.csv: 6 rows read, 3 used, 3 rejected, 2 empty cells\n");
}

TEST_CASE("CSV: a truncated last line, a header only, a binary file", "[hostile]") {
  CHECK(load_report("Date,v\n2021-01-01,1\n2021-01-0") ==
        "h.csv:3: rejected: expected 2 cells, found 1\n"
        "h.csv: 2 rows read, 1 used, 1 rejected, 0 empty cells\n");
  CHECK(load_report("Date,v\n2021-01-01,1\n2021-01-02,\"2.") ==
        "h.csv:3: rejected: line ends inside a quoted field in column v (the file looks cut "
        "short)\n"
        "h.csv: 2 rows read, 1 used, 1 rejected, 0 empty cells\n");
  CHECK(load_report("Date,v\n") ==
        "h.csv: note: no data rows\n"
        "h.csv: 0 rows read, 0 used, 0 rejected, 0 empty cells\n");
  using namespace std::string_literals;
  // 4 control bytes of 24 (more than 1 in 10); the NUL is the first byte of line 3.
  CHECK(load_failure("Date,v\n2021-01-01,1\n\0\x01\x02\x03"s) ==
        "binary file (a NUL byte at line 3, column 1; 4 of the first 24 bytes are not text), "
        "not CSV text (UTF-16 without a byte-order mark? save it as UTF-8)");
  std::string noise;
  for (int i = 0; i < 4096; ++i) noise += static_cast<char>(0x80 + (i * 37) % 0x7f);
  CHECK(load_failure(noise).starts_with("binary file ("));
  CHECK(load_failure("PK\x03\x04rest") ==
        "a ZIP archive (an Excel .xlsx workbook?), not CSV text; export it as CSV");
}

TEST_CASE("CSV: digit-only dates too long for any format are rejected, not overflowed",
          "[hostile]") {
  // Found by fuzz_csv (tests/regression/csv/all_digit_date_overflow.csv).
  CHECK(load_report("Date,v\n2021-01-01,1\n20240971623930352520,2\n") ==
        "h.csv:3: rejected: bad date '20240971623930352520'\n"
        "h.csv: 2 rows read, 1 used, 1 rejected, 0 empty cells\n");
}

// ---------------------------------------------------------------------------------------
// Bounded work

TEST_CASE("a 1-million-bar series with 100,000-bar windows runs in linear time",
          "[hostile]") {
  // Rolling windows are monotonic deques and running sums: a window scan per bar would be
  // 10^11 steps here, minutes even without sanitizers.
  constexpr int bars = 1'000'000;
  std::vector<time_point> t(bars);
  std::vector<double> v(bars);
  for (int i = 0; i < bars; ++i) {
    t[i] = day(0) + static_cast<time_point>(i) * 60 * ms_per_second;  // minute bars
    v[i] = i % 1000 + i / 1000.0;                       // a saw on a rising trend
  }
  memory_series data(t, v);
  const compiled c = compile_text(
      "rule \"windows\": when sma(a, 100000 bars) > 0 and highest(a, 100000 bars) > 0 and\n"
      "    lowest(a, 100000 bars) >= 0 and stdev(a, 100000 bars) > 0 then watch a\n"
      "rule \"high\": when a hits new high over 100000 bars then watch a\n"
      "rule \"calendar\": when stdev(a, 69d) > 0 and sma(a, 69d) > 0 and zscore(a, 69d) < 9\n"
      "    then watch a\n");
  REQUIRE(c.errors().empty());
  const std::clock_t start = std::clock();
  const run_result r = run(*c.prog, data);
  INFO(cpu_seconds_since(start) << " s");
  // The windows are first covered on bar 100,000 (index 99,999). A new 100,000-bar high
  // needs 100,000 prior bars; the prior peak then is 999 + 99.999 (index 99,999), first
  // beaten by 999 + 100.999 at the saw's next top, index 100,999.
  // The 69-day windows are covered once the first minute is at or before t - 69d:
  // index 69 x 1,440 = 99,360.
  REQUIRE(r.events.size() >= 3);
  CHECK(r.events[0].rule_name == "calendar");
  CHECK(r.events[0].index == 99'360);
  CHECK(r.events[1].rule_name == "windows");
  CHECK(r.events[1].index == 99'999);
  CHECK(r.events[2].rule_name == "high");
  CHECK(r.events[2].index == 100'999);
}

TEST_CASE("stdev's running sums stay within 1e-10 of a fresh two-pass computation",
          "[hostile]") {
  // The hard case for running sums: a level near 100,000 with cent-sized moves, so the
  // variance is ~1e-8 of the squared level, over 300,000 bars of adds and removes. The
  // check is an independent long-double two-pass over each window.
  constexpr int bars = 300'000;
  constexpr int w = 50;
  std::vector<time_point> t(bars);
  std::vector<double> v(bars);
  std::uint64_t state = 12345;
  double level = 100'000;
  for (int i = 0; i < bars; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    level += static_cast<double>(static_cast<int>(state >> 60) - 8) * 0.01;
    t[i] = day(0) + static_cast<time_point>(i) * 60;
    v[i] = level;
  }
  memory_series data(t, v);
  const compiled c = compile_text(
      "let sd = stdev(a, 50 bars)\nrule \"r\": when sd > 0 then watch sd\n");
  REQUIRE(c.errors().empty());
  run_options options;
  options.keep_watched = true;
  const run_result r = run(*c.prog, data, options);
  REQUIRE(r.watched.size() >= 1);
  const std::vector<double>& sd = r.watched[0].values;
  REQUIRE(sd.size() == static_cast<std::size_t>(bars));
  double worst = 0;
  for (int i = w - 1; i < bars; ++i) {
    long double mean = 0, squares = 0;
    for (int k = i - w + 1; k <= i; ++k) mean += v[k];
    mean /= w;
    for (int k = i - w + 1; k <= i; ++k) squares += (v[k] - mean) * (v[k] - mean);
    const double expected = static_cast<double>(std::sqrt(squares / (w - 1)));
    if (expected == 0) {
      CHECK(sd[i] == 0);
      continue;
    }
    worst = std::max(worst, std::fabs(sd[i] - expected) / expected);
  }
  INFO("worst relative error " << worst);
  CHECK(worst < 1e-10);
}
