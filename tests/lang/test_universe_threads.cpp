// Universe programs on worker threads (interpreter/run/parallel_run.hpp): the events of
// run_parallel equal, byte for byte, those of run_batch (one VM over the whole program, an
// independent evaluation of the same bytecode) for 1, 2 and 7 threads and for blocks
// small enough that every reduction crosses block boundaries; the hand-computed ranks of
// test_universe.cpp through the split; `sluice run --universe ... --threads N`.
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "interpreter/run/parallel_run.hpp"
#include "interpreter/run/universe_plan.hpp"
#include "support/golden_support.hpp"
#include "tsan/universe_case.hpp"

using namespace sluice;

namespace {

struct compiled_case {
  std::shared_ptr<const program> prog;
  std::shared_ptr<series_table> table = universe_case::data();
};

const compiled_case& the_case() {
  static const compiled_case c = [] {
    compiled_case out;
    diagnostics diags;
    out.prog = compile_source("u.sluice", universe_case::source(), universe_case::options(), diags);
    for (const diagnostic& d : diags.items()) UNSCOPED_INFO(d.message);
    REQUIRE(out.prog);
    return out;
  }();
  return c;
}

run_result batch(run_options o = {}) {
  memory_provider data(the_case().table);
  diagnostics diags;
  run_result r = run_batch(*the_case().prog, data, o, diags);
  REQUIRE(r.ok);
  return r;
}

run_result parallel(unsigned threads, run_options o = {}) {
  memory_provider data(the_case().table);
  diagnostics diags;
  run_result r = run_parallel(*the_case().prog, data, o, threads, diags);
  REQUIRE(r.ok);
  return r;
}

std::string shell(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe);
  char buffer[4096];
  while (std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  pclose(pipe);
  return out;
}

}  // namespace

TEST_CASE("the plan: one slice per member, reductions between two phases", "[universe][threads]") {
  const program& p = *the_case().prog;
  const universe_plan plan = plan_universe(p);
  // The 11 members and the rules over no universe ("market").
  REQUIRE(plan.slices.size() == 12);
  CHECK(plan.slices[0].member == "s00");
  CHECK(plan.slices.back().member == "");
  CHECK(plan.levels == 1);
  // rank (lead, top: different operands), breadth, mean, median.
  CHECK(plan.steps.size() == 5);
  for (const xs_step& step : plan.steps) CHECK(step.operands.size() == 11);
  std::size_t rules = 0;
  for (const member_slice& s : plan.slices) {
    for (std::size_t r = 0; r < s.rules.size(); ++r)
      if (s.reports[r]) {
        ++rules;
        CHECK(p.rules[s.rules[r]].symbol == s.member);
      }
    // A member's slice is a small part of the whole program.
    if (!s.member.empty()) CHECK(s.code.code.size() * 5 < p.code.size());
  }
  CHECK(rules == p.rules.size());
}

TEST_CASE("1, 2 and 7 threads give run_batch's events byte for byte", "[universe][threads]") {
  const std::string expected = universe_case::listing(batch());
  // Every rule fires, including at points where some members have no data.
  for (const char* rule : {"lead[", "top[", "spread[", "market"})
    CHECK(expected.find(rule) != std::string::npos);
  CHECK(expected.find("lead[s03]") != std::string::npos);
  for (unsigned threads : {1u, 2u, 7u}) {
    INFO("threads " << threads);
    CHECK(universe_case::listing(parallel(threads)) == expected);
    for (std::size_t block : {1u, 7u, 64u}) {  // reductions at every block boundary
      INFO("block " << block);
      run_options o;
      o.block_size = block;
      CHECK(universe_case::listing(parallel(threads, o)) == expected);
    }
  }
}

