// `sluice report` (cli/report/, docs/report.md), driven through the binary. The data block
// of a tiny fixture equals its golden file (tests/report/tiny/tiny.data.json, every number
// checked by hand: see the comment at that test). On the example rules and data, checked
// against independent sources: the page needs nothing from the network, its forward-return
// figures equal `run --stats` (the run path), its event dates equal `run`'s, its drawn
// columns equal the CSV cells, its file hashes equal sha256sum's, and the bytes repeat.
// The page in a browser: tests/report/report_browser.py.
#ifdef SLUICE_REPORT_TESTS  // built with SLUICE_REPORT (the default)
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>

#include "support/skip.hpp"

namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

std::string shell(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  REQUIRE(pclose(pipe) == 0);
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path scratch() {
  const fs::path dir = fs::temp_directory_path() / ("sluice_report_test_" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir;
}

// The example report, written once per test binary run: its page and its data block.
struct example_report {
  std::string html;
  std::string block_text;
  json block;
};
const example_report& example() {
  static const example_report r = [] {
    const fs::path dir = scratch();
    shell("cd '" SLUICE_SOURCE_DIR "' && '" SLUICE_BINARY "' report examples/rotation.sluice "
          "--data examples/data --quiet -o '" + (dir / "r.html").string() + "' --data-block '" +
          (dir / "r.json").string() + "' 2>&1");
    example_report out;
    out.html = slurp(dir / "r.html");
    out.block_text = slurp(dir / "r.json");
    out.block = json::parse(out.block_text);
    return out;
  }();
  return r;
}

std::string tiny_block() {
  const fs::path out = scratch() / "tiny.json";
  shell("cd '" SLUICE_SOURCE_DIR "' && '" SLUICE_BINARY "' report tests/report/tiny/tiny.sluice "
        "--data tests/report/tiny --quiet -o '" + (scratch() / "tiny.html").string() +
        "' --data-block '" + out.string() + "'");
  return slurp(out);
}

// A drawn column as the page reads it (docs/report.md, "The data block"): differences of
// integers at a decimal scale, or plain values.
std::vector<double> decode_column(const json& c) {
  std::vector<double> out;
  if (c.contains("values")) {
    for (const json& v : c["values"]) out.push_back(v.is_null() ? std::nan("") : v.get<double>());
    return out;
  }
  const double p = std::pow(10.0, c["scale"].get<int>());
  long long m = 0;
  for (const json& d : c["d"]) {
    if (d.is_null()) {
      out.push_back(std::nan(""));
      continue;
    }
    m += d.get<long long>();
    out.push_back(static_cast<double>(m) / p);
  }
  return out;
}

}  // namespace

TEST_CASE("report: the page references no http: or https: resource", "[report]") {
  const std::string& html = example().html;
  REQUIRE(html.size() > 50000);  // the chart library is inlined
  // Nothing is loaded by reference: no external script, stylesheet, image, frame or import.
  CHECK(!std::regex_search(html, std::regex(R"(<(script|img|iframe|link|source|video|audio|embed|object)\b[^>]*\b(src|href|data)\s*=)", std::regex::icase)));
  CHECK(html.find("@import") == std::string::npos);
  CHECK(!std::regex_search(html, std::regex(R"(url\(\s*['"]?(?!data:))", std::regex::icase)));
  // The one http(s) text is the chart library's banner comment, which loads nothing.
  const std::string banner = "/*! https://github.com/leeoniya/uPlot (v";
  std::size_t links = 0;
  for (const char* scheme : {"http:", "https:"}) {
    for (auto at = html.find(scheme); at != std::string::npos; at = html.find(scheme, at + 1)) {
      INFO("http text at byte " << at << ": " << html.substr(at > 40 ? at - 40 : 0, 100));
      CHECK(html.compare(at - 4, banner.size(), banner) == 0);
      ++links;
    }
  }
  CHECK(links == 1);
  // And the browser is told to refuse any request the page might still make.
  CHECK(html.find("Content-Security-Policy\" content=\"default-src 'none';") != std::string::npos);
}

TEST_CASE("report: the data block of the tiny fixture equals its golden file", "[report]") {
  // tests/report/tiny: x = 8 9 11 10 9 12 13 9 11 12 on 2024-01-01..10, `x above 10`,
  // horizon 2d. Checked by hand from the CSV: the condition holds on 01-03, 01-06..07,
  // 01-09..10 (5 points, 3 episodes), so the rule fires on 01-03, 01-06, 01-09; the 2d
  // returns are 9/11-1 = -0.181818 and 9/12-1 = -0.25 and pending for 01-09 (01-11 is past
  // the data): n 2, mean = median = -0.215909, hit rate 0, worst -0.25, in 2 episodes
  // (01-06 is past 01-03's horizon); the drawdowns, the lowest value inside the horizon
  // against the event's, are -0.181818 (11 -> 9) and -0.25 (12 -> 9). The event study at
  // +1d: -0.090909, +0.083333, +0.090909 (mean 0.027778, quartiles by linear interpolation
  // -0.003788 and 0.087121). The baseline, the 8 returns over 2 days from 01-01..01-08:
  // mean 0.109778, median (0.111111 + 0.2) / 2, hit rate 5/8, worst -0.25, max drawdown
  // -0.307692 (13 on 01-07 -> 9 on 01-08). The drawn column: 8, then the differences 1 2
  // -1 -1 3 1 -4 2 1 at scale 0. The markers: 01-03 (1704240000), then steps of 3 days, so
  // the unit is their gcd, 259200 s, and the steps 1 1; the triangles' heights x = 11 12 11,
  // at scale 0 the differences 11 1 -1. The bands' edges 01-03 01-03 01-06 01-07 01-09
  // 01-10: steps 0 3 1 2 1 days. All three events are listed (k 0 1 2) with their
  // explanations. The sha256 is that of `sha256sum tests/report/tiny/x.csv`.
  const json golden = json::parse(slurp(SLUICE_SOURCE_DIR "/tests/report/tiny/tiny.data.json"));
  const std::string text = tiny_block();
  const json got = json::parse(text);
  if (got != golden) {
    std::ofstream(scratch() / "tiny.data.json") << got.dump(1) << '\n';
    FAIL("data block differs from tests/report/tiny/tiny.data.json; got "
         << (scratch() / "tiny.data.json").string());
  }
  // The page carries exactly this block, and the same inputs give the same bytes.
  std::string block = text;
  block.pop_back();  // the trailing newline of the file
  CHECK(slurp(scratch() / "tiny.html").find("<script type=\"application/json\" id=\"sluice-data\">" +
                                            block + "</script>") != std::string::npos);
  CHECK(tiny_block() == text);
}

TEST_CASE("report: the example's data block equals its golden file", "[report]") {
  // tests/report/golden/rotation.data.json is checked against examples/data by an
  // independent computation in plain Python (check_example_block.py, ctest
  // report_golden_check): the files' hashes, the timeline and every drawn value, rule 1's
  // held points, bands and event, every forward-return table, baseline row and per-event
  // return. This test holds the page to that file, field by field.
  const json golden =
      json::parse(slurp(SLUICE_SOURCE_DIR "/tests/report/golden/rotation.data.json"));
  const json& got = example().block;
  if (got != golden) {
    std::ofstream(scratch() / "rotation.data.json") << got.dump(1) << '\n';
    const json patch = json::diff(golden, got);
    FAIL("data block differs from tests/report/golden/rotation.data.json in "
         << patch.size() << " places, first: " << patch[0].dump() << "; got "
         << (scratch() / "rotation.data.json").string());
  }
}

TEST_CASE("report: the same inputs give the same bytes", "[report]") {
  const fs::path dir = scratch();
  shell("cd '" SLUICE_SOURCE_DIR "' && '" SLUICE_BINARY "' report examples/rotation.sluice "
        "--data examples/data --quiet -o '" + (dir / "again.html").string() + "'");
  CHECK(slurp(dir / "again.html") == example().html);
}

TEST_CASE("report: forward returns equal run --stats", "[report]") {
  const std::string lines = shell("cd '" SLUICE_SOURCE_DIR "' && '" SLUICE_BINARY
                                  "' run examples/rotation.sluice --data examples/data --quiet --stats --format jsonl");
  // run --stats prints numbers with 10 significant digits.
  auto same = [](const json& page, const json& run) {
    if (run.is_null() || page.is_null()) return run.is_null() && page.is_null();
    return std::abs(page.get<double>() - run.get<double>()) <= 1e-9 * std::max(1.0, std::abs(run.get<double>()));
  };
  std::size_t compared = 0;
  std::istringstream in(lines);
  const json& block = example().block;
  for (std::string line; std::getline(in, line);) {
    const json run = json::parse(line);
    if (run["type"] != "stats") continue;  // events, per-event returns, warnings
    const bool baseline = run["rule"] == "baseline";
    bool found = false;
    for (const json& rule : block["rules"])
      for (const json& w : rule["watch"]) {
        if (w["series"] != run["watch"] || (!baseline && rule["name"] != run["rule"])) continue;
        for (const json& row : baseline ? block["baselines"][w["series"].get<std::string>()]["rows"] : w["rows"]) {
          if (row["horizon"] != run["horizon"]) continue;
          found = true;
          INFO(line);
          CHECK(row["n"] == run["count"]);
          CHECK(row["pending"] == run["pending"]);
          CHECK(row["no_data"] == run["no_data"]);
          if (!baseline) CHECK(row["episodes"] == run["episodes"]);  // not kept for the baseline
          CHECK(same(row["max_drawdown"], run["max_drawdown"]));
          CHECK(same(row["mean"], run["mean"]));
          CHECK(same(row["median"], run["median"]));
          CHECK(same(row["hit_rate"], run["hit_rate"]));
          CHECK(same(row["worst"], run["worst"]));
          ++compared;
        }
      }
    CHECK(found);
  }
  CHECK(compared >= 12);
}

TEST_CASE("report: events, columns and file hashes agree with independent sources", "[report]") {
  const json& block = example().block;
  // Event dates: as `sluice run` lists them.
  const std::string lines = shell("cd '" SLUICE_SOURCE_DIR "' && '" SLUICE_BINARY
                                  "' run examples/rotation.sluice --data examples/data --quiet --format jsonl");
  std::map<std::string, std::vector<std::string>> run_dates, page_dates;
  std::istringstream in(lines);
  for (std::string line; std::getline(in, line);) {
    const json e = json::parse(line);
    if (e["type"] != "event") continue;
    run_dates[e["rule"].get<std::string>()].push_back(e["date"].get<std::string>().substr(0, 10));
  }
  // Every event is a marker: its times are t0, then each the previous plus dt * unit.
  for (const json& rule : block["rules"]) {
    const json& m = rule["markers"];
    long long t = m["t0"].get<long long>();
    for (std::size_t k = 0; k < m["n"].get<std::size_t>(); ++k) {
      if (k > 0) t += m["dt"][k - 1].get<long long>() * m["unit"].get<long long>();
      const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{t / 86400}}};
      char date[16];
      std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                    static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
      page_dates[rule["name"].get<std::string>()].push_back(date);
    }
  }
  CHECK(page_dates == run_dates);

  // The drawn columns at a date equal the CSV cells (the example data is daily and the
  // timeline is short enough to be drawn whole): russell's Close (a Yahoo file: the
  // default column, docs/language.md) and the as-of value of the weekly tga.
  const json& frame = block["frames"][0];
  REQUIRE(frame["points"] == frame["of"]);
  std::vector<long long> times{frame["t0"].get<long long>()};
  for (const json& d : frame["dt"]) times.push_back(times.back() + d.get<long long>() * frame["unit"].get<long long>());
  // The cell of column `column` (0 = the date) in the last row dated on or before `date`
  // (the files ascend).
  auto csv_value = [](const std::string& file, std::size_t column, const std::string& date) {
    std::ifstream f(std::string(SLUICE_SOURCE_DIR "/examples/data/") + file);
    std::string cell;
    for (std::string line; std::getline(f, line);) {
      if (line.empty() || line[0] != '2' || line.compare(0, 10, date) > 0) continue;
      std::istringstream cells(line);
      for (std::size_t k = 0; k <= column; ++k) std::getline(cells, cell, ',');
    }
    return std::stod(cell);
  };
  for (const char* date : {"2018-06-01", "2021-03-15", "2023-11-01"}) {
    const long long t = std::stoll(shell(std::string("date -u -d ") + date + " +%s"));
    const auto at = std::find(times.begin(), times.end(), t) - times.begin();
    REQUIRE(static_cast<std::size_t>(at) < times.size());
    INFO(date);
    CHECK(decode_column(frame["columns"]["russell"])[at] == csv_value("russell.csv", 4, date));  // Close
    // tga is read with the catalogue's 1-day publication lag (docs/data.md): the cell of
    // the day before (2023-11-01 is a Wednesday with its own row, read on Thursday).
    const std::string day_before =
        shell(std::string("date -u -d '") + date + " - 1 day' +%F").substr(0, 10);
    CHECK(decode_column(frame["columns"]["tga"])[at] == csv_value("tga.csv", 1, day_before));
  }

  // File hashes: as sha256sum computes them.
  REQUIRE(!block["data"].empty());
  for (const json& f : block["data"]) {
    const std::string sum = shell("cd '" SLUICE_SOURCE_DIR "' && sha256sum '" + f["path"].get<std::string>() + "'");
    CHECK(sum.substr(0, 64) == f["sha256"]);
  }
}

