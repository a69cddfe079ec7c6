// The CSV loader's row pass: each data row read into the table (a fast path for the
// common row, the general path that words every rejection), then the table put in date
// order with repeated dates resolved. Header detection: csv_header.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "interpreter/data/csv_loader_internal.hpp"

namespace sluice::csv_detail {

namespace {

// Identical duplicate rows are listed one note each up to this many, then summarized.
constexpr std::size_t max_duplicate_notes = 10;

template <typename T>
void permute(std::vector<T>& values, const std::vector<std::size_t>& order) {
  std::vector<T> sorted(values.size());
  for (std::size_t i = 0; i < order.size(); ++i) sorted[i] = values[order[i]];
  values = std::move(sorted);
}

}  // namespace

// The row pass's per-row functions below are `inline`, and the fast path always inlined
// into read_rows: they are called only in this file, and inlined they cost what they did
// when the loader was one class body (a call per row was 2.7% more instructions in a load).
void loader::read_rows(row_reader& reader) {
  while (true) {
    if (const char* next_line =
            read_simple_row(reader.position(), reader.end(), reader.next_number())) {
      reader.skip_row(next_line);
      ++table_.rows_read;
      continue;
    }
    if (!reader.next(row_)) break;
    if (row_.blank()) continue;
    ++table_.rows_read;
    if (auto reason = read_row(row_)) {
      // No row holding a NUL is used (no date or number parse takes one); say where it
      // is rather than quote a cell with an invisible byte in it.
      if (const std::size_t nul = row_.text.find('\0'); nul != std::string_view::npos)
        reason = nul_reason(row_, nul);
      table_.rejected.push_back({row_.number, std::move(*reason)});
    }
  }
}

std::string loader::nul_reason(const csv_row& row, std::size_t at) const {
  const char* const nul = row.text.data() + at;
  std::size_t file_column = 0;
  for (std::size_t c = 0; c < row.cells.size(); ++c)
    if (row.cells[c].text.data() <= nul) file_column = c;
  return fmt::format("a NUL byte at column {} (in column {}): not text", at + 1,
                     column_label(file_column));
}

// The common row, read in place without splitting it into cells first: an ISO date
// right before the first comma, then plain cells (no quotes, nothing blank in front)
// whose values parse. Returns where the next line starts, or nullptr, touching nothing,
// when the row needs the general path (which also words any rejection). A row read
// here is one the general path would read to the same cells and values.
[[gnu::always_inline]] inline const char* loader::read_simple_row(const char* p, const char* end,
                                                                  std::size_t line) {
  if (end - p < 11 || p[10] != ',') return nullptr;
  const std::optional<time_point> day = iso_.read_at(p);
  if (!day) return nullptr;
  if (date_format_ && std::strcmp(date_format_, "YYYY-MM-DD") != 0)
    return nullptr;  // rejected by read_row
  p += 11;
  std::size_t missing = 0;
  for (std::size_t c = 1; c < expected_cells_; ++c) {
    const char* const start = p;
    if (p != end && (is_blank(*p) || *p == '"')) return nullptr;
    while (p != end && *p != ',' && *p != '\n') ++p;
    // The last cell ends the line; the others end at a comma.
    const bool at_comma = p != end && *p == ',';
    if (at_comma != (c + 1 < expected_cells_)) return nullptr;
    const char* stop = p;
    while (stop != start && is_blank(stop[-1])) --stop;
    const int index = plan_.value_index[c];
    if (index >= 0) {
      const raw_cell cell{{start, static_cast<std::size_t>(stop - start)}};
      switch (parse_value(cell, row_values_[index])) {
        case value_status::number:
          break;
        case value_status::missing:
          ++missing;
          break;
        case value_status::bad:
        case value_status::out_of_range:
          return nullptr;
      }
    }
    if (p != end) ++p;  // the comma or the line break
  }
  fix_date_format("YYYY-MM-DD", line);
  commit(*day, line, missing);
  return p;
}

// The first row the table takes fixes the file's date format.
inline void loader::fix_date_format(const char* format, std::size_t line) {
  if (date_format_) return;
  date_format_ = format;
  date_format_line_ = line;
}

// Adds the row in row_values_ to the table.
inline void loader::commit(time_point time, std::size_t line, std::size_t missing) {
  if (!table_.times.empty() && time <= table_.times.back()) ascending_ = false;
  table_.times.push_back(time);
  lines_.push_back(static_cast<std::uint32_t>(line));
  for (std::size_t v = 0; v < row_values_.size(); ++v) table_.cells[v].push_back(row_values_[v]);
  missing_ += missing;
}

std::string loader::column_name(std::size_t file_column) const {
  const int index = plan_.value_index[file_column];
  const std::string& name = index >= 0 ? table_.columns[index] : table_.date_column;
  return name.empty() ? fmt::format("#{}", file_column + 1) : name;
}

// Reads one data row into the table, or says why not.
inline std::optional<std::string> loader::read_row(const csv_row& row) {
  switch (row.status) {
    case split_status::ok:
      break;
    case split_status::unterminated_quote:
      return fmt::format("line ends inside a quoted field in column {}{}",
                         column_label(row.bad_cell), row.last ? " (the file looks cut short)" : "");
    case split_status::text_after_quote:
      return fmt::format("text after the closing quote in column {}", column_label(row.bad_cell));
  }
  const auto& cells = row.cells;
  if (cells.size() != expected_cells_)
    return fmt::format("expected {} cells, found {}{}", expected_cells_, cells.size(),
                       cells.size() > expected_cells_
                           ? " (a comma inside an unquoted number, like 1.234,5?)"
                           : "");
  const date_cell date = parse_date_cell(cells[0].text, order_);
  if (!date.time)
    return date.detail.empty()
               ? fmt::format("bad date {}", quote_cell(cells[0].text))
               : fmt::format("bad date {}: {}", quote_cell(cells[0].text), date.detail);
  // One date format per file: a row in another one is more likely a pasted row from
  // elsewhere than a date to reinterpret (07/01/2026 among ISO dates).
  const char* format = date_format_of(cells[0].text, order_);
  if (date_format_ && std::strcmp(format, date_format_) != 0) {
    return fmt::format(
        "date {} is written {}, but this file's dates are {} (from line {}): not reinterpreted",
        quote_cell(cells[0].text), format, date_format_, date_format_line_);
  }
  std::size_t missing = 0;
  for (std::size_t c = 1; c < cells.size(); ++c) {
    const int index = plan_.value_index[c];
    if (index < 0) continue;
    switch (parse_value(cells[c], row_values_[index])) {
      case value_status::number:
        break;
      case value_status::missing:
        ++missing;
        break;
      case value_status::bad:
        return fmt::format("bad number {} in column {}", quote_cell(cells[c].text), column_name(c));
      case value_status::out_of_range:
        return fmt::format("number out of range {} in column {}", quote_cell(cells[c].text),
                           column_name(c));
    }
  }
  fix_date_format(format, row.number);
  commit(*date.time, row.number, missing);
  return std::nullopt;
}

std::string loader::column_label(std::size_t file_column) const {
  return file_column < expected_cells_ ? column_name(file_column)
                                       : fmt::format("#{}", file_column + 1);
}

void loader::finish() {
  if (table_.rows_read == 0) table_.notes.push_back("no data rows");
  // Strictly ascending rows (the usual file) need neither sorting nor duplicate checks,
  // and keep every missing cell counted while reading.
  table_.missing_cells = missing_;
  if (!ascending_) {
    sort_rows();
    drop_duplicates();
    table_.missing_cells = 0;
    for (const auto& column : table_.cells)
      table_.missing_cells +=
          std::count_if(column.begin(), column.end(), [](double v) { return std::isnan(v); });
  }
  std::stable_sort(table_.rejected.begin(), table_.rejected.end(),
                   [](const auto& a, const auto& b) { return a.line < b.line; });
  table_.rows_used = table_.times.size();
  note_empty_columns();
  if (table_.rows_read > 0 && table_.rows_used == 0)
    table_.notes.push_back("no usable rows: every data row was rejected");
}

// Stable, so rows sharing a date stay in file order and the first one read wins.
void loader::sort_rows() {
  auto& times = table_.times;
  if (std::is_sorted(times.begin(), times.end())) return;
  const bool descending = std::is_sorted(times.rbegin(), times.rend());
  std::vector<std::size_t> order(times.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return times[a] < times[b]; });
  permute(times, order);
  permute(lines_, order);
  for (auto& column : table_.cells) permute(column, order);
  table_.notes.push_back(descending ? "rows were in descending date order; sorted"
                                    : "rows were not in date order; sorted");
}