TEST_CASE("threads: --from, exact mode and watched columns agree with run_batch",
          "[universe][threads]") {
  run_options o;
  o.from = 18262 * ms_per_day + 200 * ms_per_day;
  o.keep_watched = true;
  const run_result one = batch(o);
  const run_result two = parallel(2, o);
  CHECK(universe_case::listing(two) == universe_case::listing(one));
  REQUIRE(two.watched.size() == one.watched.size());
  for (std::size_t w = 0; w < one.watched.size(); ++w) {
    CHECK(two.watched[w].name == one.watched[w].name);
    REQUIRE(two.watched[w].values.size() == one.watched[w].values.size());
    for (std::size_t i = 0; i < one.watched[w].values.size(); ++i) {
      const double a = one.watched[w].values[i], b = two.watched[w].values[i];
      CHECK(((a != a && b != b) || a == b));
    }
  }
  run_options exact;
  exact.exact = true;
  exact.block_size = 16;
  const run_result e1 = batch(exact);
  const run_result e7 = parallel(7, exact);
  CHECK(universe_case::listing(e7) == universe_case::listing(e1));
  REQUIRE(e7.events.size() == e1.events.size());
  for (std::size_t i = 0; i < e1.events.size(); ++i)
    for (std::size_t k = 0; k < e1.events[i].values.size(); ++k)
      CHECK(e7.events[i].values[k].text == e1.events[i].values[k].text);
}

TEST_CASE("threads: the hand-computed ranks of x, y, z through the split", "[universe][threads]") {
  // As in test_universe.cpp: rank(s) == 1 for y on 01, x on 02-04 (tie on 02 and 04 to
  // the earlier member), y on 05; z has no data before 03. Blocks of 2 points.
  diagnostics diags;
  compile_options o;
  o.host = testing::data_folder(std::filesystem::path(SLUICE_SOURCE_DIR) / "tests/lang/universe");
  auto prog = compile_source(
      "u.sluice",
      "universe u = x, y, z\nrule \"lead\": for each s in u when rank(s) == 1 then watch s\n", o,
      diags);
  REQUIRE(prog);
  for (unsigned threads : {1u, 2u, 7u}) {
    csv_provider data;
    run_options ro;
    ro.block_size = 2;
    const run_result r = run_parallel(*prog, data, ro, threads, diags);
    REQUIRE(r.ok);
    std::string got;
    for (const event& e : r.events) got += format_time(e.time) + " " + e.rule_name + "\n";
    CHECK(got == "2024-01-01 lead[y]\n2024-01-02 lead[x]\n2024-01-05 lead[y]\n");
  }
}

TEST_CASE("sluice run --universe NAME=DIR --threads N", "[universe][threads][cli]") {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / "sluice_universe_threads.sluice";
  std::ofstream(file) << "rule \"lead\": for each s in u when rank(s) == 1 then watch s and "
                         "alert \"{s.name}\"\n";
  auto run = [&](const std::string& extra) {
    return shell("cd '" SLUICE_SOURCE_DIR "' && '" SLUICE_BINARY "' run '" + file.string() +
                 "' --universe u=tests/lang/universe --quiet --format jsonl " + extra + " 2>&1");
  };
  const std::string one = run("--threads 1");
  // The three hand-computed firings, each naming its member.
  CHECK(one.find("\"lead[y]\"") != std::string::npos);
  CHECK(one.find("\"lead[x]\"") != std::string::npos);
  CHECK(one.find("\"lead[z]\"") == std::string::npos);
  CHECK(one.find("2024-01-05") != std::string::npos);
  std::size_t lines = 0;
  for (char c : one) lines += c == '\n';
  CHECK(lines == 3);
  CHECK(run("--threads 2") == one);
  CHECK(run("--threads 7") == one);
  CHECK(run("") == one);
  CHECK(run("--threads 0").find("--threads expects a whole number from 1 to 1024, found '0'") !=
        std::string::npos);
  CHECK(run("--threads many").find("found 'many'") != std::string::npos);
  // Table output keeps the member of a long anonymous rule's name (cut before it).
  std::ofstream(file) << "universe v = x, y, z\nfor each s in v when rank(s) == 1 and s > 0 and "
                         "s < 1000000 and s > -1 then watch s\n";
  const std::string table = shell("cd '" SLUICE_SOURCE_DIR "' && '" SLUICE_BINARY "' run '" +
                                  file.string() + "' --data tests/lang/universe --quiet 2>&1");
  CHECK(table.find("...[y]") != std::string::npos);
  CHECK(table.find("...[x]") != std::string::npos);
  std::filesystem::remove(file);
}

