// The CSV loader's header and column detection: which column holds the dates, which hold
// values, the default column, duplicate names, the slash-date order, and the memory the
// rows will need. The row pass: csv_rows.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <unordered_map>

#include "interpreter/data/csv_loader_internal.hpp"

namespace sluice::csv_detail {

namespace {

bool is_date_column_name(std::string_view name) {
  static constexpr std::string_view names[] = {
      "date",  "time", "timestamp", "datetime", "snappedat", "eventdate", "observationdate",
      "start", "day",  "period",    "dt"};
  const std::string normal = normalize_name(name);
  return std::find(std::begin(names), std::end(names), normal) != std::end(names);
}

// The column a bare series name means when the file has several: the first of these
// names present (normalized), else none (-1: the user must pick).
int choose_default_column(const std::vector<std::string>& columns) {
  if (columns.size() == 1) return 0;
  static constexpr std::string_view preferred[] = {"close", "price", "closepriceusd", "value",
                                                   "adjclose"};
  for (std::string_view want : preferred)
    for (std::size_t c = 0; c < columns.size(); ++c)
      if (normalize_name(columns[c]) == want) return static_cast<int>(c);
  return -1;
}

}  // namespace

// Compares names the way users type them: case, spaces, `_`, `-`, `^` and `.` ignored.
std::string normalize_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c == ' ' || c == '_' || c == '-' || c == '^' || c == '.') continue;
    out += lower(c);
  }
  return out;
}

// `ahead` is a copy of the reader: the header's checks look at rows the main pass
// reads again.
std::optional<csv_result> loader::read_header(const csv_row& header, row_reader ahead) {
  if (header.status != split_status::ok)
    return fail(fmt::format("the header's column {} has an unbalanced quote", header.bad_cell + 1),
                header.number);
  const auto& cells = header.cells;
  if (parse_date_cell(cells[0].text, slash_order::month_first).time)
    return fail(fmt::format("no header: line {} starts with the date {}; the first line "
                            "must name the columns (e.g. date,value)",
                            header.number, quote_cell(cells[0].text)),
                header.number);
  if (cells.size() == 1) return single_column_failure(header);
  std::vector<std::string> names;
  for (const raw_cell& cell : cells) names.push_back(unescape(cell));
  table_.date_column = names[0];
  expected_cells_ = names.size();
  csv_row first_row;
  const bool has_rows = ahead.next_nonblank(first_row);
  if (has_rows) {
    if (auto failure = check_date_column(first_row)) return failure;
  }
  plan_columns(names, has_rows ? &first_row : nullptr);
  if (has_rows) {
    reserve_rows(first_row, ahead.bytes_left());
    decide_slash_order(first_row, ahead);
  }
  return std::nullopt;
}

csv_result loader::single_column_failure(const csv_row& header) {
  for (const char sep : {';', '\t', '|'})
    if (header.text.find(sep) != std::string_view::npos)
      return fail(fmt::format("columns are separated by '{}', not ','; only comma-separated "
                              "files are supported",
                              sep == '\t' ? "\\t" : std::string(1, sep)),
                  header.number);
  return fail(fmt::format("no value columns: the header has the single column {}",
                          quote_cell(header.cells[0].text)),
              header.number);
}

// The first column holds the dates: it is named like a date column, or its first value
// parses as a date.
std::optional<csv_result> loader::check_date_column(const csv_row& first_row) const {
  if (is_date_column_name(table_.date_column)) return std::nullopt;
  const bool split = first_row.status == split_status::ok;
  if (split && parse_date_cell(first_row.cells[0].text, slash_order::month_first).time)
    return std::nullopt;
  return fail(fmt::format("no date column: the first column is {} and its first value {} "
                          "is not a date",
                          quote_cell(table_.date_column),
                          quote_cell(split ? first_row.cells[0].text : first_row.text)),
              first_row.number);
}

