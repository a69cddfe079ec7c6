// Hostile CSV shapes from issue 16, each of which used to hang or mislead. Linear-time
// cases rely on CTest's timeout (tests/CMakeLists.txt): their quadratic versions run for
// hours, so no time is asserted here.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/data/csv_loader.hpp"

using namespace sluice;

TEST_CASE("CSV: a header of a million columns loads, its one repeated name noted",
          "[hostile][csv]") {
  // Every name was compared with every earlier one (10^12 comparisons): now one hash
  // lookup per column.
  constexpr std::size_t columns = 1'000'000;
  std::string text = "date";
  for (std::size_t c = 0; c + 1 < columns; ++c) text += ",c" + std::to_string(c);
  text += ",C7";  // the same name as c7 once normalized
  text += "\n2024-01-01";
  for (std::size_t c = 0; c < columns; ++c) text += ",1";
  text += "\n";
  const csv_result r = parse_csv(text, "wide.csv");
  REQUIRE(r.table);
  CHECK(r.table->columns.size() == columns);
  CHECK(r.table->times.size() == 1);
  std::vector<std::string> repeated;
  for (const std::string& note : r.table->notes)
    if (note.find("appears") != std::string::npos) repeated.push_back(note);
  REQUIRE(repeated.size() == 1);
  CHECK(repeated[0] == "column name 'c7' appears 2 times; find_column picks the first");
}

namespace {

using namespace std::string_literals;

// The load's notes, rejected rows and counts, as `sluice run` prints them.
std::string report_of(std::string_view bytes) {
  const csv_result r = parse_csv(bytes, "h.csv");
  INFO(r.failure.message);
  REQUIRE(r.table.has_value());
  return format_load_report(*r.table);
}

// The UTF-16 code units of ASCII `text` after a byte-order mark, little or big endian.
std::string utf16(std::string_view text, bool little_endian) {
  std::string out = little_endian ? "\xFF\xFE" : "\xFE\xFF";
  for (const char c : text) {
    out += little_endian ? c : '\0';
    out += little_endian ? '\0' : c;
  }
  return out;
}

}  // namespace

TEST_CASE("CSV: old-Mac lone-CR line ends load as lines", "[hostile][csv]") {
  // Used to be one header line of every cell, then "no date column".
  const std::string text = "Date,Close\r2021-01-01,1.5\r2021-01-02,abc\r2021-01-03,3\r";
  const csv_result r = parse_csv(text, "mac.csv");
  REQUIRE(r.table);
  CHECK(r.table->columns == std::vector<std::string>{"Close"});
  CHECK(r.table->cells[0].size() == 2);
  CHECK(r.table->cells[0][1] == 3.0);
  // Line numbers are the file's: the bad row is line 3.
  CHECK(format_load_report(*r.table) ==
        "mac.csv: note: lines end with CR alone (old Mac OS); read as line ends\n"
        "mac.csv:3: rejected: bad number 'abc' in column Close\n"
        "mac.csv: 3 rows read, 2 used, 1 rejected, 0 empty cells\n");
  // Exact mode reads the decimal text again through the same rewrite.
  const auto text_column = column_text(text, *r.table, 0);
  REQUIRE(text_column);
  CHECK(*text_column == std::vector<std::string>{"1.5", "3"});
  // CRLF files are untouched (no note).
  CHECK(report_of("Date,v\r\n2021-01-01,1\r\n") ==
        "h.csv: 1 rows read, 1 used, 0 rejected, 0 empty cells\n");
}

TEST_CASE("CSV: UTF-16 with a byte-order mark is decoded", "[hostile][csv]") {
  for (const bool le : {true, false}) {
    INFO((le ? "LE" : "BE"));
    // Excel's "Unicode text" export, CRLF line ends.
    const std::string bytes = utf16("Date,Close\r\n2021-01-01,1.25\r\n2021-01-02,x\r\n", le);
    const csv_result r = parse_csv(bytes, "u.csv");
    REQUIRE(r.table);
    CHECK(r.table->columns == std::vector<std::string>{"Close"});
    REQUIRE(r.table->cells[0].size() == 1);
    CHECK(r.table->cells[0][0] == 1.25);
    CHECK(format_load_report(*r.table) ==
          fmt::format("u.csv: note: UTF-16{} text (byte-order mark); decoded to UTF-8\n"
                      "u.csv:3: rejected: bad number 'x' in column Close\n"
                      "u.csv: 2 rows read, 1 used, 1 rejected, 0 empty cells\n",
                      le ? "LE" : "BE"));
    const auto text_column = column_text(bytes, *r.table, 0);
    REQUIRE(text_column);
    CHECK(*text_column == std::vector<std::string>{"1.25"});
  }
  // A non-ASCII header: "Preis €" (U+20AC is AC 20 in UTF-16LE) comes out as UTF-8.
  const std::string euro =
      "\xFF\xFE"
      "D\0a\0t\0e\0,\0\xAC\x20\n\0"
      "2\0"
      "0\0"
      "2\0"
      "1\0-\0"
      "0\0"
      "1\0-\0"
      "0\0"
      "1\0,\0"
      "7\0\n\0"s;
  const csv_result e = parse_csv(euro, "e.csv");
  REQUIRE(e.table);
  CHECK(e.table->columns == std::vector<std::string>{"\xE2\x82\xAC"});
  // Cut mid-character, or a lone surrogate (D800): an error, not a guess.
  CHECK(parse_csv("\xFF\xFE"
                  "D\0a\0t"s,
                  "c.csv")
            .failure.message ==
        "UTF-16LE text with an odd number of bytes (7): the file looks cut short");
  const csv_result lone = parse_csv(
      "\xFF\xFE"
      "D\0\n\0\x00\xD8x\0"s,
      "s.csv");
  REQUIRE_FALSE(lone.table);
  CHECK(lone.failure.line == 2);
  CHECK(lone.failure.message.starts_with("UTF-16LE text that is not valid UTF-16LE at byte 6"));
}