TEST_CASE("sluice run writes events as it formats them: jsonl escapes, --from/--to ranges",
          "[universe][threads][cli]") {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / "sluice_universe_stream.sluice";
  // An alert with quotes, a backslash and a computed value (5 / 3 to 10 digits).
  std::ofstream(file) << "rule \"lead\": for each s in u when rank(s) == 1 then watch s and "
                         "alert \"{s.name} \\\"at\\\" {s} \\\\ {s / 3}\"\n";
  auto run = [&](const std::string& extra) {
    return shell("cd '" SLUICE_SOURCE_DIR "' && '" SLUICE_BINARY "' run '" + file.string() +
                 "' --universe u=tests/lang/universe --quiet " + extra + " 2>&1");
  };
  // Firings (hand-computed above): lead[y] 01-01, lead[x] 01-02 (x = 5, tied with y, listed
  // first), lead[y] 01-05 (y = 9).
  CHECK(run("--format jsonl --from 2024-01-02 --to 2024-01-04") ==
        "{\"type\":\"event\",\"date\":\"2024-01-02\",\"rule\":\"lead[x]\",\"actions\":[\"watch "
        "x\",\"alert\"],\"values\":{\"x\":5},\"messages\":[\"x \\\"at\\\" 5 \\\\ "
        "1.666666667\"]}\n");
  CHECK(run("--format jsonl --from 2024-01-03 --to 2024-01-04") == "");
  const std::string tail = run("--format jsonl --from 2024-01-02 --threads 2");
  CHECK(tail.find("\"date\":\"2024-01-02\",\"rule\":\"lead[x]\"") == 16);  // the first line
  CHECK(tail.find("\"date\":\"2024-01-05\",\"rule\":\"lead[y]\"") != std::string::npos);
  CHECK(tail.find("2024-01-01") == std::string::npos);
  CHECK(run("--format csv --to 2024-01-01") ==
        "date,rule,actions,messages,x,y,z\n2024-01-01,lead[y],watch y; alert,"
        "\"y \"\"at\"\" 2 \\ 0.6666666667\",,2,\n");
  std::filesystem::remove(file);
}

