// Loads every real downloaded file in ../shared/data/real and checks facts read off the
// raw bytes with head/tail/grep/awk (row counts, dates, default column, sample values).
// A file in the folder without recorded facts fails the test, so new files get checked.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "interpreter/data/csv_loader.hpp"
#include "support/skip.hpp"

using namespace sluice;

namespace {

constexpr double missing = std::numeric_limits<double>::quiet_NaN();

time_point at(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  return days_from_civil(y, m, d) * ms_per_day + (hh * 3600 + mm * 60 + ss) * ms_per_second;
}

struct value_fact {
  const char* column;  // found with find_column
  time_point when;
  double value;  // NaN: the cell is missing
};

struct file_facts {
  const char* file;
  const char* failure;  // nullptr: the file loads
  std::size_t rows_read;
  std::size_t rows_used;
  std::size_t missing_cells;
  time_point first;
  time_point last;
  const char* default_column;  // nullptr: ambiguous (-1), the user must pick
  std::vector<value_fact> values;
  std::vector<const char*> notes;  // substrings of expected notes
};

// Counts from `awk 'NR>1 && NF' f | wc -l` and an awk count of empty/null/NaN/""/. cells.
// SOURCES.md's row counts for btc.csv (1,854), gold_pm.csv (1,324) and m2sl.csv (61) are
// one short of the files' contents: 2016-06-30..2021-07-28 is 1,855 days, and m2sl has
// 62 months 2016-06..2021-07.
const std::vector<file_facts>& all_facts() {
  static const std::vector<file_facts> facts = {
      {"ada.csv", nullptr, 2792, 2792, 0, at(2018, 1, 1), at(2025, 8, 23), "Close",
       {{"Close", at(2018, 1, 1), 0.7286570072174072},
        {"Close", at(2025, 8, 23), 0.9152805805206299},
        {"stock_splits", at(2025, 8, 23), 0.0}}, {}},
      {"assets_wide.csv", nullptr, 732, 732, 15592, at(2024, 8, 21), at(2026, 8, 22), nullptr,
       {{"SPX", at(2026, 8, 21), 7674.3701171875},
        {"SPX", at(2026, 8, 22), missing},  // a Saturday: crypto only
        {"BTC", at(2026, 8, 22), 76976.796875},
        {"btc_volume", at(2026, 8, 22), 51854024704.0},
        {"Gold", at(2026, 8, 22), missing}}, {}},
      {"bnb.csv", nullptr, 2792, 2792, 0, at(2018, 1, 1), at(2025, 8, 23), "Close",
       {{"Close", at(2018, 1, 1), 8.414609909057617},
        {"Close", at(2025, 8, 23), 888.9844360351562}}, {}},
      {"btc.csv", nullptr, 1855, 1855, 24, at(2016, 6, 30), at(2021, 7, 28), "Close",
       {{"Close", at(2021, 7, 28), 39995.906250},
        {"Close", at(2020, 4, 17), missing},  // one of the 4 rows of `null`
        {"Volume", at(2020, 10, 13), missing},
        {"adj_close", at(2016, 6, 30), 673.336975}}, {}},
      {"btc_2010_2024.csv", nullptr, 4993, 4993, 0, at(2010, 7, 21), at(2024, 3, 21), "Close",
       {{"Close", at(2010, 7, 21), 0.0792},
        {"Close", at(2024, 3, 21), 65476.17},
        {"market_cap", at(2024, 3, 21), 1310224116988.655}},
       {"rows were in descending date order; sorted", "column 'End' holds dates"}},
      {"btc_coingecko.csv", nullptr, 4828, 4828, 1, at(2013, 4, 28), at(2026, 7, 19),
       "close_price_usd",
       {{"close_price_usd", at(2013, 4, 28), 135.3},
        {"close_price_usd", at(2026, 7, 18), 64795.703823037846},
        {"close_price_usd", at(2026, 7, 19), missing},  // `""`: the day had not closed
        {"market_cap_usd", at(2026, 7, 19), 1292361496904.9734},
        {"volume_usd", at(2013, 4, 28), 0.0}}, {}},
      {"cpiaucsl.csv", nullptr, 62, 62, 0, at(2016, 6, 1), at(2021, 7, 1), "CPIAUCSL",
       {{"CPIAUCSL", at(2016, 6, 1), 240.222}, {"cpiaucsl", at(2021, 7, 1), 272.265}}, {}},
      {"dff.csv", nullptr, 1855, 1855, 0, at(2016, 6, 30), at(2021, 7, 28), "DFF",
       {{"DFF", at(2016, 6, 30), 0.30}, {"DFF", at(2021, 7, 28), 0.10}}, {}},
      {"dgs10.csv", nullptr, 6974, 6974, 286, at(1999, 1, 4), at(2025, 9, 25), "DGS10",
       {{"DGS10", at(1999, 1, 4), 4.69}, {"DGS10", at(2025, 9, 25), 4.18}}, {}},
      {"dgs2.csv", nullptr, 6974, 6974, 286, at(1999, 1, 4), at(2025, 9, 25), "DGS2",
       {{"DGS2", at(1999, 1, 4), 4.58}, {"DGS2", at(2025, 9, 25), 3.64}}, {}},
      {"doge.csv", nullptr, 4021, 4021, 1, at(2013, 12, 15), at(2024, 12, 20), "price",
       {{"price", at(2013, 12, 15), 0.000558776},
        {"price", at(2018, 1, 30, 0, 5, 20), 0.006858288626505667},
        {"market_cap", at(2017, 4, 2), missing},
        {"price", at(2024, 12, 20), 0.3162217505606263}}, {}},
      {"eth.csv", nullptr, 2200, 2200, 0, at(2017, 11, 9), at(2023, 11, 17), "Close",
       {{"Close", at(2017, 11, 9), 320.884003}, {"Close", at(2023, 11, 17), 1980.811157}}, {}},
      {"eth_coingecko.csv", nullptr, 3925, 3925, 0, at(2015, 8, 7), at(2026, 5, 6), "price",
       {{"price", at(2015, 8, 7), 2.83162},
        {"market_cap", at(2015, 8, 7), 0.0},
        {"price", at(2018, 1, 30, 0, 5, 11), 1161.9086430994253},
        {"price", at(2018, 2, 8, 0, 5, 23), 751.8878893661607},
        {"price", at(2026, 5, 6), 2361.0857066652707}}, {}},
      {"gold_pm.csv", nullptr, 1325, 1325, 53, at(2016, 6, 30), at(2021, 7, 28),
       "GOLDPMGBD228NLBM",
       {{"GOLDPMGBD228NLBM", at(2016, 7, 1), 1340},  // written 2016/7/1
        {"GOLDPMGBD228NLBM", at(2016, 8, 29), missing},
        {"GOLDPMGBD228NLBM", at(2021, 7, 28), 1796.6}}, {}},
      {"gspc.csv", nullptr, 6723, 6723, 0, at(1999, 1, 4), at(2025, 9, 24), "^GSPC",
       {{"gspc", at(1999, 1, 4), 1228.0999755859375},
        {"^GSPC", at(2025, 9, 24), 6637.97021484375}}, {}},
      {"hy_oas.csv", nullptr, 7064, 7064, 81, at(1999, 1, 4), at(2025, 9, 25), "BAMLH0A0HYM2",
       {{"BAMLH0A0HYM2", at(1999, 1, 4), 5.63}, {"BAMLH0A0HYM2", at(2025, 9, 25), 2.76}}, {}},
      {"ig_oas.csv", nullptr, 7063, 7063, 82, at(1999, 1, 4), at(2025, 9, 24), "BAMLC0A0CM",
       {{"BAMLC0A0CM", at(1999, 1, 4), 1.20}, {"BAMLC0A0CM", at(2025, 9, 24), 0.75}}, {}},
      {"iwm_av.csv", nullptr, 100, 100, 0, at(2026, 3, 31), at(2026, 8, 21), "close",
       {{"close", at(2026, 3, 31), 248.0}, {"close", at(2026, 8, 21), 299.94},
        {"volume", at(2026, 8, 21), 22919225}},
       {"rows were in descending date order; sorted"}},
      {"liquidity_wide.csv", nullptr, 6092, 6092, 52724, at(1971, 1, 8), at(2026, 8, 21),
       nullptr,
       {{"NFCI", at(1971, 1, 8), 0.598},
        {"nfci", at(2025, 11, 21), -0.509},
        {"RRPONTSYD", at(2025, 11, 21), 2.503},
        {"WTREGEN", at(2025, 11, 21), missing},
        {"RRPONTSYD", at(2026, 8, 21), 0.2}}, {}},
      {"ltc.csv", nullptr, 3349, 3349, 0, at(2014, 9, 17), at(2023, 11, 17), "Close",
       {{"Close", at(2014, 9, 17), 5.058550}, {"Close", at(2023, 11, 17), 70.606941}}, {}},
      {"m2sl.csv", nullptr, 62, 62, 0, at(2016, 6, 1), at(2021, 7, 1), "M2SL",
       {{"M2SL", at(2016, 6, 1), 12830.6}, {"M2SL", at(2021, 7, 1), 20578.1}}, {}},
      {"rrp.csv", nullptr, 261, 261, 0, at(2018, 7, 25), at(2023, 7, 19), "RRPONTSYD",
       {{"RRPONTSYD", at(2018, 7, 25), 0.72}, {"RRPONTSYD", at(2023, 7, 19), 1716.862}}, {}},
      {"rrp_daily.csv", nullptr, 5946, 5946, 2822, at(2003, 2, 7), at(2025, 11, 21), "value",
       {{"value", at(2003, 2, 7), 2.5}, {"value", at(2003, 2, 10), missing},
        {"value", at(2025, 11, 21), 2.503}}, {}},
      {"rut.csv", nullptr, 6723, 6723, 0, at(1999, 1, 4), at(2025, 9, 24), "^RUT",
       {{"rut", at(1999, 1, 4), 421.260009765625}, {"RUT", at(2025, 9, 24), 2434.97998046875}},
       {}},
      {"rut_2016_2026.csv", nullptr, 2552, 2552, 26, at(2016, 6, 28), at(2026, 8, 21), "close",
       {{"close", at(2016, 6, 28), 1107.3},
        {"close", at(2026, 1, 8), 2603.91},  // the first close above 2,600
        {"wap", at(2026, 8, 21), missing},   // the last 13 rows lack wap and count
        {"count", at(2026, 8, 20), missing},
        {"close", at(2026, 8, 21), 3017.87}}, {}},
      {"shiller_sp500_monthly.csv", nullptr, 1866, 1866, 0, at(1871, 1, 1), at(2026, 6, 1),
       nullptr,
       {{"SP500", at(1871, 1, 1), 4.44},
        {"consumer_price_index", at(1871, 1, 1), 12.46},
        {"PE10", at(1871, 1, 1), 0.0},
        {"SP500", at(2026, 6, 1), 7450.03},
        {"Earnings", at(2026, 6, 1), 0.0}}, {}},
      {"sol.csv", nullptr, 1962, 1962, 0, at(2020, 4, 10), at(2025, 8, 23), "Close",
       {{"Close", at(2020, 4, 10), 0.9510539770126343},
        {"Close", at(2025, 8, 23), 202.69329833984375}}, {}},
      {"sp500.csv", nullptr, 2609, 2609, 95, at(2016, 2, 12), at(2026, 2, 11), "SP500",
       {{"SP500", at(2016, 2, 12), 1864.78}, {"SP500", at(2016, 2, 15), missing},
        {"SP500", at(2026, 2, 11), 6941.47}}, {}},
      {"tga.csv", nullptr, 261, 261, 0, at(2018, 7, 18), at(2023, 7, 12), "WTREGEN",
       {{"WTREGEN", at(2018, 7, 18), 324.457}, {"WTREGEN", at(2023, 7, 12), 514.337}}, {}},
      {"tga_2013_2024.csv", nullptr, 578, 578, 0, at(2013, 6, 5), at(2024, 6, 26), "WTREGEN",
       {{"WTREGEN", at(2013, 6, 5), 30.230}, {"WTREGEN", at(2024, 6, 26), 765.417}}, {}},
      {"tga_daily.csv", nullptr, 1089, 1089, 0, at(2022, 4, 18), at(2026, 8, 20), "TGA_CLOSE",
       {{"tga_close", at(2022, 4, 18), 841253}, {"TGA_CLOSE", at(2026, 8, 20), 935077}}, {}},
      {"total2_2023.csv", nullptr, 359, 359, 2154, at(2022, 12, 28), at(2023, 12, 21), "close",
       {{"close", at(2022, 12, 28), 437764926260}, {"close", at(2023, 12, 21), 757204493628},
        {"ydayhi", at(2022, 12, 28), missing}},
       {"column name 'PVSRA Volume' appears 2 times"}},
      {"total2_2024.csv", nullptr, 300, 300, 0, at(2024, 7, 4), at(2025, 4, 29), "close",
       {{"close", at(2024, 7, 4), 919172780958}, {"close", at(2025, 4, 29), 1050180330060},
        {"Volume", at(2025, 4, 29), 128419581486.07489}}, {}},
      {"total3_2023.csv", nullptr, 359, 359, 2154, at(2022, 12, 28), at(2023, 12, 21), "close",
       {{"close", at(2022, 12, 28), 292223239690}, {"close", at(2023, 12, 21), 485665456703}},
       {"column name 'PVSRA Volume' appears 2 times"}},
      {"total_btcd.csv", nullptr, 809, 809, 3236, at(2020, 11, 16), at(2023, 2, 2), "close",
       {{"close", at(2020, 11, 16), 470239232579.13855},
        {"BTC.D, CRYPTOCAP: Close", at(2020, 11, 16), 65.93392017072519},
        {"close", at(2023, 2, 2), 1038961527221},
        {"btc.d, cryptocap: close", at(2023, 2, 2), 44.16157926225144},
        {"Developing Poc", at(2023, 2, 2), missing}},
       {"column name 'MA' appears 3 times", "column name 'Smoothing Line' appears 4 times",
        "column 'Rolling POC' has no values"}},
      {"vix.csv", nullptr, 6974, 6974, 223, at(1999, 1, 4), at(2025, 9, 25), "VIXCLS",
       {{"VIXCLS", at(1999, 1, 4), 26.17}, {"VIXCLS", at(2025, 9, 25), 16.74}}, {}},
      {"walcl.csv", nullptr, 1189, 1189, 0, at(2002, 12, 18), at(2025, 9, 24), "WALCL",
       {{"WALCL", at(2002, 12, 18), 719542}, {"WALCL", at(2025, 9, 24), 6608395}}, {}},
      {"xrp.csv", nullptr, 2792, 2792, 0, at(2018, 1, 1), at(2025, 8, 23), "Close",
       {{"Close", at(2018, 1, 1), 2.3910300731658936},
        {"Close", at(2025, 8, 23), 3.0194618701934814}}, {}},
  };
  return facts;
}

const file_facts* facts_for(const std::string& file) {
  for (const auto& facts : all_facts())
    if (file == facts.file) return &facts;
  return nullptr;
}

void check_value(const csv_table& t, const value_fact& fact) {
  INFO("column " << fact.column << " at " << format_time(fact.when));
  const int column = find_column(t, fact.column);
  REQUIRE(column >= 0);
  const auto row = std::lower_bound(t.times.begin(), t.times.end(), fact.when);
  REQUIRE(row != t.times.end());
  REQUIRE(*row == fact.when);
  const double value = t.cells[column][row - t.times.begin()];
  if (std::isnan(fact.value))
    CHECK(std::isnan(value));
  else
    CHECK(value == fact.value);
}

bool has_note(const csv_table& t, std::string_view text) {
  return std::any_of(t.notes.begin(), t.notes.end(), [&](const std::string& note) {
    return note.find(text) != std::string::npos;
  });
}

void check_file(const std::filesystem::path& path, const file_facts& facts) {
  const csv_result result = load_csv_file(path.string());
  if (facts.failure) {
    REQUIRE_FALSE(result.table);
    CHECK(result.failure.message == facts.failure);
    return;
  }
  INFO("failure: " << result.failure.message);
  REQUIRE(result.table);
  const csv_table& t = *result.table;
  INFO(format_load_report(t));
  CHECK(t.rows_read == facts.rows_read);
  CHECK(t.rows_used == facts.rows_used);
  CHECK(t.rejected.empty());
  CHECK(t.missing_cells == facts.missing_cells);
  REQUIRE_FALSE(t.times.empty());
  CHECK(t.times.front() == facts.first);
  CHECK(t.times.back() == facts.last);
  CHECK(std::adjacent_find(t.times.begin(), t.times.end(), std::greater_equal<>()) ==
        t.times.end());  // strictly ascending
  if (facts.default_column) {
    REQUIRE(t.default_column >= 0);
    CHECK(t.columns[t.default_column] == facts.default_column);
  } else {
    CHECK(t.default_column == -1);
  }
  for (const auto& value : facts.values) check_value(t, value);
  for (const char* note : facts.notes) {
    INFO("note: " << note);
    CHECK(has_note(t, note));
  }
}

}  // namespace