bool loader::same_values(std::size_t a, std::size_t b) const {
  for (const auto& column : table_.cells) {
    const double x = column[a];
    const double y = column[b];
    if (!(x == y || (std::isnan(x) && std::isnan(y)))) return false;
  }
  return true;
}

// A repeated date keeps its first row: an identical repeat is dropped with a note, a
// different one is rejected (which value is right is the user's call).
void loader::drop_duplicates() {
  auto& times = table_.times;
  std::size_t kept = 0;
  std::size_t identical = 0;
  for (std::size_t r = 0; r < times.size(); ++r) {
    if (kept > 0 && times[r] == times[kept - 1]) {
      if (same_values(r, kept - 1)) {
        if (++identical <= max_duplicate_notes)
          table_.notes.push_back(fmt::format("line {} repeats line {} ({}, same values); dropped",
                                             lines_[r], lines_[kept - 1], format_time(times[r])));
      } else {
        table_.rejected.push_back(
            {lines_[r], fmt::format("duplicate date {} with a different value (first at line {})",
                                    format_time(times[r]), lines_[kept - 1])});
      }
      continue;
    }
    if (kept != r) {
      times[kept] = times[r];
      lines_[kept] = lines_[r];
      for (auto& column : table_.cells) column[kept] = column[r];
    }
    ++kept;
  }
  if (identical > max_duplicate_notes)
    table_.notes.push_back(
        fmt::format("{} more identical duplicate rows dropped", identical - max_duplicate_notes));
  times.resize(kept);
  lines_.resize(kept);
  for (auto& column : table_.cells) column.resize(kept);
}

void loader::note_empty_columns() {
  if (table_.times.empty()) return;
  for (std::size_t c = 0; c < table_.columns.size(); ++c) {
    const auto& column = table_.cells[c];
    if (std::all_of(column.begin(), column.end(), [](double v) { return std::isnan(v); }))
      table_.notes.push_back(
          fmt::format("column {} has no values (every cell empty)", quote_cell(table_.columns[c])));
  }
}
}  // namespace sluice::csv_detail
