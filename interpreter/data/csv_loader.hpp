// Reading series from the CSV files people download (FRED, Yahoo, CoinGecko, yfinance,
// TradingView, Alpha Vantage, generic date,value). The loader turns bytes into a table of
// observations; which column becomes which series is decided by the caller.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/time.hpp"

namespace sluice {

// A data row the loader could not use, with the 1-based line it came from. Every such
// row is reported to the user; nothing is dropped silently.
struct csv_rejected_row {
  std::size_t line = 0;
  std::string reason;  // "bad date '2021-13-01'", "bad number 'abc' in column Close", ...
};

struct csv_table {
  std::string path;
  std::string date_column;           // header of the date column, as written
  std::vector<std::string> columns;  // value columns' headers, as written (BOM/quotes removed)
  // Observation times, strictly ascending (the loader sorts descending or unsorted files
  // and says so in `notes`).
  std::vector<time_point> times;
  // cells[c][r]: value of column c at times[r]; NaN where the cell is empty, `.`, `null`,
  // `NaN` or `""` (no observation in that column on that date).
  std::vector<std::vector<double>> cells;
  // Index of the column a bare series name refers to (Close for Yahoo-style files, the
  // single value column of FRED files, `price` for CoinGecko, ...); -1 when ambiguous.
  int default_column = -1;

  std::size_t rows_read = 0;  // data rows in the file (header excluded)
  std::size_t rows_used = 0;  // rows that became observations
  std::size_t missing_cells = 0;  // empty / `.` / null / NaN cells (no observation)
  std::vector<std::string> notes;             // e.g. "rows were in descending date order; sorted"
  std::vector<csv_rejected_row> rejected;     // every data row not used, with its reason

  // Where the values came from, so that exact mode can read a column's decimal text again
  // (column_text): the 1-based file line of each row of `times`, and the 0-based file
  // column of each value column.
  std::vector<std::uint32_t> lines;
  std::vector<std::size_t> source_columns;
};

// A failure of the whole file (unreadable, binary, no header, no date column, ...).
struct csv_failure {
  std::string message;
  std::size_t line = 0;  // 0 when not tied to a line
};

struct csv_result {
  std::optional<csv_table> table;  // set on success
  csv_failure failure;             // meaningful when !table
};

// Parses CSV bytes; `path` is only used in messages.
csv_result parse_csv(std::string_view bytes, const std::string& path);
// Reads and parses a file.
csv_result load_csv_file(const std::string& path);

// Exact mode: the decimal text of value column `column` on every row of `table` (same
// order as table.times), read again from the bytes the table was parsed from: as written,
// minus quotes, a leading `+` and thousands separators; "" where the cell is missing.
// nullopt when the bytes no longer give the table's values (the file changed).
std::optional<std::vector<std::string>> column_text(std::string_view bytes,
                                                    const csv_table& table, int column);
// The same for table.path's file, read again.
std::optional<std::vector<std::string>> load_column_text(const std::string& path,
                                                         const csv_table& table, int column);

// The cells of value column `column` that hold a value (not NaN), with their times,
// replacing the contents of `times` and `values`: what a series is made of. The vectors
// are sized once and their memory requested up front, not faulted in page by page.
void defined_cells(const csv_table& table, int column, std::vector<time_point>& times,
                   std::vector<double>& values);

// Finds a value column by name, ignoring case, spaces, `_`, `-`, `^` and `.`
// (`adj_close` finds "Adj Close", `rut` finds "^RUT"). Returns -1 when absent.
int find_column(const csv_table& table, std::string_view wanted);

// One line per rejected row and note, for the user ("file.csv:12: bad date ...").
std::string format_load_report(const csv_table& table);

}  // namespace sluice
