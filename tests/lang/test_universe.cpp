// Universes: `for each SYM in U` rules and the cross-sectional operators (rank, top K of,
// mean, median, breadth) on tests/lang/universe/{x,y,z}.csv, with expectations worked out
// by hand below; a for-each rule against the same rules written out per symbol.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "interpreter/reference/reference_eval.hpp"
#include "interpreter/run/parallel_run.hpp"
#include "support/golden_support.hpp"
#include "support/skip.hpp"

using namespace sluice;
using namespace sluice::testing;

namespace {

// The data (daily, 2024-01-01 .. 01-05); z starts on 01-03, so before that it has no value
// and is absent from every cross-section:
//   day  01 02 03 04 05
//   x     1  5  3  4  2
//   y     2  5  3  1  9
//   z     -  -  3  4  1
std::filesystem::path universe_dir() {
  return std::filesystem::path(SLUICE_SOURCE_DIR) / "tests/lang/universe";
}

compile_options universe_options() {
  compile_options o;
  o.host = data_folder(universe_dir());
  return o;
}

run_result run_source(const std::string& source, const compile_options& o) {
  diagnostics diags;
  auto prog = compile_source("u.sluice", source, o, diags);
  INFO((diags.items().empty() ? std::string() : diags.items()[0].message));
  REQUIRE(prog);
  csv_provider data;
  run_result r = run_batch(*prog, data, {}, diags);
  REQUIRE(r.ok);
  return r;
}

// "2024-01-02 r[x]" per event, in the run's order.
std::vector<std::string> listing(const run_result& r) {
  std::vector<std::string> out;
  for (const event& e : r.events) out.push_back(format_time(e.time) + " " + e.rule_name);
  return out;
}

}  // namespace

TEST_CASE("rank: 1 = highest, ties to the earlier member, missing symbols absent",
          "[universe][lang]") {
  // rank(s) by hand (ties: universe order x, y, z):
  //   01: x1 y2 -> y 1, x 2, z na      02: x5 y5 -> x 1 (tie, x first), y 2, z na
  //   03: 3 3 3 -> x 1, y 2, z 3       04: x4 y1 z4 -> x 1 (tie with z), z 2, y 3
  //   05: x2 y9 z1 -> y 1, x 2, z 3
  // rank(s) == 1 holds for x on 02-04 (rises on 02), for y on 01 and 05.
  const run_result r = run_source(
      "universe u = x, y, z\n"
      "rule \"lead\": for each s in u when rank(s) == 1 then watch s and alert \"{s.name} ranks "
      "{rank(s)}\"\n",
      universe_options());
  CHECK(listing(r) ==
        std::vector<std::string>{"2024-01-01 lead[y]", "2024-01-02 lead[x]", "2024-01-05 lead[y]"});
  REQUIRE(r.events.size() == 3);
  CHECK(r.events[0].messages == std::vector<std::string>{"y ranks 1"});
  CHECK(r.events[1].messages == std::vector<std::string>{"x ranks 1"});
  CHECK(std::vector<std::string>(r.events[1].actions.begin(), r.events[1].actions.end()) ==
        std::vector<std::string>{"watch x", "alert"});
}

TEST_CASE("top K of U by X: rank <= K, na where the symbol has no value", "[universe][lang]") {
  // From the ranks above, top 2 holds for x on 01-05 (rises on 01); y on 01-03 and 05
  // (rises on 01 and 05); z is na, na, 3, 2, 3: true on 04 only.
  const run_result r = run_source(
      "universe u = x, y, z\n"
      "for each s in u when top 2 of u by s then watch s\n",
      universe_options());
  const std::string n = "for each s in u when top 2 of u by s then watch s";
  CHECK(listing(r) == std::vector<std::string>{"2024-01-01 " + n + "[x]", "2024-01-01 " + n + "[y]",
                                               "2024-01-04 " + n + "[z]",
                                               "2024-01-05 " + n + "[y]"});
}

