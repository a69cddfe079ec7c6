// What a trader testing a thesis must be able to trust (issue 15): the file each series
// name resolved to, coverage warnings, honest forward returns (pending apart from no
// data, drawdown and run-up, per-event returns), --from/--to as a report range, --as-of
// as a replay, tidy machine outputs. Expected values are worked out by hand in the
// comments from the fixtures' cells.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/golden_support.hpp"
#include "support/skip.hpp"
#include "interpreter/stats/forward_returns.hpp"

namespace fs = std::filesystem;
using namespace sluice;
using namespace sluice::testing;

namespace {

const fs::path source_dir = SLUICE_SOURCE_DIR;
const fs::path fixtures = source_dir / "tests/regression/trust";

struct cli_run {
  int status = -1;
  std::string out;  // stdout, or stdout and stderr together when asked
};

// The sluice binary from `dir` with `arguments`; stderr is dropped, kept apart in
// `err_file`, or merged into out.
cli_run sluice_cli(const fs::path& dir, const std::string& arguments, const std::string& stderr_to = "/dev/null") {
  const std::string redirect = stderr_to == "&1" ? "2>&1" : "2>'" + stderr_to + "'";
  const std::string command = "cd '" + dir.string() + "' && NO_COLOR=1 '" SLUICE_BINARY "' " +
                              arguments + " " + redirect;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  cli_run r;
  char buffer[4096];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) r.out.append(buffer, n);
  const int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("an explicit --series wins over a --data file of the same name, in either order", "[trust][cli]") {
  // a/x.csv first breaks 5 on 2024-01-06; b/x.csv on 2024-01-09 (breaks.sluice).
  for (const char* args : {"run breaks.sluice --data a --series x=b/x.csv",
                           "run breaks.sluice --series x=b/x.csv --data a"}) {
    INFO(args);
    const cli_run r = sluice_cli(fixtures, std::string(args) + " --format csv", "&1");
    CHECK(r.status == 0);
    CHECK(contains(r.out, "x <- b/x.csv (value): 2024-01-01 .. 2024-01-10, daily, 10 observations"));
    CHECK(contains(r.out, "2024-01-09,"));
    CHECK_FALSE(contains(r.out, "2024-01-06,"));
    CHECK_FALSE(contains(r.out, "a/x.csv"));
  }
  // Without --series the folder's file is used.
  const cli_run plain = sluice_cli(fixtures, "run breaks.sluice --data a --format csv");
  CHECK(contains(plain.out, "2024-01-06,"));
}

TEST_CASE("a series that ends long before the timeline is named in a warning", "[trust][cli][coverage]") {
  scratch_folder f("data");
  // x: 1 on 2024-01-01..19, 9 from 01-20 to 01-31 (breaks 5 on 01-20). y: 01-01..03 only;
  // its default staleness is 7 days, so reads see na after 01-10, before x breaks.
  std::vector<std::string> x(31, "1");
  for (std::size_t i = 19; i < 31; ++i) x[i] = "9";
  f.series("x", x);
  f.series("y", {"1", "2", "3"});
  f.write("rules.sluice", "x breaks 5 and y > 0 then alert \"hit\"\n");
  const std::string err = (f.dir / "err.txt").string();
  const cli_run r = sluice_cli(f.dir, "run rules.sluice --data data", err);
  CHECK(r.status == 0);
  CHECK(r.out == "no events\n");
  const std::string messages = read_text(err);
  CHECK(contains(messages, "y <- data/y.csv (value): 2024-01-01 .. 2024-01-03, daily, 3 observations"));
  // 2024-01-03 to 2024-01-31 is 28 days; 01-03 + 7d = 01-10.
  CHECK(contains(messages, "warning: y (y.csv) ends 2024-01-03, 28 days before the timeline ends "
                           "(2024-01-31); rules reading it see na after 2024-01-10\n"));
  CHECK_FALSE(contains(messages, "warning: x "));
  CHECK(contains(messages, "no events, and the data may be why: see the 1 coverage warning above\n"));
  // --quiet drops the summary, never the warning.
  const cli_run quiet = sluice_cli(f.dir, "run rules.sluice --data data --quiet", "&1");
  CHECK(contains(quiet.out, "warning: y (y.csv) ends 2024-01-03"));
  CHECK_FALSE(contains(quiet.out, "y <- "));
}

TEST_CASE("forward stats: pending apart from no data, drawdown, run-up, per event", "[trust][stats]") {
  scratch_folder f;
  // a = 1 2 3 2 1 5 5 6 4 7 on 2024-01-01..10: `a > 4` fires on 06 and 10.
  // b has no value before 01-07: at the 06 event b is `na` (no data, not pending).
  f.series("a", {"1", "2", "3", "2", "1", "5", "5", "6", "4", "7"});
  f.series("b", {"", "", "", "", "", "", "10", "11", "12", "13"});
  const std::string source = "rule \"hot\": when a > 4 then watch a and watch b\n";
  compile_options copts;
  copts.host = data_folder(f.dir);
  diagnostics diags;
  auto prog = compile_source("test.sluice", source, copts, diags);
  REQUIRE(prog);
  csv_provider data;
  run_options options;
  options.keep_watched = true;
  const run_result r = run_batch(*prog, data, options, diags);
  REQUIRE(r.ok);
  REQUIRE(r.events.size() == 2);
  const std::vector<duration> horizons = {{duration::unit::days, 3}};
  const auto stats = compute_stats(*prog, r, horizons);
  REQUIRE(stats.size() == 4);  // hot/a, hot/b, baseline a, baseline b
  // a from 06 (5): 07..09 are 5 6 4; 3d ends on 09: 4/5 - 1 = -0.2; lowest 4 (-0.2),
  // highest 6 (+0.2). 10 + 3d passes the end of the data: pending.
  const horizon_stats& ha = stats[0].horizons[0];
  CHECK(stats[0].watched == "a");
  CHECK(ha.count == 1);
  CHECK(ha.pending == 1);
  CHECK(ha.no_data == 0);
  CHECK(ha.mean == Approx(-0.2));
  CHECK(ha.max_drawdown == Approx(-0.2));
  CHECK(ha.max_runup == Approx(0.2));
  REQUIRE(ha.events.size() == 2);
  CHECK(format_time(ha.events[0].time) == "2024-01-06");
  CHECK(ha.events[0].status == return_status::ok);
  CHECK(ha.events[0].ret == Approx(-0.2));
  CHECK(ha.events[1].status == return_status::pending);
  CHECK(std::isnan(ha.events[1].ret));
  // b at the 06 event: no value yet: no data. At 10: pending.
  const horizon_stats& hb = stats[1].horizons[0];
  CHECK(hb.count == 0);
  CHECK(hb.no_data == 1);
  CHECK(hb.pending == 1);
  CHECK(hb.events[0].status == return_status::no_data);
  // Baseline of b: points 01..06 have no b (6 no data); 07 (10 -> 10: 13/10 - 1 = 0.3)
  // is the only one whose 3d horizon ends by 10; 08..10 are pending.
  const horizon_stats& base_b = stats[3].horizons[0];
  CHECK(stats[3].rule == "baseline");
  CHECK(base_b.no_data == 6);
  CHECK(base_b.count == 1);
  CHECK(base_b.pending == 3);
  CHECK(base_b.mean == Approx(0.3));
  CHECK(base_b.events.empty());

  // Over the report range 01-03..01-05 the baseline of a counts 03 (3 -> 06 5: +2/3),
  // 04 (2 -> 07 5: +1.5), 05 (1 -> 08 6: +5): mean (2/3 + 1.5 + 5) / 3 = 43/18; no event
  // of the rule falls in the range.
  const auto ranged = compute_stats(*prog, r, horizons,
                                    stats_range{parse_iso_date("2024-01-03"), parse_iso_date("2024-01-05")});
  CHECK(ranged[0].horizons[0].events.empty());
  const horizon_stats& base_a = ranged[2].horizons[0];
  CHECK(base_a.count == 3);
  CHECK(base_a.mean == Approx(43.0 / 18));
  CHECK(base_a.worst == Approx(2.0 / 3));
  // Warnings: n < 30 for hot/a.
  const auto warnings = stats_warnings(stats);
  REQUIRE_FALSE(warnings.empty());
  CHECK(warnings[0] == "rule \"hot\", watch a: fewer than 30 events with a return (1 at 3d): too few to generalise");
}

TEST_CASE("overlapping horizons are counted as episodes", "[trust][stats]") {
  scratch_folder f;
  // `a > 1` rising edges on 02, 04 and 09 (a = 1 2 1 2 1 1 1 1 2 1 1 1 1 1 1).
  f.series("a", {"1", "2", "1", "2", "1", "1", "1", "1", "2", "1", "1", "1", "1", "1", "1"});
  compile_options copts;
  copts.host = data_folder(f.dir);
  diagnostics diags;
  auto prog = compile_source("test.sluice", "rule \"up\": when a > 1 then watch a\n", copts, diags);
  REQUIRE(prog);
  csv_provider data;
  run_options options;
  options.keep_watched = true;
  const run_result r = run_batch(*prog, data, options, diags);
  REQUIRE(r.events.size() == 3);
  // 3d horizons: 02..05 and 04..07 overlap (one episode); 09..12 is another.
  const auto stats = compute_stats(*prog, r, {{duration::unit::days, 3}});
  CHECK(stats[0].horizons[0].count == 3);
  CHECK(stats[0].horizons[0].episodes == 2);
  const auto warnings = stats_warnings(stats);
  REQUIRE(warnings.size() == 2);
  CHECK(warnings[1] == "rule \"up\", watch a: events whose horizons overlap are not independent (3 in 2 episodes at 3d)");
}

TEST_CASE("a --from run reports exactly the full run's events from that date", "[trust][cli][range]") {
  // The cooldown of "cascade reaches crypto" and the stage3 signal start before the cut:
  // the --from run must keep them (rules dependent on earlier firings are unchanged).
  const std::string base = "run examples/rotation.sluice --data examples/data --quiet --format csv";
  const cli_run full = sluice_cli(source_dir, base);
  REQUIRE(full.status == 0);
  for (const char* from : {"2017-01-05", "2020-06-01", "2025-09-01"}) {
    INFO(from);
    const cli_run cut = sluice_cli(source_dir, base + " --from " + from);
    REQUIRE(cut.status == 0);
    std::string expected;
    for (const std::string& line : lines_of(full.out))
      if (line.rfind("date,", 0) == 0 || line.substr(0, 10) >= from) expected += line + "\n";
    CHECK(cut.out == expected);
  }
  // --to: the events up to that date, and forward returns still read the data after it.
  const cli_run to = sluice_cli(source_dir, base + " --to 2017-01-05");
  std::string expected;
  for (const std::string& line : lines_of(full.out))
    if (line.rfind("date,", 0) == 0 || line.substr(0, 10) <= "2017-01-05") expected += line + "\n";
  CHECK(to.out == expected);
  const cli_run stats = sluice_cli(source_dir, "run examples/rotation.sluice --data examples/data --quiet "
                                                "--format jsonl --stats --to 2017-01-03");
  CHECK(contains(stats.out, "{\"type\":\"event_return\",\"date\":\"2017-01-03\",\"rule\":\"cascade reaches crypto\","
                            "\"watch\":\"alts\",\"horizon\":\"30d\",\"status\":\"ok\""));
}

TEST_CASE("an --as-of run equals a run on the data cut at that date", "[trust][cli][range]") {
  scratch_folder f("data");
  const std::string day = "2021-06-30";
  for (const auto& file : files_under(source_dir / "examples/data", ".csv")) {
    std::ofstream out(f.data / file.filename());
    bool header = true;
    for (const std::string& line : lines_of(read_text(file))) {
      if (header || line.substr(0, 10) <= day) out << line << "\n";
      header = false;
    }
  }
  const std::string rules = (source_dir / "examples/rotation.sluice").string();
  const cli_run cut = sluice_cli(f.dir, "run '" + rules + "' --data data --quiet --format jsonl");
  const cli_run replay = sluice_cli(source_dir, "run examples/rotation.sluice --data examples/data --quiet "
                                                "--format jsonl --as-of " + day);
  REQUIRE(cut.status == 0);
  CHECK_FALSE(cut.out.empty());
  CHECK(replay.out == cut.out);
}

TEST_CASE("machine outputs are tidy", "[trust][cli][output]") {
  // jsonl: every line has a type; csv: one column per value name.
  const cli_run jsonl = sluice_cli(source_dir, "run examples/rotation.sluice --data examples/data --quiet "
                                               "--format jsonl --stats --from 2026-01-01");
  REQUIRE(jsonl.status == 0);
  std::size_t events = 0, stats = 0, returns = 0;
  for (const std::string& line : lines_of(jsonl.out)) {
    INFO(line);
    const bool typed = line.rfind("{\"type\":\"event\",", 0) == 0 || line.rfind("{\"type\":\"stats\",", 0) == 0 ||
                       line.rfind("{\"type\":\"event_return\",", 0) == 0 ||
                       line.rfind("{\"type\":\"warning\",", 0) == 0;
    CHECK(typed);
    events += line.rfind("{\"type\":\"event\",", 0) == 0;
    stats += line.rfind("{\"type\":\"stats\",", 0) == 0;
    returns += line.rfind("{\"type\":\"event_return\",", 0) == 0;
  }
  CHECK(events > 0);
  CHECK(stats > 0);
  CHECK(returns > 0);

  const cli_run csv = sluice_cli(fixtures, "run breaks.sluice --data a --format csv");
  CHECK(csv.out == "date,rule,actions,messages,x\n2024-01-06,\"x breaks 5 then alert \"\"x {x}\"\"\",alert,x 6,6\n");
  // csv with --stats: the stats go to their own file, never into the events' stream.
  const cli_run mixed = sluice_cli(fixtures, "run breaks.sluice --data a --format csv --stats", "&1");
  CHECK(mixed.status == 2);
  CHECK(contains(mixed.out, "--stats-out FILE"));
  scratch_folder f;
  const std::string out_file = (f.dir / "stats.csv").string();
  const cli_run split = sluice_cli(source_dir, "run examples/rotation.sluice --data examples/data --quiet "
                                               "--format csv --stats-out '" + out_file + "'");
  CHECK(split.status == 0);
  CHECK(split.out.rfind("date,rule,actions,messages,", 0) == 0);
  const std::string stats_csv = read_text(out_file);
  CHECK(stats_csv.rfind("type,rule,watch,horizon,date,status,count,", 0) == 0);
  CHECK(contains(stats_csv, "\nstats,baseline,alts,30d,"));
  CHECK(contains(stats_csv, "\nevent_return,"));
  // Table: one event, singular; long rule names cut at a word, not inside one.
  const cli_run table = sluice_cli(fixtures, "run breaks.sluice --data a", "&1");
  CHECK(contains(table.out, "(10 points), 1 event\n"));
  const cli_run rotation = sluice_cli(source_dir, "run examples/rotation.sluice --data examples/data --quiet --from 2026-01-08 --to 2026-01-08");
  // "russell breaks 2600 and tga falls then watch alts" is 49 characters, the column 48.
  CHECK(contains(rotation.out, "2026-01-08  russell breaks 2600 and tga falls then watch...   watch alts"));
}

TEST_CASE("a publication lag shifts events by the lag", "[trust][cli][lag]") {
  // a/x.csv is 1..10 on 2024-01-01..10: `x breaks 5` fires on 01-06. Read 2 days late,
  // x at 01-08 is 01-06's 6 and at 01-07 is 01-05's 5: the event moves to 01-08.
  scratch_folder f;
  f.write("lag.sluice", "set lag x 2d\nx breaks 5 then alert \"x {x}\"\n");
  const std::string data = (fixtures / "a").string();
  const cli_run set = sluice_cli(f.dir, "run lag.sluice --format csv --data '" + data + "'", "&1");
  CHECK(contains(set.out, "x <- " + data +
                              "/x.csv (value): 2024-01-01 .. 2024-01-10, daily, 10 "
                              "observations, published 2d later (set lag in the rules)\n"));
  CHECK(contains(set.out, "\n2024-01-08,"));
  CHECK_FALSE(contains(set.out, "\n2024-01-06,"));
  const cli_run option = sluice_cli(fixtures, "run breaks.sluice --data a --lag x=2d --format csv");
  CHECK(contains(option.out, "\n2024-01-08,"));
  // A lag for a series that is not there is an error, not ignored.
  f.write("bad.sluice", "set lag y 2d\nx breaks 5 then alert \"x\"\n");
  const cli_run bad = sluice_cli(f.dir, "run bad.sluice --data '" + data + "'", "&1");
  CHECK(bad.status == 1);
  CHECK(contains(bad.out, "bad.sluice:1:9: error: 'set lag': 'y' is not a series"));
  const cli_run bad_option = sluice_cli(fixtures, "run breaks.sluice --data a --lag y=2d", "&1");
  CHECK(bad_option.status == 2);
  CHECK(contains(bad_option.out, "--lag y: no --data or --series series is named 'y'"));
}

TEST_CASE("check --data reports a wrong column at the rule that reads it", "[trust][cli][check]") {
  scratch_folder f("data");
  f.write("data/wide.csv", "date,WTREGEN,WALCL\n2024-01-03,1,2\n2024-01-10,3,4\n");
  f.write("typo.sluice", "rule \"drain\":\n  when wide.wtregn falls then alert \"x\"\n");
  const cli_run typo = sluice_cli(f.dir, "check typo.sluice --data data", "&1");
  CHECK(typo.status == 1);
  // `wide.wtregn` starts at line 2, column 8.
  CHECK(contains(typo.out, "typo.sluice:2:8: error: series 'wide.wtregn' (data/wide.csv): data/wide.csv has "
                           "no column 'wtregn'; its columns are WTREGEN, WALCL"));
  CHECK(contains(typo.out, "did you mean 'WTREGEN'?"));
  // The same rule fails the same way in a run, before anything is evaluated.
  const cli_run run = sluice_cli(f.dir, "run typo.sluice --data data", "&1");
  CHECK(run.status == 1);
  CHECK(contains(run.out, "typo.sluice:2:8: error: series 'wide.wtregn'"));
  // A wide file used bare.
  f.write("bare.sluice", "wide > 0 then alert \"x\"\n");
  const cli_run bare = sluice_cli(f.dir, "check bare.sluice --data data", "&1");
  CHECK(bare.status == 1);
  CHECK(contains(bare.out, "bare.sluice:1:1: error: series 'wide' (data/wide.csv): data/wide.csv has 2 value "
                           "columns (WTREGEN, WALCL); say which one"));
  // The right column checks clean.
  f.write("good.sluice", "wide.wtregen falls then alert \"x\"\n");
  CHECK(sluice_cli(f.dir, "check good.sluice --data data").status == 0);
}

TEST_CASE("a row in another date format is rejected, not reinterpreted", "[trust][csv]") {
  // 07/01/2026 among ISO dates: once read as 2026-07-01, it made the genuine 2026-07-01
  // row a duplicate. Now the odd row is rejected with its line and the good row is kept.
  const csv_result r = parse_csv("date,value\n2026-06-29,1\n2026-06-30,2\n07/01/2026,99\n2026-07-01,3\n", "mixed.csv");
  REQUIRE(r.table);
  const csv_table& t = *r.table;
  CHECK(t.rows_read == 4);
  CHECK(t.rows_used == 3);
  REQUIRE(t.rejected.size() == 1);
  CHECK(t.rejected[0].line == 4);
  CHECK(t.rejected[0].reason ==
        "date '07/01/2026' is written MM/DD/YYYY, but this file's dates are YYYY-MM-DD (from line 2): not reinterpreted");
  REQUIRE(t.times.size() == 3);
  CHECK(format_time(t.times[2]) == "2026-07-01");
  CHECK(t.cells[0][2] == 3);
  // A file of MM/DD/YYYY dates keeps that format; an ISO row in it is the odd one.
  const csv_result us = parse_csv("date,value\n06/29/2026,1\n2026-06-30,2\n07/01/2026,3\n", "us.csv");
  REQUIRE(us.table);
  REQUIRE(us.table->rejected.size() == 1);
  CHECK(us.table->rejected[0].line == 3);
  CHECK(contains(us.table->rejected[0].reason, "is written YYYY-MM-DD, but this file's dates are MM/DD/YYYY (from line 2)"));
}

TEST_CASE("real data: the mission sentence's stale series are named", "[trust][cli][real]") {
  const fs::path real = SLUICE_SHARED_DATA;
  if (!fs::exists(real / "tga.csv") || !fs::exists(real / "rut.csv") || !fs::exists(real / "btc.csv"))
    SLUICE_SKIP("../shared/data/real is absent: no real-data coverage check");
  scratch_folder f;
  f.write("thesis.sluice", "rut breaks 2600 and tga falls then watch btc\n");
  const std::string err = (f.dir / "err.txt").string();
  const cli_run r = sluice_cli(f.dir, "run thesis.sluice --series rut='" + (real / "rut.csv").string() +
                                          "' --series tga='" + (real / "tga.csv").string() +
                                          "' --series btc='" + (real / "btc.csv").string() + "'", err);
  CHECK(r.status == 0);
  const std::string messages = read_text(err);
  INFO(messages);
  // rut.csv runs 1999-01-04 .. 2025-09-24. tga.csv (weekly: staleness 4 x 7d) ends
  // 2023-07-12: 805 days = 2.2 years earlier, seen until 2023-07-12 + 28d = 2023-08-09.
  // btc.csv (daily: staleness 7d) ends 2021-07-28: 1,519 days = 4.2 years, seen until 08-04.
  CHECK(contains(messages, "(WTREGEN): 2018-07-18 .. 2023-07-12, weekly,"));
  CHECK(contains(messages, "warning: tga (tga.csv) ends 2023-07-12, 2.2 years before the timeline ends "
                           "(2025-09-24); rules reading it see na after 2023-08-09\n"));
  CHECK(contains(messages, "warning: btc (btc.csv) ends 2021-07-28, 4.2 years before the timeline ends "
                           "(2025-09-24); rules reading it see na after 2021-08-04\n"));
  CHECK_FALSE(contains(messages, "warning: rut (rut.csv) ends"));
}

TEST_CASE("explain --rule takes a unique prefix or the rule's line", "[trust][cli][explain]") {
  const std::string base = "explain examples/rotation.sluice --data examples/data --at 2026-01-08 --quiet --rule ";
  const std::string fired = "rule \"risk-on rotation\" (examples/rotation.sluice:22) at 2026-01-08: fired\n";
  for (const char* rule : {"\"risk-on rotation\"", "risk", "RISK-ON", "22"}) {
    INFO(rule);
    const cli_run r = sluice_cli(source_dir, base + rule);
    CHECK(r.status == 0);
    CHECK(r.out.rfind(fired, 0) == 0);
  }
  // "r" starts two rule names ("russell breaks ..." and "risk-on rotation").
  const cli_run ambiguous = sluice_cli(source_dir, base + "r", "&1");
  CHECK(ambiguous.status == 1);
  CHECK(contains(ambiguous.out, "\"r\" starts the names of 2 rules: "));
}

TEST_CASE("a basket's forward return is equal weights bought at the event",
          "[trust][stats][basket]") {
  scratch_folder f;
  // a = 10 10 10 then 20 from 01-04 to 01-20: `a breaks 15` fires once, on 01-04.
  // b = 100 100 100 100 50 50 50 on 01-01..07, then no more rows; read with the default
  // staleness of a daily series (7 days), b has a value up to 01-14 and na after.
  std::vector<std::string> a(20, "20");
  a[0] = a[1] = a[2] = "10";
  f.series("a", a);
  f.series("b", {"100", "100", "100", "100", "50", "50", "50"});
  const std::string source = "rule \"r\": when a breaks 15 then watch basket(a, b)\n";
  compile_options copts;
  copts.host = data_folder(f.dir);
  diagnostics diags;
  auto prog = compile_source("test.sluice", source, copts, diags);
  REQUIRE(prog);
  csv_provider data;
  run_options options;
  options.keep_watched = true;
  const run_result r = run_batch(*prog, data, options, diags);
  REQUIRE(r.ok);
  REQUIRE(r.events.size() == 1);
  CHECK(format_time(r.events[0].time) == "2024-01-04");
  const std::vector<duration> horizons = {{duration::unit::days, 2}, {duration::unit::days, 14}};
  const auto stats = compute_stats(*prog, r, horizons);
  REQUIRE(stats.size() == 2);  // r/basket, baseline basket
  CHECK(stats[0].watched == "basket(a, b)");
  // 2d, from 01-04 (a 20, b 100) to 01-06 (a 20, b 50): half the money in each,
  // (20/20 + 50/100) / 2 - 1 = -0.25. The anchored index (anchors 01-01: a 10, b 100)
  // would say (200 + 50)/2 / ((200 + 100)/2) - 1 = 125/150 - 1 = -1/6 instead.
  // Path (01-05, 01-06]: -0.25 both days: drawdown -0.25, run-up 0.
  const horizon_stats& h2 = stats[0].horizons[0];
  CHECK(h2.count == 1);
  CHECK(h2.mean == Approx(-0.25));
  CHECK(h2.max_drawdown == Approx(-0.25));
  CHECK(h2.max_runup == Approx(0.0).margin(1e-12));
  // 14d ends on 01-18, after b's last value (01-14): no data, not pending.
  const horizon_stats& h14 = stats[0].horizons[1];
  CHECK(h14.count == 0);
  CHECK(h14.no_data == 1);
  CHECK(h14.pending == 0);
  // The direct function on hand-made columns: a 1 -> 2 (+100%), b 4 -> 2 (-50%):
  // (2 + 0.5) / 2 - 1 = +0.25 over 1 bar; the path's only point is the end.
  const std::vector<time_point> timeline = {parse_iso_date("2024-01-01").value(),
                                            parse_iso_date("2024-01-02").value()};
  const event_return e =
      basket_forward_path(timeline, {{1, 2}, {4, 2}}, 0, {duration::unit::bars, 1});
  CHECK(e.status == return_status::ok);
  CHECK(e.ret == Approx(0.25));
  CHECK(e.max_runup == Approx(0.25));
  // The component that ended is named, with its last date on the timeline.
  const auto warnings = basket_warnings(r);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] ==
        "basket basket(a, b): component b has no value after 2024-01-14 while others run to "
        "2024-01-20; "
        "forward returns reaching past 2024-01-14 count as no data");
}

