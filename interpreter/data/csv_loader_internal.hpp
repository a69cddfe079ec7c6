// One load of a CSV file (the loader class), shared by the loader's files: csv_loader.cpp
// (the load, whole-file checks, exact mode's column text), csv_header.cpp (header and
// column detection) and csv_rows.cpp (the row pass, sorting, duplicates). Internal to the
// loader; the interface is csv_loader.hpp.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/data/csv_cells.hpp"
#include "interpreter/data/csv_dates.hpp"
#include "interpreter/data/csv_loader.hpp"
#include "interpreter/data/csv_text.hpp"

namespace sluice::csv_detail {

// A failure of the whole file.
csv_result fail(std::string message, std::size_t line = 0);
// Cell text for a message, quoted and cut short (csv_loader.cpp).
std::string quote_cell(std::string_view text);
// Asks the kernel for the memory of [data, data + bytes) up front (csv_loader.cpp).
void prefault(void* data, std::size_t bytes);
// Names as users type them: case, spaces, `_`, `-`, `^` and `.` ignored (csv_header.cpp).
std::string normalize_name(std::string_view name);

// Columns after the date column: values, or dates (CoinCodex's `End`) that are skipped.
struct column_plan {
  std::vector<int> value_index;  // per file column: index into table.columns, -1 = skipped
};

// One file's load: bytes in, a csv_table (or the file's failure) out. Single use.
class loader {
 public:
  loader(std::string_view bytes, const std::string& path) : bytes_(bytes) { table_.path = path; }
  csv_result run();

 private:
  // Header and column detection (csv_header.cpp).
  std::optional<csv_result> read_header(const csv_row& header, row_reader ahead);
  static csv_result single_column_failure(const csv_row& header);
  std::optional<csv_result> check_date_column(const csv_row& first_row) const;
  void plan_columns(const std::vector<std::string>& names, const csv_row* first_row);
  void note_duplicate_names();
  void reserve_rows(const csv_row& first_row, std::size_t bytes_after_first);
  void decide_slash_order(const csv_row& first_row, row_reader ahead);

  // The row pass (csv_rows.cpp).
  void read_rows(row_reader& reader);
  std::string nul_reason(const csv_row& row, std::size_t at) const;
  const char* read_simple_row(const char* p, const char* end, std::size_t line);
  void fix_date_format(const char* format, std::size_t line);
  void commit(time_point time, std::size_t line, std::size_t missing);
  std::string column_name(std::size_t file_column) const;
  std::optional<std::string> read_row(const csv_row& row);
  std::string column_label(std::size_t file_column) const;

  // After the rows: order, duplicates, notes (csv_rows.cpp).
  void finish();
  void sort_rows();
  bool same_values(std::size_t a, std::size_t b) const;
  void drop_duplicates();
  void note_empty_columns();

  std::string_view bytes_;
  csv_table table_;
  column_plan plan_;
  slash_order order_ = slash_order::month_first;
  const char* date_format_ =
      nullptr;  // the file's date format (date_format_of), from its first dated row
  std::size_t date_format_line_ = 0;
  std::size_t expected_cells_ = 0;
  iso_day_reader iso_;              // the fast path's dates
  bool ascending_ = true;           // every committed row later than the one before
  std::size_t missing_ = 0;         // missing cells of the committed rows
  csv_row row_;                     // the current row, reused so its cells keep capacity
  std::vector<double> row_values_;  // the current row's values, committed when all parse
  // File line of each kept row, for duplicate messages; 32 bits halve its memory, and
  // no file that fits in memory has 4 billion lines.
  std::vector<std::uint32_t> lines_;
  csv_text text_;  // owns the bytes when they were rewritten (UTF-16, lone CR)
};

}  // namespace sluice::csv_detail