TEST_CASE("breadth, mean and median over the members with data", "[universe][lang]") {
  // breadth(u, s > 2): 01 0/2 (z absent) = 0, 02 2/2 = 1, 03 3/3 = 1, 04 2/3, 05 1/3.
  // mean(u, s): 01 1.5, 02 5, 03 3, 04 3, 05 4.  median(u, s): 01 1.5, 02 5, 03 3, 04 4
  // (1 4 4), 05 2 (1 2 9).
  const run_result r = run_source(
      "universe u = x, y, z\n"
      "rule \"wide\": for each s in u when breadth(u, s > 2) > 0.5 and s > 2 then "
      "alert \"{s.name} {breadth(u, s > 2):.4f}\"\n"
      "rule \"above mean\": for each s in u when s > mean(u, s) then alert \"{s.name} {mean(u, "
      "s)}\"\n"
      "rule \"above median\": for each s in u when s > median(u, s) then alert \"{median(u, "
      "s)}\"\n",
      universe_options());
  // wide: breadth > 0.5 on 02-04; with s > 2: x 02-04 (rises 02), y 02-03 (rises 02),
  // z 03-04 (rises 03).
  // above mean: x 4 > 3 on 04; y 2 > 1.5 on 01, 9 > 4 on 05; z 4 > 3 on 04.
  // above median: y 2 > 1.5 on 01 and 9 > 2 on 05; x and z never (equal at most).
  CHECK(listing(r) ==
        std::vector<std::string>{"2024-01-01 above mean[y]", "2024-01-01 above median[y]",
                                 "2024-01-02 wide[x]", "2024-01-02 wide[y]", "2024-01-03 wide[z]",
                                 "2024-01-04 above mean[x]", "2024-01-04 above mean[z]",
                                 "2024-01-05 above mean[y]", "2024-01-05 above median[y]"});
  REQUIRE(r.events.size() == 9);
  CHECK(r.events[0].messages[0] == "y 1.5");
  CHECK(r.events[1].messages[0] == "1.5");
  CHECK(r.events[2].messages[0] == "x 1.0000");
  CHECK(r.events[4].messages[0] == "z 1.0000");
  CHECK(r.events[6].messages[0] == "z 3");
  CHECK(r.events[8].messages[0] == "2");
}

TEST_CASE("a for-each rule equals the same rule written out per symbol", "[universe][lang]") {
  const std::string body =
      " when S > S[1] and S > sma(S, 2 bars) then watch S and alert \"{S}\" cooldown 2 bars\n";
  auto with = [&](std::string text, const std::string& sym) {
    for (std::size_t at = text.find('S'); at != std::string::npos; at = text.find('S', at))
      text.replace(at, 1, sym);
    return text;
  };
  const run_result each = run_source(
      "universe u = x, y, z\nrule \"r\": for each s in u" + with(body, "s"), universe_options());
  std::string written;
  for (const char* sym : {"x", "y", "z"})
    written += "rule \"r[" + std::string(sym) + "]\":" + with(body, sym);
  const run_result hand = run_source(written, universe_options());
  REQUIRE(!each.events.empty());
  REQUIRE(each.events.size() == hand.events.size());
  for (std::size_t i = 0; i < each.events.size(); ++i) {
    const event& a = each.events[i];
    const event& b = hand.events[i];
    CHECK(a.time == b.time);
    CHECK(a.rule_name == b.rule_name);
    CHECK(a.messages == b.messages);
    CHECK(std::vector<std::string>(a.actions.begin(), a.actions.end()) ==
          std::vector<std::string>(b.actions.begin(), b.actions.end()));
    REQUIRE(a.values.size() == b.values.size());
    for (std::size_t k = 0; k < a.values.size(); ++k) {
      CHECK(a.values[k].name == b.values[k].name);
      CHECK(a.values[k].value == b.values[k].value);
    }
  }
}

TEST_CASE("universe mistakes are reported at their text", "[universe][lang]") {
  auto first_error = [](const std::string& source) {
    diagnostics diags;
    auto prog = compile_source("u.sluice", source, universe_options(), diags);
    CHECK(!prog);
    return diags.items().empty() ? std::string() : diags.items()[0].message;
  };
  CHECK(first_error("for each s in nope when s > 1 then watch s\n") == "unknown universe 'nope'");
  CHECK(first_error("universe u = x, q\nfor each s in u when s > 1 then watch s\n") ==
        "universe 'u': 'q' is not a series");
  CHECK(first_error("universe u = x, y\nx > 1 and rank(x) == 1 then watch x\n")
            .find("'rank' compares the symbols of a universe") == 0);
  CHECK(first_error("universe u = x, y\nfor each s in u when s > 1 then signal hot\n")
            .find("a 'for each' rule cannot raise a signal") == 0);
}