TEST_CASE("a universe's files load on the run's threads, and a bad file is still reported",
          "[universe][threads][cli]") {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "sluice_universe_preload";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  for (const char* m : {"x", "y", "z"})
    std::filesystem::copy_file(std::filesystem::path(SLUICE_SOURCE_DIR) / "tests/lang/universe" /
                                   (std::string(m) + ".csv"),
                               dir / (std::string(m) + ".csv"));
  const std::filesystem::path file = dir / "rules.sluice";
  std::ofstream(file) << "rule \"lead\": for each s in u when rank(s) == 1 then watch s\n";
  auto run = [&](const std::string& threads) {
    return shell("cd '" + dir.string() + "' && '" SLUICE_BINARY "' run rules.sluice --universe u=" +
                 dir.string() + " --format jsonl --threads " + threads + " 2>&1");
  };
  // Load reports in the universe's order whatever the thread count.
  const std::string good = run("2");
  CHECK(good == run("1"));
  CHECK(good.find("x.csv: 5 rows read") < good.find("y.csv: 5 rows read"));
  CHECK(good.find("y.csv: 5 rows read") < good.find("z.csv: 3 rows read"));
  std::ofstream(dir / "q.csv") << "a\n";  // no value column: the file fails to load
  const std::string bad = run("2");
  CHECK(bad == run("1"));
  CHECK(bad.find("series 'q' (") != std::string::npos);
  CHECK(bad.find("no value columns: the header has the single column 'a'") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("jsonl of more events than one formatting block is the same on 1, 2 and 7 threads",
          "[universe][threads][cli]") {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "sluice_many_events";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  // Three members alternating 1, 2 over 12,000 days: `s > 1.5` rises every other day, so
  // 3 x 6,000 = 18,000 events, more than one block of lines (16,384) formatted at once.
  for (const char* m : {"a", "b", "c"}) {
    std::ofstream csv(dir / (std::string(m) + ".csv"));
    csv << "date,value\n";
    for (int d = 0; d < 12000; ++d)
      csv << format_time(std::int64_t{d} * 86'400'000) << ',' << 1 + d % 2 << '\n';
  }
  std::ofstream(dir / "rules.sluice") << "rule \"up\": for each s in u when s > 1.5 then watch s\n";
  auto run = [&](const std::string& threads) {
    return shell("cd '" + dir.string() + "' && '" SLUICE_BINARY "' run rules.sluice --universe u=" +
                 dir.string() + " --quiet --format jsonl --threads " + threads + " 2>&1");
  };
  const std::string one = run("1");
  std::size_t lines = 0;
  for (char c : one) lines += c == '\n';
  CHECK(lines == 18000);
  // 1970-01-02 is day 1 (value 2): the first rising point, a then b then c.
  CHECK(one.rfind("{\"type\":\"event\",\"date\":\"1970-01-02\",\"rule\":\"up[a]\"", 0) == 0);
  CHECK(one.find("\"date\":\"2002-11-08\",\"rule\":\"up[c]\"") != std::string::npos);  // day 11,999
  CHECK(run("2") == one);
  CHECK(run("7") == one);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a universe run frees the files' observations and keeps their load reports",
          "[universe][threads][loader]") {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "sluice_release";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  // b has one bad date (rejected at line 3) and one empty cell.
  std::ofstream(dir / "a.csv") << "date,close\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n";
  std::ofstream(dir / "b.csv") << "date,close\n2024-01-01,5\n2024-13-02,6\n2024-01-03,\n";
  diagnostics diags;
  compile_options o;
  o.host = testing::data_folder(dir);
  auto prog = compile_source("u.sluice",
                             "universe u = a, b\nrule \"lead\": for each s in u when rank(s) == 1 "
                             "then watch s\n",
                             o, diags);
  REQUIRE(prog);
  for (const bool keep_only_reports : {false, true}) {
    csv_provider data;
    if (keep_only_reports) data.keep_only_reports_after_fetch();
    const run_result r = run_parallel(*prog, data, {}, 2, diags);
    REQUIRE(r.ok);
    // The events do not depend on the release: b (5, carried as-of past its rejected and
    // empty rows) ranks first at every point against a (1, 2, 3): one rising edge.
    std::string got;
    for (const event& e : r.events) got += format_time(e.time) + " " + e.rule_name + "\n";
    CHECK(got == "2024-01-01 lead[b]\n");
    REQUIRE(data.tables().size() == 2);
    CHECK(format_load_report(*data.tables()[0]) ==
          (dir / "a.csv").string() + ": 3 rows read, 3 used, 0 rejected, 0 empty cells\n");
    const std::string b = format_load_report(*data.tables()[1]);
    CHECK(b.find("b.csv:3: rejected: ") != std::string::npos);
    CHECK(b.find("b.csv: 3 rows read, 2 used, 1 rejected, 1 empty cells\n") != std::string::npos);
    // Freed observations (or kept ones) and what a later fetch says.
    CHECK(data.tables()[1]->times.empty() == keep_only_reports);
    observations obs;
    diagnostics late;
    const bool fetched = data.fetch(prog->series[prog->inputs[0].series], "", obs, late);
    CHECK(fetched == !keep_only_reports);
    if (keep_only_reports)
      CHECK(late.items().at(0).message.find("read after the run released its data") !=
            std::string::npos);
  }
  std::filesystem::remove_all(dir);
}