// Keeps every value column; skips extra date columns (CoinCodex `Start,End,...`), seen
// as a first-row cell that is a date but not a number.
void loader::plan_columns(const std::vector<std::string>& names, const csv_row* first_row) {
  const bool have_row =
      first_row && first_row->status == split_status::ok && first_row->cells.size() == names.size();
  plan_.value_index.assign(names.size(), -1);
  for (std::size_t c = 1; c < names.size(); ++c) {
    double ignored = 0;
    if (have_row && parse_value(first_row->cells[c], ignored) == value_status::bad &&
        parse_date_cell(first_row->cells[c].text, slash_order::month_first).time) {
      table_.notes.push_back(
          fmt::format("column {} holds dates, not values; ignored", quote_cell(names[c])));
      continue;
    }
    plan_.value_index[c] = static_cast<int>(table_.columns.size());
    table_.columns.push_back(names[c]);
  }
  note_duplicate_names();
  table_.default_column = choose_default_column(table_.columns);
  table_.cells.resize(table_.columns.size());
  row_values_.resize(table_.columns.size());
}

// One hash lookup per column, so that a header of a million columns (hostile or
// generated) loads in linear time; names that appear more than once are noted in the
// order of their first appearance.
void loader::note_duplicate_names() {
  const auto& columns = table_.columns;
  std::unordered_map<std::string, std::size_t> seen;  // normalized name -> index in firsts
  seen.reserve(columns.size());
  std::vector<std::pair<std::size_t, std::size_t>> firsts;  // first column, count
  for (std::size_t c = 0; c < columns.size(); ++c) {
    const auto [it, added] = seen.try_emplace(normalize_name(columns[c]), firsts.size());
    if (added)
      firsts.emplace_back(c, 1);
    else
      ++firsts[it->second].second;
  }
  for (const auto& [c, count] : firsts)
    if (count > 1)
      table_.notes.push_back(
          fmt::format("column name {} appears {} times; find_column picks "
                      "the first",
                      quote_cell(columns[c]), count));
}

// Sizes the columns up front from the first row's length: regrowing them while reading
// copied more bytes than the parse touched. Capped so that a short first row (a wide
// file whose first cells are empty) cannot reserve far more memory than the file
// needs; past the estimate the vectors just grow.
void loader::reserve_rows(const csv_row& first_row, std::size_t bytes_after_first) {
  const std::size_t bytes = bytes_after_first + first_row.text.size() + 1;
  const std::size_t row_bytes = (table_.columns.size() + 1) * sizeof(double);
  const std::size_t expected = bytes / (first_row.text.size() + 1);
  const std::size_t rows = std::min(expected * 5 / 4 + 1, 2 * bytes / row_bytes + 1);
  table_.times.reserve(rows);
  lines_.reserve(rows);
  for (auto& column : table_.cells) column.reserve(rows);
  // Memory for the rows the file most likely has, not for the margin.
  const std::size_t likely = std::min(expected, rows);
  prefault(table_.times.data(), likely * sizeof(time_point));
  prefault(lines_.data(), likely * sizeof(std::uint32_t));
  for (auto& column : table_.cells) prefault(column.data(), likely * sizeof(double));
}

// `a/b/YYYY` dates are MM/DD/YYYY unless some first part is above 12 and no second part
// is, which only a DD/MM/YYYY file produces. Needs a look at every row, so it only runs
// when the first row has that shape.
void loader::decide_slash_order(const csv_row& first_row, row_reader ahead) {
  auto parts_of = [](const csv_row& row) -> std::optional<slash_parts> {
    if (row.status != split_status::ok) return std::nullopt;
    return split_year_last_slash_date(row.cells[0].text);
  };
  if (!parts_of(first_row)) return;
  bool first_above_12 = false;
  bool second_above_12 = false;
  std::size_t witness = 0;
  csv_row row = first_row;
  do {
    if (const auto parts = parts_of(row)) {
      if (parts->first > 12 && !first_above_12) witness = row.number;
      first_above_12 = first_above_12 || parts->first > 12;
      second_above_12 = second_above_12 || parts->second > 12;
    }
  } while (ahead.next(row));
  if (first_above_12 && !second_above_12) {
    order_ = slash_order::day_first;
    table_.notes.push_back(
        fmt::format("dates read as DD/MM/YYYY (line {} has a first part above 12)", witness));
  } else {
    table_.notes.push_back("dates read as MM/DD/YYYY");
  }
}
}  // namespace sluice::csv_detail