TEST_CASE("a catalogued --data series is read with its publication lag by default",
          "[trust][cli][lag]") {
  scratch_folder f("data");
  // tga.csv is FRED-style weekly, dated Wednesdays: 1 on 01-03 and 01-10, 9 from 01-17.
  // The catalogue gives tga (fred:WTREGEN, H.4.1 out on Thursday) a 1d lag; d is a daily
  // series over January so the timeline has every day. Without the lag `tga breaks 5`
  // fires on Wednesday 01-17; read 1 day late, 01-17 sees 01-16's as-of value (01-10's 1)
  // and 01-18 sees 01-17's 9: the event moves to Thursday 01-18.
  f.write("data/tga.csv",
          "date,value\n2024-01-03,1\n2024-01-10,1\n2024-01-17,9\n2024-01-24,9\n2024-01-31,9\n");
  f.series("d", std::vector<std::string>(31, "1"));
  f.write("rules.sluice", "tga breaks 5 and d > 0 then alert \"t\"\n");
  const cli_run lagged = sluice_cli(f.dir, "run rules.sluice --data data --format csv", "&1");
  CHECK(lagged.status == 0);
  CHECK(contains(lagged.out,
                 "tga <- data/tga.csv (value): 2024-01-03 .. 2024-01-31, weekly, 5 observations, "
                 "published 1d later (catalogue fred:WTREGEN)\n"));
  CHECK(contains(lagged.out, "\n2024-01-18,"));
  CHECK_FALSE(contains(lagged.out, "\n2024-01-17,"));
  // Overridden in the rules or on the command line, the series is read on its own dates.
  f.write("zero.sluice", "set lag tga 0d\ntga breaks 5 and d > 0 then alert \"t\"\n");
  const cli_run zero = sluice_cli(f.dir, "run zero.sluice --data data --format csv", "&1");
  CHECK(contains(zero.out, "weekly, 5 observations, no publication lag (set lag in the rules)\n"));
  CHECK(contains(zero.out, "\n2024-01-17,"));
  const cli_run option =
      sluice_cli(f.dir, "run rules.sluice --data data --lag tga=0d --format csv", "&1");
  CHECK(contains(option.out, "no publication lag (--lag)\n"));
  CHECK(contains(option.out, "\n2024-01-17,"));
  // d is not in the catalogue: no lag, nothing said.
  CHECK(contains(lagged.out,
                 "d <- data/d.csv (value): 2024-01-01 .. 2024-01-31, daily, 31 observations\n"));
}