TEST_CASE("every real downloaded file loads with the facts of its raw bytes", "[real]") {
  const std::filesystem::path folder = SLUICE_SHARED_DATA;
  if (!std::filesystem::is_directory(folder)) {
    SLUICE_SKIP(folder.string() << " is absent");
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    if (entry.path().extension() == ".csv") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  REQUIRE_FALSE(files.empty());

  for (const auto& path : files) {
    const std::string name = path.filename().string();
    SECTION(name) {
      const file_facts* facts = facts_for(name);
      INFO(name << " has no recorded facts: add them to all_facts()");
      REQUIRE(facts != nullptr);
      check_file(path, *facts);
    }
  }
  // Facts recorded for a file that is not there mean the folder changed under the test.
  for (const auto& facts : all_facts()) {
    INFO(facts.file);
    CHECK(std::filesystem::exists(folder / facts.file));
  }
}

TEST_CASE("real files: the Yahoo null rows and the wide files' columns", "[real]") {
  const std::filesystem::path folder = SLUICE_SHARED_DATA;
  if (!std::filesystem::is_directory(folder)) {
    SLUICE_SKIP(folder.string() << " is absent");
  }
  // btc.csv: exactly 4 rows are all `null` (grep -c ',null' btc.csv).
  const csv_result btc = load_csv_file((folder / "btc.csv").string());
  REQUIRE(btc.table);
  const csv_table& t = *btc.table;
  std::size_t null_rows = 0;
  for (std::size_t r = 0; r < t.times.size(); ++r) {
    const bool all_missing = std::all_of(t.cells.begin(), t.cells.end(),
                                         [&](const auto& column) { return std::isnan(column[r]); });
    null_rows += all_missing;
  }
  CHECK(null_rows == 4);

  // Wide files have no default column, but every header is addressable.
  for (const char* file : {"assets_wide.csv", "liquidity_wide.csv"}) {
    const csv_result wide = load_csv_file((folder / file).string());
    REQUIRE(wide.table);
    CHECK(wide.table->default_column == -1);
    for (std::size_t c = 0; c < wide.table->columns.size(); ++c) {
      INFO(file << " column " << wide.table->columns[c]);
      CHECK(find_column(*wide.table, wide.table->columns[c]) == static_cast<int>(c));
    }
  }
  const csv_result assets = load_csv_file((folder / "assets_wide.csv").string());
  REQUIRE(assets.table);
  CHECK(assets.table->columns.size() == 72);  // 73 header cells, one of them the date
}