TEST_CASE("report: usage errors", "[report]") {
  const std::string out = shell("cd '" SLUICE_SOURCE_DIR "' && '" SLUICE_BINARY
                                "' report examples/rotation.sluice --data examples/data 2>&1; echo \"exit $?\"");
  CHECK(out.find("report needs -o FILE.html") != std::string::npos);
  CHECK(out.find("exit 2") != std::string::npos);
}

TEST_CASE("report: the case study's page on the real data holds the README's numbers", "[report][real]") {
  // examples/thesis/README.md quotes the page scripts/case-study writes; this runs the same
  // script and reads the numbers back, so the README cannot drift from the data.
  const char* env = std::getenv("SLUICE_REAL_DATA");
  const fs::path real = env ? fs::path(env) : fs::path(SLUICE_SHARED_DATA);
  if (!fs::exists(real / "rut_2016_2026.csv")) SLUICE_SKIP(real.string() << " (the real data) is absent");
  const fs::path dir = scratch();
  shell("SLUICE='" SLUICE_BINARY "' SLUICE_REAL_DATA='" + real.string() + "' '" SLUICE_SOURCE_DIR
        "/scripts/case-study' '" + (dir / "thesis.html").string() + "' >/dev/null 2>&1");
  const std::string html = slurp(dir / "thesis.html");
  const std::string open = "<script type=\"application/json\" id=\"sluice-data\">";
  const auto from = html.find(open) + open.size();
  const json block = json::parse(html.substr(from, html.find("</script>", from) - from));
  auto rule = [&](const std::string& name) -> const json& {
    for (const json& r : block["rules"])
      if (r["name"] == name) return r;
    FAIL("no rule " << name);
    return block;
  };
  auto percent = [](const json& v) { return std::round(v.get<double>() * 1000) / 10; };  // 1 decimal

  // The mission sentence: once, on 2026-01-08, Russell 2603.91; BTC -24.0% / -22.3% /
  // -30.5%, ETH -34.9% / -29.2% and no data at 180 days.
  const json& mission = rule("russell breaks 2600, tga draining");
  REQUIRE(mission["markers"]["n"] == 1);
  CHECK(mission["events"][0]["date"] == "2026-01-08");
  CHECK(mission["events"][0]["values"][0][1].get<double>() == 2603.91);
  const json& btc = mission["watch"][0];
  REQUIRE(btc["series"] == "btc");
  CHECK(percent(btc["rows"][0]["mean"]) == -24.0);
  CHECK(percent(btc["rows"][1]["mean"]) == -22.3);
  CHECK(percent(btc["rows"][2]["mean"]) == -30.5);
  const json& eth = mission["watch"][1];
  CHECK(percent(eth["rows"][0]["mean"]) == -34.9);
  CHECK(percent(eth["rows"][1]["mean"]) == -29.2);
  CHECK(eth["rows"][2]["no_data"] == 1);

  // Stage 3: 29 firings, BTC at 90 days mean +21.3%, median +5.6%; stage 4: 15 firings,
  // ETH at 90 days median +20.8%; the baseline: BTC at 90 days mean +27.1%.
  const json& stage3 = rule("cascade, stage 3");
  CHECK(stage3["markers"]["n"] == 29);
  CHECK(percent(stage3["watch"][0]["rows"][1]["mean"]) == 21.3);
  CHECK(percent(stage3["watch"][0]["rows"][1]["median"]) == 5.6);
  const json& stage4 = rule("cascade, stage 4 (crypto bid)");
  CHECK(stage4["markers"]["n"] == 15);
  CHECK(percent(stage4["watch"][0]["rows"][1]["median"]) == 20.8);
  CHECK(percent(block["baselines"]["btc"]["rows"][1]["mean"]) == 27.1);

  // The broader rule: 15 firings, the 2017 ones first, and BTC's 90-day returns after
  // 2017-07-20 and 2021-03-11 (+102.1%, -35.0%).
  const json& ath = rule("russell all-time high, tga draining");
  REQUIRE(ath["markers"]["n"] == 15);
  std::map<std::string, double> btc90;
  for (std::size_t k = 0; k < ath["events"].size(); ++k)
    btc90[ath["events"][k]["date"].get<std::string>()] =
        ath["watch"][0]["event_returns"][k][1].is_null() ? std::nan("") : percent(ath["watch"][0]["event_returns"][k][1]);
  CHECK(btc90.at("2017-07-20") == 102.1);
  CHECK(btc90.at("2021-03-11") == -35.0);
}

#endif  // SLUICE_REPORT_TESTS