TEST_CASE("a universe over the VM and the reference evaluator agree", "[universe][differential]") {
  // The same program through the VM (run_batch) and through the reference evaluator, which
  // computes rank by counting the members ahead rather than sorting (reference_universe.cpp).
  const std::string source =
      "universe u = x, y, z\n"
      "rule \"r\": for each s in u when rank(s) <= 2 and breadth(u, s >= 3) >= 0.5 then watch s\n"
      "rule \"m\": for each s in u when s >= median(u, s) and s < mean(u, s) + 1 then watch s\n";
  diagnostics diags;
  auto prog = compile_source("u.sluice", source, universe_options(), diags);
  REQUIRE(prog);
  csv_provider data;
  const run_result vm_run = run_batch(*prog, data, {}, diags);
  REQUIRE(vm_run.ok);
  std::map<std::uint32_t, observations> loaded;
  for (std::uint32_t s = 0; s < prog->series.size(); ++s)
    REQUIRE(data.fetch(prog->series[s], "", loaded[s], diags));
  reference_evaluator ref(
      *prog,
      [&](std::uint32_t s, const std::string&) -> const observations* { return &loaded.at(s); },
      std::nullopt, std::nullopt);
  std::vector<std::string> from_ref;
  for (const auto& [t, rule] : ref.firings())
    from_ref.push_back(format_time(ref.timeline()[t]) + " " + prog->rules[rule].name);
  CHECK(listing(vm_run) == from_ref);
  CHECK(!from_ref.empty());
}

TEST_CASE("the 36 assets of assets_wide.csv as a universe", "[universe][real]") {
  const std::filesystem::path file = std::filesystem::path(SLUICE_SHARED_DATA) / "assets_wide.csv";
  if (!std::filesystem::exists(file)) {
    SLUICE_SKIP(file.string() << " is absent");
  }
  const std::string source = "load assets_wide from \"" + file.string() +
                             "\"\n"
                             "universe assets = columns of assets_wide\n"
                             "rule \"lead\": for each a in assets when rank(pct(a, 4w)) <= 3 and "
                             "breadth(assets, a above sma(a, 50 bars)) > 50% then watch a\n";
  diagnostics diags;
  auto prog = compile_source("wide.sluice", source, {}, diags);
  for (const diagnostic& d : diags.items()) UNSCOPED_INFO(d.message);
  REQUIRE(prog);
  // The header's 36 asset columns (SPX .. SKHYNIX), without their *_volume columns.
  REQUIRE(prog->rules.size() == 36);
  CHECK(prog->rules.front().name == "lead[spx]");
  CHECK(prog->rules[9].name == "lead[eth]");
  CHECK(prog->rules.back().name == "lead[skhynix]");
  csv_provider data;
  const run_result r = run_batch(*prog, data, {}, diags);
  REQUIRE(r.ok);
  CHECK(!r.events.empty());
  // The reference evaluator finds the same firings.
  std::map<std::pair<std::uint32_t, std::string>, observations> loaded;
  reference_evaluator ref(
      *prog,
      [&](std::uint32_t s, const std::string& field) -> const observations* {
        auto [it, fresh] = loaded.try_emplace({s, field});
        if (fresh) data.fetch(prog->series[s], field, it->second, diags);
        return &it->second;
      },
      std::nullopt, std::nullopt);
  std::vector<std::string> from_ref;
  for (const auto& [t, rule] : ref.firings())
    from_ref.push_back(format_time(ref.timeline()[t]) + " " + prog->rules[rule].name);
  CHECK(listing(r) == from_ref);
  // And member by member on 2 threads (--threads): the same events.
  csv_provider again;
  const run_result threaded = run_parallel(*prog, again, {}, 2, diags);
  REQUIRE(threaded.ok);
  CHECK(listing(threaded) == listing(r));
}