TEST_CASE("a windowless new high says since when, and warns near its data's start",
          "[trust][cli][alltime]") {
  scratch_folder f("data");
  // x = 5 3 4 6 on 2024-01-01..04: `x hits new high` (all prior points) is na at 01-01,
  // false on 01-02 (3 < 5) and 01-03 (4 < 5), true on 01-04 (6 > 5): one event, 3 days
  // after x's first date, well within its first year.
  f.series("x", {"5", "3", "4", "6"});
  f.write("rules.sluice",
          "rule \"high\": when x hits new high then alert \"high\"\n"
          "rule \"yearly\": when x hits new high over 2d then alert \"2d high\"\n");
  const cli_run r = sluice_cli(f.dir, "run rules.sluice --data data --quiet", "&1");
  CHECK(r.status == 0);
  CHECK(contains(
      r.out,
      "warning: rule \"high\" fired on 2024-01-04 on a new high of x without a window, "
      "3 days after x's data begins (2024-01-01): \"all-time\" here means since 2024-01-01"));
  // A windowed high is what it says: no warning for it.
  CHECK_FALSE(contains(r.out, "warning: rule \"yearly\""));
  // explain gives the date the comparison starts from: the prior high 5 is since 01-01.
  const cli_run e = sluice_cli(
      f.dir, "explain rules.sluice --data data --rule high --at 2024-01-04 --quiet", "&1");
  CHECK(contains(e.out, "x 6, prior high 5 since 2024-01-01 (data start)"));
}

