// No lookahead (SPEC section 3), as a property: what a run reports up to day D depends
// only on observations dated <= D. Every file is cut at D by a provider that drops its
// later observations (as if the file had been downloaded on D), and the run must report
// exactly the full run's events up to D: same dates, rules, values and alert texts.
// With `lag 7d` on a series, cutting that series at D - 7d must change nothing up to D.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "support/golden_support.hpp"
#include "interpreter/data/csv_loader.hpp"
#include "interpreter/time.hpp"
#include "support/skip.hpp"

using namespace sluice;
using namespace sluice::testing;

namespace {

const std::filesystem::path source_dir = SLUICE_SOURCE_DIR;
const std::filesystem::path real_dir = SLUICE_SHARED_DATA;

constexpr time_point day = ms_per_day;

// The CSV files as they would have been on the cut date: each series keeps only its
// observations dated <= its cut (one cut for all, or one per series).
class cut_provider : public series_provider {
 public:
  explicit cut_provider(time_point cut, std::map<std::string, time_point> per_series = {})
      : cut_(cut), per_series_(std::move(per_series)) {}

  bool fetch(const series_spec& spec, const std::string& field, observations& out,
             diagnostics& diags) override {
    if (!files_.fetch(spec, field, out, diags)) return false;
    cut(spec.name, out);
    return true;
  }

  bool fetch_text(const series_spec& spec, const std::string& field, text_observations& out,
                  diagnostics& diags) override {
    if (!files_.fetch_text(spec, field, out, diags)) return false;
    cut(spec.name, out);
    return true;
  }

 private:
  template <class Observations>
  void cut(const std::string& name, Observations& out) const {
    const auto keep = static_cast<std::size_t>(
        std::upper_bound(out.times.begin(), out.times.end(), cut_of(name)) - out.times.begin());
    out.times.resize(keep);
    out.values.resize(keep);
  }

  time_point cut_of(const std::string& name) const {
    auto found = per_series_.find(name);
    return found == per_series_.end() ? cut_ : found->second;
  }

  csv_provider files_;
  time_point cut_;
  std::map<std::string, time_point> per_series_;
};

// One line per event with every reported fact; values in shortest round-trip form, so
// equal lines mean bit-identical values.
std::string describe(const event& e) {
  std::string line = fmt::format("{} {}", format_time(e.time), e.rule_name);
  for (const event_value& v : e.values) line += fmt::format(" {}={}", v.name, v.value);
  for (const std::string& m : e.messages) line += " | " + m;
  return line;
}

struct checked_program {
  std::shared_ptr<const program> prog;
  std::vector<event> events;
};

checked_program compile_and_run(const std::string& source, const std::vector<host_series>& host,
                                bool exact) {
  compile_options copts;
  copts.host = host;
  diagnostics diags;
  checked_program out;
  out.prog = compile_source("lookahead.sluice", source, copts, diags);
  INFO(source);
  REQUIRE(out.prog);
  csv_provider files;
  run_options options;
  options.exact = exact;
  run_result r = run_batch(*out.prog, files, options, diags);
  for (const diagnostic& d : diags.items()) UNSCOPED_INFO(render(d, source));
  REQUIRE(r.ok);
  out.events = std::move(r.events);
  return out;
}

std::vector<std::string> events_up_to(const std::vector<event>& events, time_point cut) {
  std::vector<std::string> lines;
  for (const event& e : events)
    if (e.time <= cut) lines.push_back(describe(e));
  return lines;
}

std::vector<std::string> run_cut(const program& p, cut_provider& data, bool exact) {
  diagnostics diags;
  run_options options;
  options.exact = exact;
  run_result r = run_batch(p, data, options, diags);
  REQUIRE(r.ok);
  std::vector<std::string> lines;
  for (const event& e : r.events) lines.push_back(describe(e));
  return lines;
}

// Cut dates: the days of up to `sampled` events spread over the list (the sharpest test:
// the event must survive the cut), the day before each (it must not appear yet), and
// `spread` days evenly across [first, last].
std::vector<time_point> cut_dates(const std::vector<event>& events, time_point first,
                                  time_point last, int spread, std::size_t sampled = 24) {
  std::vector<time_point> cuts;
  const std::size_t step = std::max<std::size_t>(1, events.size() / sampled);
  for (std::size_t i = 0; i < events.size(); i += step) {
    cuts.push_back(events[i].time);
    cuts.push_back(events[i].time - day);
  }
  for (int i = 1; i <= spread; ++i) cuts.push_back(first + (last - first) * i / (spread + 1));
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  return cuts;
}

void check_every_cut(const std::string& source, const std::vector<host_series>& host,
                     time_point first, time_point last, bool exact = false, int spread = 12,
                     std::size_t sampled = 24) {
  const checked_program full = compile_and_run(source, host, exact);
  REQUIRE(!full.events.empty());  // a property over no events would prove little
  for (const time_point cut : cut_dates(full.events, first, last, spread, sampled)) {
    cut_provider data(cut);
    INFO("files cut at " << format_time(cut));
    CHECK(run_cut(*full.prog, data, exact) == events_up_to(full.events, cut));
  }
}

time_point date(const char* text) { return *parse_iso_date(text); }

// Rules that use every kind of state: lookbacks, calendar and bar windows, sequences,
// cooldown, once, signals, alerts, as-of reads of series on different calendars.
const char* example_rules = R"(
rule "breakout": when russell breaks 2600 and tga falls then watch alts
rule "spread z": when zscore(hy_spread, 60 bars) < -1.5 for 5d
  then watch spx and alert "z={zscore(hy_spread, 60 bars)} spx={spx}" cooldown 30d
rule "new high": when btc hits new high over 1y and rsi(btc, 14 bars) > 60
  then watch btc and signal hot
hot within 30d and alts rises by 10% over 2w then watch alts
rule "first drawdown": when drawdown(spx) > 0.1 then watch spx once
rule "sequence": when hy_spread narrows over 4w followed by russell outperforms spx over 4w
  within 60d then watch russell
)";

}  // namespace

