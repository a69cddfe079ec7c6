// Unit tests of the CSV loader: each download format and each hostile input, from inline
// bytes whose expected values are read off the strings written here.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "interpreter/data/csv_dates.hpp"
#include "interpreter/data/csv_loader.hpp"

using namespace sluice;

namespace {

time_point at(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  return days_from_civil(y, m, d) * ms_per_day + (hh * 3600 + mm * 60 + ss) * ms_per_second;
}

csv_table load(std::string_view bytes) {
  csv_result result = parse_csv(bytes, "test.csv");
  INFO("failure: " << result.failure.message);
  REQUIRE(result.table.has_value());
  const csv_table& t = *result.table;
  // The accounting holds for every table: rows read are used, rejected or dropped.
  REQUIRE(t.rows_read >= t.rows_used + t.rejected.size());
  REQUIRE(t.times.size() == t.rows_used);
  for (const auto& column : t.cells) REQUIRE(column.size() == t.rows_used);
  return *result.table;
}

csv_failure load_failure(std::string_view bytes) {
  csv_result result = parse_csv(bytes, "test.csv");
  REQUIRE_FALSE(result.table.has_value());
  return result.failure;
}

bool has_note(const csv_table& t, std::string_view text) {
  for (const auto& note : t.notes)
    if (note.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Formats

TEST_CASE("FRED files: DATE or observation_date, '.' is missing", "[loader]") {
  const csv_table t = load("DATE,DFF\n2021-01-04,0.09\n2021-01-05,.\n2021-01-06,0.08\n");
  CHECK(t.date_column == "DATE");
  REQUIRE(t.columns == std::vector<std::string>{"DFF"});
  CHECK(t.default_column == 0);
  REQUIRE(t.times == std::vector<time_point>{at(2021, 1, 4), at(2021, 1, 5), at(2021, 1, 6)});
  CHECK(t.cells[0][0] == 0.09);
  CHECK(std::isnan(t.cells[0][1]));
  CHECK(t.cells[0][2] == 0.08);
  CHECK(t.missing_cells == 1);
  CHECK(t.rows_read == 3);
  CHECK(t.rows_used == 3);
  CHECK(t.rejected.empty());

  const csv_table n = load("observation_date,SP500\n2016-02-12,1864.78\n2016-02-15,\n");
  CHECK(n.date_column == "observation_date");
  CHECK(n.default_column == 0);
  CHECK(n.cells[0][0] == 1864.78);
  CHECK(std::isnan(n.cells[0][1]));
  CHECK(n.missing_cells == 1);
}

TEST_CASE("Yahoo files default to Close; null rows are missing", "[loader]") {
  const csv_table t = load(
      "Date,Open,High,Low,Close,Adj Close,Volume\n"
      "2020-04-16,7116.55,7198.52,6833.08,7096.18,7096.18,38589164733\n"
      "2020-04-17,null,null,null,null,null,null\n");
  REQUIRE(t.columns.size() == 6);
  CHECK(t.default_column == 3);
  CHECK(t.columns[3] == "Close");
  CHECK(t.cells[3][0] == 7096.18);
  CHECK(t.cells[5][0] == 38589164733.0);
  for (std::size_t c = 0; c < 6; ++c) CHECK(std::isnan(t.cells[c][1]));
  CHECK(t.missing_cells == 6);
  CHECK(t.rows_used == 2);
}

TEST_CASE("yfinance dates keep the time of day and apply the UTC offset", "[loader]") {
  const csv_table t = load(
      "Date,Open,High,Low,Close,Adj Close,Volume,Dividends,Stock Splits\n"
      "2020-04-10 00:00:00+00:00,0.83,1.31,0.69,0.95,0.95,87364276,0.0,0.0\n"
      "2020-04-11 00:00:00-04:00,0.95,1.04,0.76,0.77,0.77,43862444,0.0,0.0\n"
      "2020-04-12 09:30:00+02:00,0.77,0.80,0.70,0.78,0.78,1000,0.0,0.0\n");
  CHECK(t.default_column == 3);
  REQUIRE(t.times.size() == 3);
  CHECK(t.times[0] == at(2020, 4, 10));
  CHECK(t.times[1] == at(2020, 4, 11, 4));  // midnight at UTC-4 is 04:00 UTC
  CHECK(t.times[2] == at(2020, 4, 12, 7, 30));
  CHECK(t.cells[3][2] == 0.78);
  CHECK(t.columns.back() == "Stock Splits");
}

TEST_CASE("CoinGecko files: ' UTC' dates, price; the newer close_price_usd header", "[loader]") {
  const csv_table t = load(
      "snapped_at,price,market_cap,total_volume\n"
      "2018-01-29 00:00:00 UTC,1180.1,114790000000.0,3211000000.0\n"
      "2018-01-30 00:05:11 UTC,1161.9,113043826616.7,2006770995.7\n");
  CHECK(t.default_column == 0);
  CHECK(t.columns[0] == "price");
  CHECK(t.times[1] == at(2018, 1, 30, 0, 5, 11));
  CHECK(t.cells[0][1] == 1161.9);

  const csv_table n = load(
      "event_date,close_price_usd,market_cap_usd,volume_usd\n"
      "2026-07-18 00:00:00 UTC,64795.7,1299683566530.6,15451966881.2\n"
      "2026-07-19 00:00:00 UTC,\"\",1292361496904.9,15704947278.9\n");
  CHECK(n.default_column == 0);
  CHECK(n.cells[0][0] == 64795.7);
  CHECK(std::isnan(n.cells[0][1]));  // `""`: the day has not closed
  CHECK(n.cells[1][1] == 1292361496904.9);
  CHECK(n.missing_cells == 1);
}

TEST_CASE("TradingView exports: Unix seconds, quoted names, duplicates, NaN", "[loader]") {
  const csv_table t = load(
      "time,open,high,low,close,\"BTC.D, CRYPTOCAP: Open\",MA,MA\n"
      "1605484800,451.5,478.8,445.4,470.2,65.58,NaN,1\n"
      "1605571200,470.2,480.0,460.0,475.0,65.90,NaN,2");
  REQUIRE(t.columns.size() == 7);
  CHECK(t.columns[4] == "BTC.D, CRYPTOCAP: Open");
  CHECK(t.default_column == 3);
  CHECK(t.times == std::vector<time_point>{at(2020, 11, 16), at(2020, 11, 17)});
  CHECK(t.cells[4][1] == 65.90);
  CHECK(std::isnan(t.cells[5][0]));
  CHECK(t.missing_cells == 2);
  CHECK(find_column(t, "MA") == 5);  // the first of the two
  CHECK(has_note(t, "column name 'MA' appears 2 times"));
  CHECK(has_note(t, "column 'MA' has no values"));
}

TEST_CASE("Alpha Vantage: CRLF and newest row first", "[loader]") {
  const csv_table t = load(
      "timestamp,open,high,low,close,volume\r\n"
      "2026-08-21,299.9500,300.3300,298.1700,299.9400,22919225\r\n"
      "2026-08-20,299.2700,300.0400,297.0400,297.6700,21638740\r\n"
      "2026-08-19,298.0000,299.0000,296.0000,298.5000,20000000\r\n");
  CHECK(t.default_column == 3);
  CHECK(t.times == std::vector<time_point>{at(2026, 8, 19), at(2026, 8, 20), at(2026, 8, 21)});
  CHECK(t.cells[3] == std::vector<double>{298.5, 297.67, 299.94});
  CHECK(t.cells[4][2] == 22919225.0);
  CHECK(has_note(t, "rows were in descending date order; sorted"));
}

TEST_CASE("CoinCodex-style: BOM, Start,End, descending; End is not a value", "[loader]") {
  const csv_table t = load(
      "\xEF\xBB\xBFStart,End,Open,High,Low,Close,Volume,Market Cap\n"
      "2024-03-21,2024-03-22,67740.03,68091.76,64650.4,65476.17,95859014036.5,1310224116988.6\n"
      "2024-03-20,2024-03-21,61915.99,67982.18,60941.74,67854.02,115422036266.3,1255442147261.3");
  CHECK(t.date_column == "Start");
  REQUIRE(t.columns ==
          std::vector<std::string>{"Open", "High", "Low", "Close", "Volume", "Market Cap"});
  CHECK(t.default_column == 3);
  CHECK(t.times == std::vector<time_point>{at(2024, 3, 20), at(2024, 3, 21)});
  CHECK(t.cells[3] == std::vector<double>{67854.02, 65476.17});
  CHECK(has_note(t, "column 'End' holds dates, not values; ignored"));
  CHECK(has_note(t, "descending"));
}

TEST_CASE("IBKR-style bars default to close; empty trailing cells are missing", "[loader]") {
  const csv_table t = load(
      "date,open,high,low,close,volume,wap,count\n"
      "2026-01-08,2567.61,2608.58,2566.66,2603.91,5333200000.0,0.0,4391.0\n"
      "2026-08-21,3007.16,3020.24,3000.05,3017.87,0.0,,\n");
  CHECK(t.default_column == 3);
  CHECK(t.cells[3][0] == 2603.91);
  CHECK(std::isnan(t.cells[5][1]));
  CHECK(std::isnan(t.cells[6][1]));
  CHECK(t.missing_cells == 2);
}

TEST_CASE("generic files: the default column and its ambiguity", "[loader]") {
  CHECK(load("date,value\n2021-01-05,1\n").default_column == 0);
  CHECK(load("date,TGA_CLOSE\n2021-01-05,1\n").default_column == 0);
  CHECK(load("date,a,b\n2021-01-05,1,2\n").default_column == -1);
  // close > price > value > adj close, whatever the order of the columns
  CHECK(load("date,value,price\n2021-01-05,1,2\n").default_column == 1);
  CHECK(load("date,Adj Close,value\n2021-01-05,1,2\n").default_column == 1);
  CHECK(load("date,adj_close,volume\n2021-01-05,1,2\n").default_column == 0);
  CHECK(load("date,CLOSE,price\n2021-01-05,1,2\n").default_column == 0);
}

TEST_CASE("wide files keep every column, most cells empty", "[loader]") {
  const csv_table t = load(
      "date,SPX,BTC,WTREGEN,NFCI\n"
      "2026-08-21,7674.37,78335.18,,\n"
      "2026-08-22,,76976.79,,0.5\n"
      "2026-08-23,,,,\n");
  CHECK(t.columns.size() == 4);
  CHECK(t.default_column == -1);
  CHECK(t.missing_cells == 8);
  CHECK(t.cells[find_column(t, "btc")][1] == 76976.79);
  CHECK(t.cells[find_column(t, "nfci")][1] == 0.5);
  CHECK(has_note(t, "column 'WTREGEN' has no values"));
}

TEST_CASE("date formats", "[loader]") {
  // Each format in a file of its own: a file keeps one date format (docs/language.md).
  auto one = [](const std::string& rows) {
    const csv_table t = load("date,value\n" + rows);
    INFO(rows);
    CHECK(t.rejected.empty());
    return t.times;
  };
  CHECK(one("2016/6/30,1\n2016/07/01,2\n") == std::vector<time_point>{at(2016, 6, 30), at(2016, 7, 1)});
  CHECK(one("2016-07-02 14:45,3\n2016-07-03 14:45:30 UTC,4\n2016-07-04T10:30:00Z,5\n"
            "2016-07-05T10:30:00.250+01:00,6\n2016-07-06,7\n") ==
        std::vector<time_point>{at(2016, 7, 2, 14, 45), at(2016, 7, 3, 14, 45, 30),
                                at(2016, 7, 4, 10, 30), at(2016, 7, 5, 9, 30) + 250,
                                at(2016, 7, 6)});  // .250: milliseconds
  CHECK(one("20160706,7\n") == std::vector<time_point>{at(2016, 7, 6)});
  CHECK(one("1467849600,8\n") == std::vector<time_point>{at(2016, 7, 7)});
  CHECK(one("1467936000000,9\n") == std::vector<time_point>{at(2016, 7, 8)});
  // Mixed in one file, the rows after the first in another format are rejected.
  const csv_table mixed = load("date,value\n2016/6/30,1\n2016-07-02,2\n20160706,3\n");
  CHECK(mixed.rows_used == 1);
  REQUIRE(mixed.rejected.size() == 2);
  CHECK(mixed.rejected[0].line == 3);
  CHECK(mixed.rejected[1].line == 4);
}

// ---------------------------------------------------------------------------------------
// Hostile files

TEST_CASE("invalid calendar dates are rejected with their text", "[loader]") {
  const csv_table t = load("date,value\n2021-02-28,1\n2021-02-30,2\n2021-13-01,3\n2021-03-01,4\n");
  CHECK(t.rows_used == 2);
  REQUIRE(t.rejected.size() == 2);
  CHECK(t.rejected[0].line == 3);
  CHECK(t.rejected[0].reason == "bad date '2021-02-30'");
  CHECK(t.rejected[1].line == 4);
  CHECK(t.rejected[1].reason == "bad date '2021-13-01'");
  CHECK(load("date,value\n2020-02-29,1\n").rows_used == 1);  // leap day
  CHECK(load("date,value\n2021-01-05 24:00,1\n").rejected.size() == 1);
}

TEST_CASE("US dates: MM/DD/YYYY, DD/MM/YYYY only when the whole file says so", "[loader]") {
  const csv_table us = load("date,value\n01/05/2021,1\n12/31/2021,2\n");
  CHECK(us.times == std::vector<time_point>{at(2021, 1, 5), at(2021, 12, 31)});
  CHECK(has_note(us, "MM/DD/YYYY"));

  const csv_table eu = load("date,value\n05/01/2021,1\n25/01/2021,2\n");
  CHECK(eu.times == std::vector<time_point>{at(2021, 1, 5), at(2021, 1, 25)});
  CHECK(has_note(eu, "DD/MM/YYYY (line 3 has a first part above 12)"));

  // Both parts exceed 12 somewhere: no single order fits, so MM/DD/YYYY and the odd row out.
  const csv_table mixed = load("date,value\n01/25/2021,1\n13/05/2021,2\n");
  CHECK(mixed.times == std::vector<time_point>{at(2021, 1, 25)});
  REQUIRE(mixed.rejected.size() == 1);
  CHECK(mixed.rejected[0].line == 3);
  CHECK(mixed.rejected[0].reason ==
        "bad date '13/05/2021': month out of range (dates read as MM/DD/YYYY)");

  const csv_table bad_day = load("date,value\n02/30/2021,1\n");
  REQUIRE(bad_day.rejected.size() == 1);
  CHECK(bad_day.rejected[0].reason == "bad date '02/30/2021'");
}

TEST_CASE("unsorted rows are sorted, values follow their dates", "[loader]") {
  const csv_table t = load("date,value\n2021-01-06,6\n2021-01-04,4\n2021-01-05,5\n");
  CHECK(t.times == std::vector<time_point>{at(2021, 1, 4), at(2021, 1, 5), at(2021, 1, 6)});
  CHECK(t.cells[0] == std::vector<double>{4, 5, 6});
  CHECK(has_note(t, "rows were not in date order; sorted"));
  CHECK_FALSE(has_note(t, "descending"));
}

TEST_CASE("duplicate dates: identical rows dropped with a note, different ones rejected",
          "[loader]") {
  const csv_table same = load("date,a,b\n2021-01-05,1,.\n2021-01-05,1,\n2021-01-06,2,2\n");
  CHECK(same.rows_read == 3);
  CHECK(same.rows_used == 2);
  CHECK(same.rejected.empty());
  CHECK(has_note(same, "line 3 repeats line 2 (2021-01-05, same values); dropped"));

  const csv_table different =
      load("date,value\n2021-01-04,0\n2021-01-05,1\n2021-01-06,2\n2021-01-05,1.5\n");
  CHECK(different.rows_used == 3);
  CHECK(different.cells[0] == std::vector<double>{0, 1, 2});  // the first value wins
  REQUIRE(different.rejected.size() == 1);
  CHECK(different.rejected[0].line == 5);
  CHECK(different.rejected[0].reason ==
        "duplicate date 2021-01-05 with a different value (first at line 3)");
}

TEST_CASE("ragged rows name the expected and found cell counts", "[loader]") {
  const csv_table t = load("date,a,b\n2021-01-04,1,2\n2021-01-05,1\n2021-01-06,1,2,3\n");
  CHECK(t.rows_used == 1);
  REQUIRE(t.rejected.size() == 2);
  CHECK(t.rejected[0].line == 3);
  CHECK(t.rejected[0].reason == "expected 3 cells, found 2");
  CHECK(t.rejected[1].line == 4);
  CHECK(t.rejected[1].reason.starts_with("expected 3 cells, found 4"));
}

TEST_CASE("numbers: quoted thousands, European decimals, out of range, text", "[loader]") {
  const csv_table t = load(
      "date,Close\n"
      "2021-01-01,\"1,234.5\"\n"
      "2021-01-02,\"1,234,567\"\n"
      "2021-01-03,\"-12,000.25\"\n"
      "2021-01-04,1.234,5\n"
      "2021-01-05,\"1,5\"\n"
      "2021-01-06,inf\n"
      "2021-01-07,-inf\n"
      "2021-01-08,1e400\n"
      "2021-01-09,abc\n"
      "2021-01-10,+2.5e3\n"
      "2021-01-11,12abc\n");
  CHECK(t.cells[0] == std::vector<double>{1234.5, 1234567, -12000.25, 2500});
  REQUIRE(t.rejected.size() == 7);
  CHECK(t.rejected[0].line == 5);
  CHECK(t.rejected[0].reason.starts_with("expected 2 cells, found 3"));
  CHECK(t.rejected[1].reason == "bad number '1,5' in column Close");
  CHECK(t.rejected[2].reason == "number out of range 'inf' in column Close");
  CHECK(t.rejected[3].reason == "number out of range '-inf' in column Close");
  CHECK(t.rejected[4].reason == "number out of range '1e400' in column Close");
  CHECK(t.rejected[5].line == 10);
  CHECK(t.rejected[5].reason == "bad number 'abc' in column Close");
  CHECK(t.rejected[6].reason == "bad number '12abc' in column Close");
}

TEST_CASE("missing-value spellings are no observation, not errors", "[loader]") {
  const csv_table t = load(
      "date,value\n"
      "2021-01-01,\n"
      "2021-01-02,.\n"
      "2021-01-03,null\n"
      "2021-01-04,NaN\n"
      "2021-01-05,nan\n"
      "2021-01-06,N/A\n"
      "2021-01-07,\"\"\n"
      "2021-01-08,  \n"
      "2021-01-09,#N/A\n"
      "2021-01-10,NA\n"
      "2021-01-11,na\n"
      "2021-01-12,NULL\n"
      "2021-01-13,#n/a\n"
      "2021-01-14,n/a\n"
      "2021-01-15,Nan\n"
      "2021-01-16,7\n");
  // Every spelling docs/language.md promises, in more than one case.
  CHECK(t.rows_used == 16);
  CHECK(t.rejected.empty());
  CHECK(t.missing_cells == 15);
  CHECK(t.cells[0][15] == 7);
}

TEST_CASE("spaces around cells are trimmed, quoted dates accepted", "[loader]") {
  const csv_table t = load(" date , value \n 2021-01-05 ,  1.5 \n\"2021-01-06\",\" 2 \"\n");
  CHECK(t.date_column == "date");
  CHECK(t.columns == std::vector<std::string>{"value"});
  CHECK(t.times == std::vector<time_point>{at(2021, 1, 5), at(2021, 1, 6)});
  CHECK(t.cells[0] == std::vector<double>{1.5, 2});
}

TEST_CASE("quoted header names keep their commas and unescape \"\"", "[loader]") {
  const csv_table t = load("date,\"a, \"\"b\"\"\",c\n2021-01-05,1,2\n");
  CHECK(t.columns == std::vector<std::string>{"a, \"b\"", "c"});
  CHECK(t.cells[1][0] == 2);
}

TEST_CASE("the last line: without a newline it is read; cut inside quotes it is rejected",
          "[loader]") {
  const csv_table whole = load("date,value\n2021-01-05,1\n2021-01-06,2");
  CHECK(whole.cells[0] == std::vector<double>{1, 2});

  const csv_table cut = load("date,value\n2021-01-05,1\n2021-01-06,\"12");
  CHECK(cut.rows_used == 1);
  REQUIRE(cut.rejected.size() == 1);
  CHECK(cut.rejected[0].line == 3);
  CHECK(cut.rejected[0].reason ==
        "line ends inside a quoted field in column value (the file looks cut short)");
}

TEST_CASE("header only, blank lines", "[loader]") {
  const csv_table t = load("date,value\n");
  CHECK(t.rows_read == 0);
  CHECK(t.rows_used == 0);
  CHECK(t.columns == std::vector<std::string>{"value"});
  CHECK(has_note(t, "no data rows"));

  const csv_table blanks = load("\ndate,value\n\n2021-01-05,1\n\n2021-01-06,x\n\n");
  CHECK(blanks.rows_read == 2);
  CHECK(blanks.rows_used == 1);
  REQUIRE(blanks.rejected.size() == 1);
  CHECK(blanks.rejected[0].line == 6);  // physical lines, blank ones included
}

TEST_CASE("CRLF with a BOM", "[loader]") {
  const csv_table t = load("\xEF\xBB\xBF\"Date\",Close\r\n2021-01-05,1\r\n2021-01-06,\r\n");
  CHECK(t.date_column == "Date");
  CHECK(t.columns == std::vector<std::string>{"Close"});
  CHECK(t.cells[0][0] == 1);
  CHECK(std::isnan(t.cells[0][1]));
  CHECK(t.missing_cells == 1);
}

TEST_CASE("whole-file failures say precisely why", "[loader]") {
  CHECK(load_failure("").message == "empty file");
  CHECK(load_failure("\n\n \n").message == "no header: the file has only blank lines");
  // A lone NUL only rejects its row (tests/regression/test_hostile_csv.cpp); more than 1
  // byte in 10 not text is a binary file, and the first NUL is located (counted by hand:
  // 11 bytes of header, then 4 control bytes).
  CHECK(load_failure(std::string("date,value\n\0\x01\x02\x03", 15)).message ==
        "binary file (a NUL byte at line 2, column 1; 4 of the first 15 bytes are not text), "
        "not CSV text (UTF-16 without a byte-order mark? save it as UTF-8)");
  CHECK(load_failure("\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c,x\n").message ==
        "binary file (10 of the first 13 bytes are not text), not CSV text");
  CHECK(load_failure("PK\x03\x04rest").message.find("ZIP") != std::string::npos);
  CHECK(load_failure("\xFF\xFE" "d").message.find("UTF-16") != std::string::npos);

  const csv_failure no_header = load_failure("2021-01-05,1\n2021-01-06,2\n");
  CHECK(no_header.line == 1);
  CHECK(no_header.message.starts_with("no header: line 1 starts with the date '2021-01-05'"));

  const csv_failure no_date = load_failure("name,value\nfoo,1\n");
  CHECK(no_date.line == 2);
  CHECK(no_date.message ==
        "no date column: the first column is 'name' and its first value 'foo' is not a date");

  const csv_failure semicolons = load_failure("date;value\n2021-01-05;1,5\n");
  CHECK(semicolons.message.starts_with("columns are separated by ';'"));

  CHECK(load_failure("date\n2021-01-05\n").message ==
        "no value columns: the header has the single column 'date'");
  CHECK(load_failure("date,\"value\n").message ==
        "the header's column 2 has an unbalanced quote");
}

TEST_CASE("a date column found by its first value when its name is unusual", "[loader]") {
  const csv_table t = load("Fecha,valor\n2021-01-05,1\n");
  CHECK(t.date_column == "Fecha");
  CHECK(t.times == std::vector<time_point>{at(2021, 1, 5)});
  const csv_table unnamed = load(",value\n2021-01-05,1\n");  // a pandas index column
  CHECK(unnamed.date_column.empty());
  CHECK(unnamed.rows_used == 1);
}

TEST_CASE("find_column ignores case, spaces, _ - ^ and .", "[loader]") {
  const csv_table t = load(
      "Date,Adj Close,^RUT,close_price_usd,BTC.D,Market-Cap,Close,close\n"
      "2021-01-05,1,2,3,4,5,6,7\n");
  CHECK(find_column(t, "adj_close") == 0);
  CHECK(find_column(t, "ADJCLOSE") == 0);
  CHECK(find_column(t, "rut") == 1);
  CHECK(find_column(t, "^RUT") == 1);
  CHECK(find_column(t, "close_price_usd") == 2);
  CHECK(find_column(t, "btcd") == 3);
  CHECK(find_column(t, "market cap") == 4);
  CHECK(find_column(t, "close") == 5);  // "Close" and "close" collide: the first wins
  CHECK(has_note(t, "column name 'Close' appears 2 times; find_column picks the first"));
  CHECK(find_column(t, "volume") == -1);
  CHECK(find_column(t, "date") == -1);  // the date column is not a value column
}

TEST_CASE("rows_read = rows_used + rejected + identical duplicates dropped", "[loader]") {
  const csv_table t = load(
      "date,value\n"
      "2021-01-07,7\n"        // line 2
      "2021-01-05,5\n"        // 3
      "2021-01-05,5\n"        // 4: identical duplicate, dropped
      "2021-01-06,x\n"        // 5: bad number
      "2021-01-08\n"          // 6: ragged
      "2021-01-07,7.5\n"      // 7: duplicate with another value
      "2021-02-31,1\n"        // 8: bad date
      "2021-01-09,.\n");      // 9
  CHECK(t.rows_read == 8);
  CHECK(t.rows_used == 3);
  CHECK(t.rejected.size() == 4);
  CHECK(t.rows_read == t.rows_used + t.rejected.size() + 1);
  CHECK(t.times == std::vector<time_point>{at(2021, 1, 5), at(2021, 1, 7), at(2021, 1, 9)});
  std::vector<std::size_t> lines;
  for (const auto& row : t.rejected) lines.push_back(row.line);
  CHECK(lines == std::vector<std::size_t>{5, 6, 7, 8});  // reported in file order
  CHECK(t.missing_cells == 1);
}

TEST_CASE("format_load_report: notes, rejected rows, then a summary", "[loader]") {
  csv_result result = parse_csv("date,value\n2021-01-06,1\n2021-13-01,2\n2021-01-05,\n",
                                "data/x.csv");
  REQUIRE(result.table);
  CHECK(format_load_report(*result.table) ==
        "data/x.csv: note: rows were in descending date order; sorted\n"
        "data/x.csv:3: rejected: bad date '2021-13-01'\n"
        "data/x.csv: 3 rows read, 2 used, 1 rejected, 1 empty cells\n");

  csv_table big;
  big.path = "big.csv";
  big.rows_read = 1854;
  big.rows_used = 1849;
  big.rejected = {{12, "bad date '2021-13-01'"}, {13, "expected 2 cells, found 3"},
                  {14, "x"}, {15, "y"}};
  big.missing_cells = 12;
  CHECK(format_load_report(big) ==
        "big.csv:12: rejected: bad date '2021-13-01'\n"
        "big.csv:13: rejected: expected 2 cells, found 3\n"
        "big.csv:14: rejected: x\n"
        "big.csv:15: rejected: y\n"
        "big.csv: 1,854 rows read, 1,849 used, 4 rejected, 12 empty cells, "
        "duplicates dropped: 1\n");
}

// ---------------------------------------------------------------------------------------
// The fast path for plain rows (an ISO date, unquoted cells) against the general path

namespace {

std::string iso_text(int y, int m, int d) { return fmt::format("{:04}-{:02}-{:02}", y, m, d); }

// Every field of two tables, values bit for bit (NaN equal to NaN).
void require_same_table(const csv_table& a, const csv_table& b) {
  CHECK(a.date_column == b.date_column);
  CHECK(a.columns == b.columns);
  CHECK(a.default_column == b.default_column);
  CHECK(a.times == b.times);
  CHECK(a.lines == b.lines);
  CHECK(a.source_columns == b.source_columns);
  CHECK(a.rows_read == b.rows_read);
  CHECK(a.rows_used == b.rows_used);
  CHECK(a.missing_cells == b.missing_cells);
  CHECK(a.notes == b.notes);
  REQUIRE(a.rejected.size() == b.rejected.size());
  for (std::size_t i = 0; i < a.rejected.size(); ++i) {
    CHECK(a.rejected[i].line == b.rejected[i].line);
    CHECK(a.rejected[i].reason == b.rejected[i].reason);
  }
  REQUIRE(a.cells.size() == b.cells.size());
  for (std::size_t c = 0; c < a.cells.size(); ++c) {
    REQUIRE(a.cells[c].size() == b.cells[c].size());
    CHECK(std::memcmp(a.cells[c].data(), b.cells[c].data(), a.cells[c].size() * sizeof(double)) ==
          0);
  }
}

}  // namespace

TEST_CASE("iso_day_reader agrees with parse_date_cell on every YYYY-MM-DD", "[loader]") {
  // Every year, month 00..13 and day 00..32 in file order: the month cache is hit along
  // each month and refilled at each new one, leap days and invalid dates included.
  iso_day_reader reader;
  std::size_t valid = 0;
  std::size_t disagreements = 0;
  for (int y = 0; y <= 9999; ++y)
    for (int m = 0; m <= 13; ++m)
      for (int d = 0; d <= 32; ++d) {
        const std::string text = iso_text(y, m, d);
        const auto fast = reader.read(text);
        const auto general = parse_date_cell(text, slash_order::month_first).time;
        if (fast != general && ++disagreements <= 5) FAIL_CHECK(text);
        valid += general.has_value();
      }
  CHECK(disagreements == 0);
  CHECK(valid == 3652059);  // the days of 0001-01-01 .. 9999-12-31

  // The boundaries by name.
  CHECK(reader.read("1900-02-29") == std::nullopt);  // 1900 is no leap year
  CHECK(reader.read("2000-02-29") == at(2000, 2, 29));
  CHECK(reader.read("2024-02-29") == at(2024, 2, 29));
  CHECK(reader.read("2023-02-29") == std::nullopt);
  CHECK(reader.read("2024-12-31") == at(2024, 12, 31));
  CHECK(reader.read("2025-01-01") == at(2025, 1, 1));
  CHECK(reader.read("0000-01-01") == std::nullopt);
  CHECK(reader.read("0001-01-01") == at(1, 1, 1));
  CHECK(reader.read("9999-12-31") == at(9999, 12, 31));
  CHECK(reader.read("1969-12-31") == at(1969, 12, 31));
  CHECK(reader.read("1970-01-01") == 0);
}

TEST_CASE("iso_day_reader declines what is not exactly YYYY-MM-DD", "[loader]") {
  iso_day_reader reader;
  REQUIRE(reader.read("2024-01-05") == at(2024, 1, 5));  // the cache now holds 2024-01
  for (const char* text : {"2024-1-5", "2024-1-05", "2024/01/05", "2024-01-5", "20240105",
                           "2024-01-05T10:00Z", "2024-01-05 10:00", "2024-01-05 ",
                           " 2024-01-05", "2024-01-0a", "2024-01-+5", "2024-01- 5",
                           "2024-01-05Z", "2024_01-05", "2024-01_05", "", "2024-01"}) {
    INFO(text);
    CHECK_FALSE(reader.read(std::string_view(text)).has_value());
  }
  // A cached month does not excuse a bad day or bad bytes elsewhere.
  CHECK_FALSE(reader.read("2024-01-32").has_value());
  CHECK_FALSE(reader.read("2024-01-00").has_value());
  CHECK(reader.read("2024-01-31") == at(2024, 1, 31));
  CHECK_FALSE(reader.read("2024-02-30").has_value());  // a new month, then a bad day
  CHECK(reader.read("2024-02-29") == at(2024, 2, 29));
}

TEST_CASE("iso_day_reader and parse_date_cell agree on mangled dates", "[loader]") {
  // Random valid dates, some with one byte replaced, in random order (the cache is
  // missed, refilled and hit at random). Where the reader gives a time it must be the
  // general parser's; where the text is still YYYY-MM-DD both must agree exactly.
  std::mt19937 random(20240105);
  const std::string bytes = "0123456789-/ T:Z+.a";
  iso_day_reader reader;
  std::size_t disagreements = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string text = iso_text(static_cast<int>(random() % 10000),
                                static_cast<int>(random() % 14), static_cast<int>(random() % 33));
    if (random() % 2 == 0) text[random() % 10] = bytes[random() % bytes.size()];
    const auto fast = reader.read(text);
    const auto general = parse_date_cell(text, slash_order::month_first).time;
    bool iso_shape = text[4] == '-' && text[7] == '-';
    for (const std::size_t k : {0, 1, 2, 3, 5, 6, 8, 9})
      iso_shape = iso_shape && text[k] >= '0' && text[k] <= '9';
    const bool ok = iso_shape ? fast == general : (!fast || fast == general);
    if (!ok && ++disagreements <= 5) FAIL_CHECK(text);
  }
  CHECK(disagreements == 0);
}

TEST_CASE("plain rows read by the fast path equal the general path's reading", "[loader]") {
  // The same file twice: as generated, and with a blank in front of every data line,
  // which the general path trims away but which keeps every row off the fast path.
  // Tables, rejections, messages and line numbers must be the same.
  const char* const dates[] = {
      "2024-01-05", "2024-01-06", "2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29",
      "2024-12-31", "2025-01-01", "2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32",
      "0000-01-01", "9999-12-31", "2024-1-5",   "2024/01/05", "2024-01-05T10:00Z",
      "2024-01-05 10:00", "2024-01-05 ", "\"2024-01-07\"", "20240108", "1704067200", "",
      "01/09/2024", "2024-01-0x"};
  const char* const values[] = {"1.5",   "",     " 2",   "3 ",     "\"4\"", "\"1,000\"", "x",
                                "1e999", "NaN", "-nan", ".",      "null",  "+7",        "-0",
                                "0x10",  "1,5", "\"",   "8\"",    "\t9",   "1e-320",    "12.5\r"};
  std::mt19937 random(7);
  for (int round = 0; round < 40; ++round) {
    const std::size_t columns = 1 + random() % 3;
    std::string plain = "date";
    for (std::size_t c = 0; c < columns; ++c) plain += ",v" + std::to_string(c);
    plain += '\n';
    std::string shifted = plain;
    const int rows = 1 + static_cast<int>(random() % 60);
    for (int r = 0; r < rows; ++r) {
      std::string line;
      // Mostly good consecutive dates, so the fast path and its cache get most rows.
      if (random() % 3 != 0)
        line = iso_text(2020 + r / 40, 1 + r / 4 % 12, 1 + r % 28);
      else
        line = dates[random() % std::size(dates)];
      std::size_t cells = columns;
      if (random() % 15 == 0) cells = random() % 2 == 0 ? cells + 1 : cells - 1;  // ragged
      for (std::size_t c = 0; c < cells; ++c) {
        line += ',';
        line += random() % 2 == 0 ? "2612.48" : values[random() % std::size(values)];
      }
      if (random() % 10 == 0) line += '\r';
      const bool blank = random() % 25 == 0;
      const bool last = r + 1 == rows;
      const char* const end = last && random() % 2 == 0 ? "" : "\n";
      plain += (blank ? "" : line) + end;
      shifted += (blank ? "" : " " + line) + end;
    }
    INFO(plain);
    csv_result a = parse_csv(plain, "test.csv");
    csv_result b = parse_csv(shifted, "test.csv");
    REQUIRE(a.table.has_value() == b.table.has_value());
    if (!a.table) {
      CHECK(a.failure.message == b.failure.message);
      CHECK(a.failure.line == b.failure.line);
      continue;
    }
    require_same_table(*a.table, *b.table);
  }
}

TEST_CASE("fast-path rows at month, year and leap-day boundaries", "[loader]") {
  const csv_table t = load(
      "date,value\n"
      "1899-12-31,1\n"   // 2
      "1900-01-01,2\n"   // 3
      "1900-02-28,3\n"   // 4
      "1900-02-29,4\n"   // 5: 1900 is no leap year
      "1900-03-01,5\n"   // 6
      "2000-02-29,6\n"   // 7: 2000 is
      "2000-03-01,7\n"   // 8
      "2023-12-31,8\n"   // 9
      "2024-01-01,9\n"   // 10
      "2024-1-5,10\n"    // 11: not zero-padded, read by the general path
      "2024/01/06,11\n"  // 12: another date format than the file's: rejected
      "2024-01-07T12:00:00+02:00,12\n"  // 13: a time and zone
      "2024-01-08 ,13\n"                // 14: a blank after the date
      "2024-01-31,14\n"  // 15
      "2024-02-30,15\n"  // 16
      "2024-02-29,16\n");
  CHECK(t.times == std::vector<time_point>{
                       at(1899, 12, 31), at(1900, 1, 1), at(1900, 2, 28), at(1900, 3, 1),
                       at(2000, 2, 29), at(2000, 3, 1), at(2023, 12, 31), at(2024, 1, 1),
                       at(2024, 1, 5), at(2024, 1, 7, 10), at(2024, 1, 8),
                       at(2024, 1, 31), at(2024, 2, 29)});
  CHECK(t.cells[0] == std::vector<double>{1, 2, 3, 5, 6, 7, 8, 9, 10, 12, 13, 14, 16});
  CHECK(t.lines == std::vector<std::uint32_t>{2, 3, 4, 6, 7, 8, 9, 10, 11, 13, 14, 15, 17});
  REQUIRE(t.rejected.size() == 3);
  CHECK(t.rejected[0].line == 5);
  CHECK(t.rejected[0].reason == "bad date '1900-02-29'");
  CHECK(t.rejected[1].line == 12);
  CHECK(t.rejected[1].reason ==
        "date '2024/01/06' is written YYYY/MM/DD, but this file's dates are YYYY-MM-DD (from line 2): not reinterpreted");
  CHECK(t.rejected[2].line == 16);
  CHECK(t.rejected[2].reason == "bad date '2024-02-30'");
  CHECK(t.notes.empty());
}

TEST_CASE("missing cells counted while reading; unsorted files recount", "[loader]") {
  const csv_table sorted = load("date,a,b\n2024-01-01,,1\n2024-01-02,2,.\n2024-01-03,3,4\n");
  CHECK(sorted.missing_cells == 2);
  // Descending, with a duplicate holding a missing cell: counted over the kept rows.
  const csv_table unsorted =
      load("date,a,b\n2024-01-03,,1\n2024-01-02,2,.\n2024-01-02,2,.\n2024-01-01,3,4\n");
  CHECK(unsorted.rows_used == 3);
  CHECK(unsorted.missing_cells == 2);
}

TEST_CASE("defined_cells: a column's values with their times, missing cells left out",
          "[loader]") {
  const csv_table t = load("date,a,b\n2024-01-01,,1\n2024-01-02,2,.\n2024-01-03,3,4\n");
  std::vector<time_point> times{42};
  std::vector<double> values{42.0, 43.0};
  defined_cells(t, 0, times, values);
  CHECK(times == std::vector<time_point>{at(2024, 1, 2), at(2024, 1, 3)});
  CHECK(values == std::vector<double>{2, 3});
  defined_cells(t, 1, times, values);
  CHECK(times == std::vector<time_point>{at(2024, 1, 1), at(2024, 1, 3)});
  CHECK(values == std::vector<double>{1, 4});
}

TEST_CASE("values equal std::from_chars bit for bit", "[loader]") {
  // Plain decimals (the loader's shortcut) and texts around its limits (15 digits,
  // signs, leading zeros, exponents, lone dots), each compared with from_chars.
  std::mt19937 random(42);
  std::vector<std::string> texts = {"0",      "-0",     "0.0",   "-0.000", "007.50",
                                    "1.",     ".5",     "-.5",   "5e3",    "2612.48",
                                    "0.1",    "0.3",    "1e-5",  "123456789012345",
                                    "1234567890123456", "9007199254740993", "0.000000000000001",
                                    "0.0000000000000001", "99999999999999.9", "999999999999999.9",
                                    "-1.7976931348623157e308", "4.9e-324"};
  for (int i = 0; i < 20000; ++i) {
    std::string text = random() % 4 == 0 ? "-" : "";
    const std::size_t integer = random() % 12;
    const std::size_t fraction = random() % 3 == 0 ? 0 : 1 + random() % 9;
    for (std::size_t k = 0; k < integer; ++k) text += static_cast<char>('0' + random() % 10);
    if (integer == 0) text += '0';
    if (fraction > 0) text += '.';
    for (std::size_t k = 0; k < fraction; ++k) text += static_cast<char>('0' + random() % 10);
    texts.push_back(text);
  }
  std::string file = "date,value\n";
  for (std::size_t i = 0; i < texts.size(); ++i)
    file += iso_text(1900 + static_cast<int>(i / 336), 1 + static_cast<int>(i / 28 % 12),
                     1 + static_cast<int>(i % 28)) +
            "," + texts[i] + "\n";
  const csv_table t = load(file);
  REQUIRE(t.rows_used == texts.size());
  std::size_t disagreements = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    double expected = 0;
    const std::string& text = texts[i];
    const auto result = std::from_chars(text.data(), text.data() + text.size(), expected);
    REQUIRE(result.ec == std::errc());
    if (std::memcmp(&expected, &t.cells[0][i], sizeof expected) != 0 && ++disagreements <= 5)
      FAIL_CHECK(text);
  }
  CHECK(disagreements == 0);
}