TEST_CASE("sluice data lists a folder's series, wide-file columns included", "[trust][cli][data]") {
  scratch_folder f("data");
  // a: 3 daily rows; tga.csv: 2 weekly rows, catalogued (fred:WTREGEN, 1d lag); w.csv is
  // wide (X and Y, no default column): X on 01-01 and 01-08, Y on 01-08 only.
  f.series("a", {"1", "2", "3"});
  f.write("data/tga.csv", "date,value\n2024-01-03,1\n2024-01-10,2\n");
  f.write("data/w.csv", "date,X,Y\n2024-01-01,1,\n2024-01-08,2,3\n");
  const cli_run r = sluice_cli(f.dir, "data data", "&1");
  CHECK(r.status == 0);
  CHECK(r.out ==
        "data: 3 csv files\n"
        "  a <- data/a.csv (value): 2024-01-01 .. 2024-01-03, daily, 3 observations\n"
        "  tga <- data/tga.csv (value): 2024-01-03 .. 2024-01-10, weekly, 2 observations, "
        "published 1d later (catalogue fred:WTREGEN)\n"
        "  w <- data/w.csv: wide file, 2 columns, read as w.COLUMN\n"
        "    w.X <- data/w.csv (X): 2024-01-01 .. 2024-01-08, weekly, 2 observations\n"
        "    w.Y <- data/w.csv (Y): 2024-01-08 .. 2024-01-08, single observation, 1 observation\n");
  const cli_run missing = sluice_cli(f.dir, "data nowhere", "&1");
  CHECK(missing.status == 2);
  CHECK(contains(missing.out, "cannot read data folder 'nowhere'"));
}