TEST_CASE("no lookahead: example rules on the example data, files cut at many dates",
          "[lookahead]") {
  const auto host = data_folder(source_dir / "examples/data");
  check_every_cut(read_text(source_dir / "examples/rotation.sluice"), host, date("2016-01-01"),
                  date("2026-06-30"));
  check_every_cut(example_rules, host, date("2016-01-01"), date("2026-06-30"));
}

TEST_CASE("no lookahead: exact mode, files cut at many dates", "[lookahead][exact]") {
  const auto host = data_folder(source_dir / "examples/data");
  check_every_cut(example_rules, host, date("2016-01-01"), date("2026-06-30"), true);
}

TEST_CASE("no lookahead with lag 7d: the lagged series cut 7 days earlier changes nothing",
          "[lookahead]") {
  auto host = data_folder(source_dir / "examples/data");
  for (host_series& h : host)
    if (h.name == "tga") h.lag = duration{duration::unit::days, 7};
  const checked_program full = compile_and_run(example_rules, host, false);
  REQUIRE(!full.events.empty());
  for (const time_point cut : cut_dates(full.events, date("2016-01-01"), date("2026-06-30"), 12)) {
    cut_provider data(cut, {{"tga", cut - 7 * day}});
    INFO("files cut at " << format_time(cut) << ", tga at 7 days before");
    CHECK(run_cut(*full.prog, data, false) == events_up_to(full.events, cut));
  }
  // And the lag is real: cutting tga 8 days early does change what the run sees, so the
  // property above is not vacuous (the breakout of 2026-01-08 reads tga as of 01-01).
  const checked_program unlagged = compile_and_run(example_rules, data_folder(source_dir / "examples/data"), false);
  CHECK(events_up_to(unlagged.events, date("2030-01-01")) !=
        events_up_to(full.events, date("2030-01-01")));
}

TEST_CASE("no lookahead on the real downloads, files cut at many dates", "[lookahead][real]") {
  if (!std::filesystem::exists(real_dir / "rut_2016_2026.csv")) {
    SLUICE_SKIP("../shared/data/real is absent: no real-data lookahead check");
  }
  const std::vector<host_series> host = {
      {"russell", (real_dir / "rut_2016_2026.csv").string(), "close"},
      {"tga", (real_dir / "tga_daily.csv").string(), ""},
      {"hy", (real_dir / "hy_oas.csv").string(), ""},
      {"vix", (real_dir / "vix.csv").string(), ""},
      {"spx", (real_dir / "gspc.csv").string(), ""},
      {"btc", (real_dir / "btc.csv").string(), "close"}};
  const char* rules = R"(
russell breaks 2600 and tga falls then watch btc
rule "calm": when vix < 15 for 10d and hy narrows by 0.2 over 4w then watch spx cooldown 60d
rule "stress": when zscore(hy, 20 bars) > 2 or vix crosses above 30 then watch spx
  and alert "hy {hy} vix {vix}"
rule "btc run": when btc hits new high over 1y followed by russell outperforms spx over 4w
  within 30d then watch btc
rule "tga drain": when change(tga, 4w) < -100000 and highest(russell, 3mo) > 2000 then watch russell
)";
  check_every_cut(rules, host, date("2016-07-01"), date("2026-06-30"));
}

TEST_CASE("no lookahead on every real series, files cut at many dates", "[lookahead][real]") {
  if (!std::filesystem::exists(real_dir)) {
    SLUICE_SKIP("../shared/data/real is absent: no real-data lookahead check");
  }
  // Rules over one series x using lookbacks, bar and calendar windows, sequences,
  // cooldown and once; x is each real file's default column, or for the wide files each
  // of their first three columns with values.
  const char* rules = R"(
rule "cross": when x crosses above sma(x, 20 bars) then watch x
rule "high": when x hits new high over 1y then watch x cooldown 30d
rule "move": when x rises by 5% over 4w for 5d then watch x
rule "z": when zscore(x, 60d) < -1 followed by x rises over 2w within 60d then watch x
rule "dd": when drawdown(x) > 0.1 and rsi(x, 14 bars) < 40 then watch x once
rule "calm": when stdev(x, 10 bars) < stdev(x, 40 bars) for 3 bars then watch x
)";
  std::vector<std::filesystem::path> files = files_under(real_dir, ".csv");
  REQUIRE(files.size() >= 30);
  std::size_t series_checked = 0;
  for (const std::filesystem::path& file : files) {
    const csv_result loaded = load_csv_file(file.string());
    REQUIRE(loaded.table);
    const csv_table& table = *loaded.table;
    std::vector<std::string> columns;
    if (table.default_column >= 0) {
      columns.push_back(table.columns[static_cast<std::size_t>(table.default_column)]);
    } else {
      for (std::size_t c = 0; c < table.columns.size() && columns.size() < 3; ++c)
        if (std::any_of(table.cells[c].begin(), table.cells[c].end(),
                        [](double v) { return v == v; }))
          columns.push_back(table.columns[c]);
    }
    for (const std::string& column : columns) {
      INFO(file.filename().string() << " column " << column);
      const std::vector<host_series> host = {{"x", file.string(), column}};
      check_every_cut(rules, host, table.times.front(), table.times.back(), false, 6, 8);
      ++series_checked;
    }
  }
  CHECK(series_checked >= 40);
}