TEST_CASE("CSV: a NUL byte in a value rejects its row, by line and column", "[hostile][csv]") {
  // Used to fail the whole file with a byte offset. Column 14 of line 3 is the NUL
  // (counted by hand: "2021-01-02,12" is 13 bytes).
  CHECK(report_of(
            "Date,v,w\n2021-01-01,1,2\n2021-01-02,12\0,3\n2021-01-03,4,\0\n2021-01-04,5,6\n"s) ==
        "h.csv:3: rejected: a NUL byte at column 14 (in column v): not text\n"
        "h.csv:4: rejected: a NUL byte at column 14 (in column w): not text\n"
        "h.csv: 4 rows read, 2 used, 2 rejected, 0 empty cells\n");
  // In the date, in a row with too few cells: the NUL is still what is reported.
  CHECK(report_of("Date,v\n2021-01-01,1\n2021\0-01-02\n"s) ==
        "h.csv:3: rejected: a NUL byte at column 5 (in column Date): not text\n"
        "h.csv: 2 rows read, 1 used, 1 rejected, 0 empty cells\n");
}

TEST_CASE("CSV: 200,000 bad rows print a few lines per reason and exact counts", "[hostile][csv]") {
  // Rows 2..200,001: 150,000 bad dates and 50,000 bad numbers (every 4th row), then
  // one good row. Expected counts are computed here from the generator, not read back.
  std::string text = "Date,v\n";
  std::size_t line = 1;
  std::size_t dates = 0, numbers = 0;
  std::size_t first_date_rest = 0, last_date_rest = 0, first_number_rest = 0, last_number_rest = 0;
  for (std::size_t i = 0; i < 200'000; ++i) {
    ++line;
    if (i % 4 == 3) {
      text += "2021-01-01,x" + std::to_string(i) + "\n";
      if (++numbers == 6) first_number_rest = line;
      last_number_rest = line;
    } else {
      text += "d" + std::to_string(i) + ",1\n";
      if (++dates == 6) first_date_rest = line;
      last_date_rest = line;
    }
  }
  text += "2021-01-02,7\n";
  const std::string report = report_of(text);
  std::vector<std::string> lines;
  for (std::size_t at = 0, next; (next = report.find('\n', at)) != std::string::npos; at = next + 1)
    lines.push_back(report.substr(at, next - at));
  // 5 + 5 listed, one summary per reason, the counts line.
  REQUIRE(lines.size() == 13);
  // Listed in line order: dates on lines 2, 3, 4, 6, 7; numbers on 5, 9, 13, 17, 21.
  CHECK(lines[0] == "h.csv:2: rejected: bad date 'd0'");
  CHECK(lines[3] == "h.csv:5: rejected: bad number 'x3' in column v");
  CHECK(lines[5] == "h.csv:7: rejected: bad date 'd5'");
  CHECK(lines[9] == "h.csv:21: rejected: bad number 'x19' in column v");
  CHECK(lines[10] ==
        fmt::format("h.csv: rejected: 149,995 more rows: bad date '…' (lines {} to {})",
                    first_date_rest, last_date_rest));
  CHECK(lines[11] == fmt::format("h.csv: rejected: 49,995 more rows: bad number '…' in column v "
                                 "(lines {} to {})",
                                 first_number_rest, last_number_rest));
  CHECK(lines[12] == "h.csv: 200,001 rows read, 1 used, 200,000 rejected, 0 empty cells");
  CHECK(dates == 150'000);
  CHECK(numbers == 50'000);
}
