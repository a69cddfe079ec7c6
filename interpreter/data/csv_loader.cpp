// Reading series from downloaded CSV files (see csv_loader.hpp): one buffer, scanned with
// pointers, numbers through std::from_chars. Row problems become rejected rows with their
// line; only problems of the whole file (binary, no header, no date column) fail the load.
#include "interpreter/data/csv_loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "interpreter/ascii.hpp"
#include "interpreter/data/csv_dates.hpp"
#include "interpreter/data/csv_text.hpp"

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace sluice {

namespace {

// Binary detection looks at this many leading bytes: a NUL among them, or more than 1 in
// 10 of them being control characters or broken UTF-8, means the file is not text.
constexpr std::size_t text_sample_bytes = 64 * 1024;
constexpr std::size_t max_non_text_per_ten = 1;
// Cell text quoted in messages is cut here so a runaway cell cannot flood the report.
constexpr std::size_t max_quoted_cell = 40;
// Quoted numbers with thousands separators are rebuilt in a stack buffer of this size.
constexpr std::size_t max_number_length = 64;
// Identical duplicate rows are listed one note each up to this many, then summarized.
constexpr std::size_t max_duplicate_notes = 10;

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

// ---------------------------------------------------------------------------------------
// Bytes -> rows of cells

struct raw_cell {
  std::string_view text;  // trimmed; for a quoted cell, the text between the quotes
  bool quoted = false;
  bool escaped = false;  // contains `""`, so `text` is not the unescaped value
};

enum class split_status { ok, unterminated_quote, text_after_quote };

// One line of the file, split into cells.
struct csv_row {
  std::vector<raw_cell> cells;
  std::string_view text;   // the whole line, without its line break
  std::size_t number = 0;  // 1-based line number
  bool last = false;       // nothing follows (the file may lack a final newline)
  split_status status = split_status::ok;
  std::size_t bad_cell = 0;  // the offending cell when status is not ok

  bool blank() const {
    return status == split_status::ok && cells.size() == 1 && !cells[0].quoted &&
           cells[0].text.empty();
  }
};

// '\r' counts as blank so that CRLF line ends vanish with the last cell's trimming.
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(const char* begin, const char* end) {
  while (begin != end && is_blank(*begin)) ++begin;
  while (end != begin && is_blank(end[-1])) --end;
  return {begin, static_cast<std::size_t>(end - begin)};
}

// Splits the buffer into rows and cells in one pass, so each byte is looked at once.
// Quoted fields may hold commas and `""`; they end on their line (a quote still open at
// the line break is an error, not a multi-line field).
class row_reader {
 public:
  explicit row_reader(std::string_view bytes) : p_(bytes.data()), end_(p_ + bytes.size()) {}

  std::size_t bytes_left() const { return static_cast<std::size_t>(end_ - p_); }
  const char* position() const { return p_; }
  const char* end() const { return end_; }
  // The line number next() would give the next row.
  std::size_t next_number() const { return number_ + 1; }
  // Moves past a row the caller read itself; `next_line` is where the following line
  // starts (or end()).
  void skip_row(const char* next_line) {
    p_ = next_line;
    ++number_;
  }

  bool next(csv_row& row) {
    if (p_ == end_) return false;
    row.cells.clear();
    row.status = split_status::ok;
    row.number = ++number_;
    const char* const line_start = p_;
    const char* p = split(row);
    if (row.status != split_status::ok)
      while (p != end_ && *p != '\n') ++p;
    std::string_view text{line_start, static_cast<std::size_t>(p - line_start)};
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    row.text = text;
    p_ = p == end_ ? end_ : p + 1;
    row.last = p_ == end_;
    return true;
  }

  // The next row that is not blank.
  bool next_nonblank(csv_row& row) {
    while (next(row))
      if (!row.blank()) return true;
    return false;
  }

 private:
  bool at_line_end(const char* p) const { return p == end_ || *p == '\n'; }

  // Reads cells up to the line break; returns where it stopped.
  const char* split(csv_row& row) const {
    const char* p = p_;
    while (true) {
      while (!at_line_end(p) && is_blank(*p)) ++p;
      raw_cell cell;
      if (p != end_ && *p == '"') {
        if (!quoted(p, cell)) return fail_at(row, split_status::unterminated_quote), p;
        while (!at_line_end(p) && is_blank(*p)) ++p;
        if (!at_line_end(p) && *p != ',') return fail_at(row, split_status::text_after_quote), p;
      } else {
        // A plain loop: cells are a few bytes, shorter than a memchr call is worth.
        const char* const start = p;
        while (!at_line_end(p) && *p != ',') ++p;
        cell.text = trim(start, p);
      }
      row.cells.push_back(cell);
      if (at_line_end(p)) return p;
      ++p;  // the comma
    }
  }

  // The quoted field opening at p (on its quote). Moves p past the closing quote, or to
  // the line break when there is none (false).
  bool quoted(const char*& p, raw_cell& cell) const {
    const char* const start = ++p;
    while (true) {
      while (!at_line_end(p) && *p != '"') ++p;
      if (at_line_end(p)) return false;
      if (p + 1 != end_ && p[1] == '"') {
        cell.escaped = true;
        p += 2;
        continue;
      }
      cell.text = trim(start, p);
      cell.quoted = true;
      ++p;
      return true;
    }
  }

  static void fail_at(csv_row& row, split_status status) {
    row.status = status;
    row.bad_cell = row.cells.size();
  }

  const char* p_;
  const char* end_;
  std::size_t number_ = 0;
};

// The value of a quoted header cell, with `""` turned back into `"`.
std::string unescape(const raw_cell& cell) {
  std::string out;
  const std::string_view text = cell.text;
  for (std::size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (cell.escaped && text[i] == '"' && i + 1 < text.size() && text[i + 1] == '"') ++i;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Cells -> numbers


// Cells meaning "no observation": empty, FRED's `.`, Yahoo's `null`, pandas' and
// TradingView's `NaN`, spreadsheets' `N/A`/`#N/A`, R's `NA`.
bool is_missing_token(std::string_view s) {
  switch (s.size()) {
    case 0: return true;
    case 1: return s[0] == '.';
    case 2: return equals_ignoring_case(s, "na");
    case 3: return equals_ignoring_case(s, "nan") || equals_ignoring_case(s, "n/a");
    case 4: return equals_ignoring_case(s, "null") || equals_ignoring_case(s, "#n/a");
    default: return false;
  }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// `1,234,567.5` -> `1234567.5` into `buf`. False when the commas are not thousands groups
// (`1,5` is a decimal comma, not fifteen).
bool strip_thousands(std::string_view in, char* buf, std::size_t& length) {
  length = 0;
  std::size_t i = 0;
  auto put = [&](char c) {
    if (length == max_number_length) return false;
    buf[length++] = c;
    return true;
  };
  if (i < in.size() && (in[i] == '-' || in[i] == '+'))
    if (!put(in[i++])) return false;
  std::size_t group = 0;
  bool first_group = true;
  for (; i < in.size() && (is_digit(in[i]) || in[i] == ','); ++i) {
    if (in[i] == ',') {
      if (first_group ? (group < 1 || group > 3) : group != 3) return false;
      first_group = false;
      group = 0;
    } else {
      ++group;
      if (!put(in[i])) return false;
    }
  }
  if (!first_group && group != 3) return false;
  for (; i < in.size(); ++i)
    if (in[i] == ',' || !put(in[i])) return false;
  return true;
}

enum class value_status { number, missing, bad, out_of_range };

// The common number, `[-]digits[.digits]` with at most 15 digits, without from_chars:
// the digits make an integer below 2^53 and 10^fraction_digits is exact too, so one
// division, which IEEE 754 rounds correctly, gives the correctly rounded value of the
// text, which is what from_chars computes (same bits, -0 included). False for anything
// else, left to from_chars.
bool parse_plain_decimal(std::string_view s, double& out) {
  static constexpr double powers_of_ten[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                             1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  constexpr std::size_t max_digits = 15;
  const char* p = s.data();
  const char* const end = p + s.size();
  const bool negative = p != end && *p == '-';
  if (negative) ++p;
  std::uint64_t digits = 0;
  const char* const integer_start = p;
  while (p != end && is_digit(*p)) digits = digits * 10 + static_cast<unsigned>(*p++ - '0');
  const auto integer_digits = static_cast<std::size_t>(p - integer_start);
  std::size_t fraction_digits = 0;
  if (p != end && *p == '.') {
    const char* const fraction_start = ++p;
    while (p != end && is_digit(*p)) digits = digits * 10 + static_cast<unsigned>(*p++ - '0');
    fraction_digits = static_cast<std::size_t>(p - fraction_start);
    if (fraction_digits == 0) return false;
  }
  // Checked after the loops: longer texts may have wrapped `digits`, and are not used.
  if (p != end || integer_digits == 0 || integer_digits + fraction_digits > max_digits)
    return false;
  const double value = static_cast<double>(digits) / powers_of_ten[fraction_digits];
  out = negative ? -value : value;
  return true;
}

value_status parse_number(std::string_view s, double& out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);  // from_chars rejects a plus sign
  if (parse_plain_decimal(s, out)) return value_status::number;
  const char* const end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, out);
  if (ec == std::errc::result_out_of_range) return value_status::out_of_range;
  if (ec != std::errc() || ptr != end) return value_status::bad;
  if (std::isnan(out)) return value_status::missing;  // `-nan`, `nan(...)`
  if (std::isinf(out)) return value_status::out_of_range;
  return value_status::number;
}

value_status parse_value(const raw_cell& cell, double& out) {
  if (is_missing_token(cell.text)) {
    out = std::numeric_limits<double>::quiet_NaN();
    return value_status::missing;
  }
  if (cell.escaped) return value_status::bad;
  if (cell.quoted && cell.text.find(',') != std::string_view::npos) {
    char buf[max_number_length];
    std::size_t length = 0;
    if (!strip_thousands(cell.text, buf, length)) return value_status::bad;
    return parse_number({buf, length}, out);
  }
  return parse_number(cell.text, out);
}

// ---------------------------------------------------------------------------------------
// Header

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

bool is_date_column_name(std::string_view name) {
  static constexpr std::string_view names[] = {
      "date", "time", "timestamp", "datetime", "snappedat", "eventdate", "observationdate",
      "start", "day", "period", "dt"};
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

std::string quote_cell(std::string_view text) {
  if (text.size() <= max_quoted_cell) return fmt::format("'{}'", text);
  return fmt::format("'{}...'", text.substr(0, max_quoted_cell));
}

// ---------------------------------------------------------------------------------------
// Whole-file checks

csv_result fail(std::string message, std::size_t line = 0) {
  csv_result result;
  result.failure = {std::move(message), line};
  return result;
}

// Length of a valid UTF-8 sequence starting at p, 0 when invalid. A sequence cut by the
// end of the sample counts as valid.
std::size_t utf8_sequence_length(const unsigned char* p, const unsigned char* end) {
  const unsigned char c = *p;
  std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3
                                     : (c >> 3) == 0x1E ? 4 : 0;
  for (std::size_t i = 1; i < length; ++i) {
    if (p + i == end) return i;
    if ((p[i] & 0xC0) != 0x80) return 0;
  }
  return length;
}

// 1-based line and column of `at` in `text`.
std::pair<std::size_t, std::size_t> line_and_column(std::string_view text, std::size_t at) {
  const std::string_view before = text.substr(0, at);
  const std::size_t line =
      static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n')) + 1;
  const std::size_t line_start = before.rfind('\n');
  return {line, line_start == std::string_view::npos ? at + 1 : at - line_start};
}

std::optional<std::string> binary_problem(std::string_view bytes) {
  if (bytes.starts_with("PK\x03\x04"))
    return "a ZIP archive (an Excel .xlsx workbook?), not CSV text; export it as CSV";
  // Only a sample. A NUL counts as one non-text byte: a stray one (anywhere) only makes
  // its row rejected, with its line and column.
  const std::string_view sample = bytes.substr(0, text_sample_bytes);
  const auto* p = reinterpret_cast<const unsigned char*>(sample.data());
  const auto* end = p + sample.size();
  const std::size_t sampled = end - p;
  std::size_t non_text = 0;
  while (p < end) {
    const std::size_t length = utf8_sequence_length(p, end);
    const bool control = *p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r';
    if (length == 0 || control || *p == 0x7F) {
      ++non_text;
      ++p;
    } else {
      p += length;
    }
  }
  if (non_text * 10 > sampled * max_non_text_per_ten) {
    std::string where;
    if (const std::size_t nul = sample.find('\0'); nul != std::string_view::npos) {
      const auto [line, column] = line_and_column(sample, nul);
      // UTF-16 without a byte-order mark has a NUL in every other byte of ASCII text.
      where = fmt::format("a NUL byte at line {}, column {}; ", line, column);
    }
    return fmt::format(
        "binary file ({}{} of the first {} bytes are not text), not CSV text{}", where, non_text,
        sampled, where.empty() ? "" : " (UTF-16 without a byte-order mark? save it as UTF-8)");
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// The load

// Asks the kernel to back [data, data + bytes) with memory now, in one call, instead of
// one page fault per 4 KiB page as the loader first writes it (faults are the largest
// cost of a load on some virtual machines), with huge pages where it grants them. Only a
// hint: contents are unchanged, and failures (old kernels, other systems) are ignored.
void prefault(void* data, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
  const long page = ::sysconf(_SC_PAGESIZE);
  if (page <= 0) return;
  const auto page_size = static_cast<std::uintptr_t>(page);
  const auto begin = (reinterpret_cast<std::uintptr_t>(data) + page_size - 1) & ~(page_size - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(page_size - 1);
  if (end <= begin) return;
#ifdef MADV_HUGEPAGE
  ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#endif
  ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
#else
  (void)data;
  (void)bytes;
#endif
}

// Columns after the date column: values, or dates (CoinCodex's `End`) that are skipped.
struct column_plan {
  std::vector<int> value_index;  // per file column: index into table.columns, -1 = skipped
};

class loader {
 public:
  loader(std::string_view bytes, const std::string& path) : bytes_(bytes) {
    table_.path = path;
  }

  csv_result run() {
    if (bytes_.empty()) return fail("empty file");
    text_ = normalize_csv_text(bytes_);
    if (!text_.error.empty()) return fail(text_.error, text_.error_line);
    bytes_ = text_.bytes();
    table_.notes = text_.notes;
    if (auto problem = binary_problem(bytes_)) return fail(*problem);
    if (bytes_.starts_with(utf8_bom)) bytes_.remove_prefix(utf8_bom.size());
    row_reader reader(bytes_);
    csv_row header;
    if (!reader.next_nonblank(header)) return fail("no header: the file has only blank lines");
    if (auto failure = read_header(header, reader)) return std::move(*failure);
    read_rows(reader);
    finish();
    // Where each row and column came from, so exact mode can read the text again.
    table_.lines = std::move(lines_);
    for (std::size_t c = 0; c < plan_.value_index.size(); ++c)
      if (plan_.value_index[c] >= 0) table_.source_columns.push_back(c);
    csv_result result;
    result.table = std::move(table_);
    return result;
  }

 private:
  // `ahead` is a copy of the reader: the header's checks look at rows the main pass
  // reads again.
  std::optional<csv_result> read_header(const csv_row& header, row_reader ahead) {
    if (header.status != split_status::ok)
      return fail(fmt::format("the header's column {} has an unbalanced quote",
                              header.bad_cell + 1),
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

  static csv_result single_column_failure(const csv_row& header) {
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
  std::optional<csv_result> check_date_column(const csv_row& first_row) const {
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
  void plan_columns(const std::vector<std::string>& names, const csv_row* first_row) {
    const bool have_row = first_row && first_row->status == split_status::ok &&
                          first_row->cells.size() == names.size();
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
  void note_duplicate_names() {
    const auto& columns = table_.columns;
    std::unordered_map<std::string, std::size_t> seen;  // normalized name -> index in firsts
    seen.reserve(columns.size());
    std::vector<std::pair<std::size_t, std::size_t>> firsts;  // first column, count
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const auto [it, added] = seen.try_emplace(normalize_name(columns[c]), firsts.size());
      if (added) firsts.emplace_back(c, 1);
      else ++firsts[it->second].second;
    }
    for (const auto& [c, count] : firsts)
      if (count > 1)
        table_.notes.push_back(fmt::format("column name {} appears {} times; find_column picks "
                                           "the first",
                                           quote_cell(columns[c]), count));
  }

  // Sizes the columns up front from the first row's length: regrowing them while reading
  // copied more bytes than the parse touched. Capped so that a short first row (a wide
  // file whose first cells are empty) cannot reserve far more memory than the file
  // needs; past the estimate the vectors just grow.
  void reserve_rows(const csv_row& first_row, std::size_t bytes_after_first) {
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
  void decide_slash_order(const csv_row& first_row, row_reader ahead) {
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
      table_.notes.push_back(fmt::format(
          "dates read as DD/MM/YYYY (line {} has a first part above 12)", witness));
    } else {
      table_.notes.push_back("dates read as MM/DD/YYYY");
    }
  }

  void read_rows(row_reader& reader) {
    while (true) {
      if (const char* next_line = read_simple_row(reader.position(), reader.end(),
                                                  reader.next_number())) {
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

  std::string nul_reason(const csv_row& row, std::size_t at) const {
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
  const char* read_simple_row(const char* p, const char* end, std::size_t line) {
    if (end - p < 11 || p[10] != ',') return nullptr;
    const std::optional<time_point> day = iso_.read_at(p);
    if (!day) return nullptr;
    if (date_format_ && std::strcmp(date_format_, "YYYY-MM-DD") != 0) return nullptr;  // rejected by read_row
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
          case value_status::number: break;
          case value_status::missing: ++missing; break;
          case value_status::bad:
          case value_status::out_of_range: return nullptr;
        }
      }
      if (p != end) ++p;  // the comma or the line break
    }
    fix_date_format("YYYY-MM-DD", line);
    commit(*day, line, missing);
    return p;
  }

  // The first row the table takes fixes the file's date format.
  void fix_date_format(const char* format, std::size_t line) {
    if (date_format_) return;
    date_format_ = format;
    date_format_line_ = line;
  }

  // Adds the row in row_values_ to the table.
  void commit(time_point time, std::size_t line, std::size_t missing) {
    if (!table_.times.empty() && time <= table_.times.back()) ascending_ = false;
    table_.times.push_back(time);
    lines_.push_back(static_cast<std::uint32_t>(line));
    for (std::size_t v = 0; v < row_values_.size(); ++v) table_.cells[v].push_back(row_values_[v]);
    missing_ += missing;
  }

  std::string column_name(std::size_t file_column) const {
    const int index = plan_.value_index[file_column];
    const std::string& name = index >= 0 ? table_.columns[index] : table_.date_column;
    return name.empty() ? fmt::format("#{}", file_column + 1) : name;
  }

  // Reads one data row into the table, or says why not.
  std::optional<std::string> read_row(const csv_row& row) {
    switch (row.status) {
      case split_status::ok: break;
      case split_status::unterminated_quote:
        return fmt::format("line ends inside a quoted field in column {}{}",
                           column_label(row.bad_cell),
                           row.last ? " (the file looks cut short)" : "");
      case split_status::text_after_quote:
        return fmt::format("text after the closing quote in column {}",
                           column_label(row.bad_cell));
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
      return fmt::format("date {} is written {}, but this file's dates are {} (from line {}): not reinterpreted",
                         quote_cell(cells[0].text), format, date_format_, date_format_line_);
    }
    std::size_t missing = 0;
    for (std::size_t c = 1; c < cells.size(); ++c) {
      const int index = plan_.value_index[c];
      if (index < 0) continue;
      switch (parse_value(cells[c], row_values_[index])) {
        case value_status::number: break;
        case value_status::missing: ++missing; break;
        case value_status::bad:
          return fmt::format("bad number {} in column {}", quote_cell(cells[c].text),
                             column_name(c));
        case value_status::out_of_range:
          return fmt::format("number out of range {} in column {}", quote_cell(cells[c].text),
                             column_name(c));
      }
    }
    fix_date_format(format, row.number);
    commit(*date.time, row.number, missing);
    return std::nullopt;
  }

  std::string column_label(std::size_t file_column) const {
    return file_column < expected_cells_ ? column_name(file_column)
                                         : fmt::format("#{}", file_column + 1);
  }

  void finish() {
    if (table_.rows_read == 0) table_.notes.push_back("no data rows");
    // Strictly ascending rows (the usual file) need neither sorting nor duplicate checks,
    // and keep every missing cell counted while reading.
    table_.missing_cells = missing_;
    if (!ascending_) {
      sort_rows();
      drop_duplicates();
      table_.missing_cells = 0;
      for (const auto& column : table_.cells)
        table_.missing_cells += std::count_if(column.begin(), column.end(),
                                              [](double v) { return std::isnan(v); });
    }
    std::stable_sort(table_.rejected.begin(), table_.rejected.end(),
                     [](const auto& a, const auto& b) { return a.line < b.line; });
    table_.rows_used = table_.times.size();
    note_empty_columns();
    if (table_.rows_read > 0 && table_.rows_used == 0)
      table_.notes.push_back("no usable rows: every data row was rejected");
  }

  template <typename T>
  static void permute(std::vector<T>& values, const std::vector<std::size_t>& order) {
    std::vector<T> sorted(values.size());
    for (std::size_t i = 0; i < order.size(); ++i) sorted[i] = values[order[i]];
    values = std::move(sorted);
  }

  // Stable, so rows sharing a date stay in file order and the first one read wins.
  void sort_rows() {
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

  bool same_values(std::size_t a, std::size_t b) const {
    for (const auto& column : table_.cells) {
      const double x = column[a];
      const double y = column[b];
      if (!(x == y || (std::isnan(x) && std::isnan(y)))) return false;
    }
    return true;
  }

  // A repeated date keeps its first row: an identical repeat is dropped with a note, a
  // different one is rejected (which value is right is the user's call).
  void drop_duplicates() {
    auto& times = table_.times;
    std::size_t kept = 0;
    std::size_t identical = 0;
    for (std::size_t r = 0; r < times.size(); ++r) {
      if (kept > 0 && times[r] == times[kept - 1]) {
        if (same_values(r, kept - 1)) {
          if (++identical <= max_duplicate_notes)
            table_.notes.push_back(fmt::format(
                "line {} repeats line {} ({}, same values); dropped", lines_[r],
                lines_[kept - 1], format_time(times[r])));
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
      table_.notes.push_back(fmt::format("{} more identical duplicate rows dropped",
                                         identical - max_duplicate_notes));
    times.resize(kept);
    lines_.resize(kept);
    for (auto& column : table_.cells) column.resize(kept);
  }

  void note_empty_columns() {
    if (table_.times.empty()) return;
    for (std::size_t c = 0; c < table_.columns.size(); ++c) {
      const auto& column = table_.cells[c];
      if (std::all_of(column.begin(), column.end(), [](double v) { return std::isnan(v); }))
        table_.notes.push_back(
            fmt::format("column {} has no values (every cell empty)", quote_cell(table_.columns[c])));
    }
  }

  std::string_view bytes_;
  csv_table table_;
  column_plan plan_;
  slash_order order_ = slash_order::month_first;
  const char* date_format_ = nullptr;  // the file's date format (date_format_of), from its first dated row
  std::size_t date_format_line_ = 0;
  std::size_t expected_cells_ = 0;
  iso_day_reader iso_;               // the fast path's dates
  bool ascending_ = true;            // every committed row later than the one before
  std::size_t missing_ = 0;          // missing cells of the committed rows
  csv_row row_;                      // the current row, reused so its cells keep capacity
  std::vector<double> row_values_;   // the current row's values, committed when all parse
  // File line of each kept row, for duplicate messages; 32 bits halve its memory, and
  // no file that fits in memory has 4 billion lines.
  std::vector<std::uint32_t> lines_;
  csv_text text_;  // owns the bytes when they were rewritten (UTF-16, lone CR)
};

// 1854 -> "1,854" for the report's summary line.
std::string with_thousands(std::size_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

csv_result parse_csv(std::string_view bytes, const std::string& path) {
  return loader(bytes, path).run();
}

#if defined(__unix__) || defined(__APPLE__)
// Maps a regular file read-only, so parsing works on the page cache without a copy.
// Returns nullopt for anything mmap cannot take (pipes, empty files); the caller reads.
std::optional<csv_result> parse_mapped(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return std::nullopt;
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) || info.st_size <= 0) {
    ::close(fd);
    return std::nullopt;
  }
  const auto size = static_cast<std::size_t>(info.st_size);
  int flags = MAP_PRIVATE;
#ifdef MAP_POPULATE
  flags |= MAP_POPULATE;  // one fault-in up front instead of one per 4 KiB page
#endif
  void* data = ::mmap(nullptr, size, PROT_READ, flags, fd, 0);
  ::close(fd);
  if (data == MAP_FAILED) return std::nullopt;
  csv_result result = parse_csv({static_cast<const char*>(data), size}, path);
  ::munmap(data, size);
  return result;
}
#endif

namespace {

// The file's bytes, or why not ("cannot open 'x.csv': No such file or directory").
std::string read_whole_file(const std::string& path, std::string& bytes) {
  // A folder opens for reading on POSIX and then fails with a vague error: say what it is.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return fmt::format("'{}' is a folder, not a CSV file", path);
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return fmt::format("cannot open '{}': {}", path, std::strerror(errno));
  char chunk[1 << 16];
  std::size_t got = 0;
  while ((got = std::fread(chunk, 1, sizeof chunk, file)) > 0) bytes.append(chunk, got);
  const bool error = std::ferror(file) != 0;
  std::fclose(file);
  return error ? fmt::format("cannot read '{}'", path) : std::string();
}

}  // namespace

csv_result load_csv_file(const std::string& path) {
#if defined(__unix__) || defined(__APPLE__)
  if (auto result = parse_mapped(path)) return std::move(*result);
#endif
  std::string bytes;
  if (std::string problem = read_whole_file(path, bytes); !problem.empty()) return fail(problem);
  return parse_csv(bytes, path);
}

// ---------------------------------------------------------------------------------------
// Exact mode: a column's decimal text, read again from the bytes the table came from.

std::optional<std::vector<std::string>> column_text(std::string_view bytes,
                                                    const csv_table& table, int column) {
  if (column < 0 || static_cast<std::size_t>(column) >= table.source_columns.size() ||
      table.lines.size() != table.times.size())
    return std::nullopt;
  const std::size_t file_column = table.source_columns[static_cast<std::size_t>(column)];
  const std::vector<double>& values = table.cells[static_cast<std::size_t>(column)];
  // Rows in file order: (line, row of the table).
  std::vector<std::pair<std::uint32_t, std::size_t>> wanted(table.lines.size());
  for (std::size_t r = 0; r < table.lines.size(); ++r) wanted[r] = {table.lines[r], r};
  std::sort(wanted.begin(), wanted.end());
  const csv_text text_form = normalize_csv_text(bytes);  // as the load read them
  if (!text_form.error.empty()) return std::nullopt;
  bytes = text_form.bytes();
  if (bytes.starts_with(utf8_bom)) bytes.remove_prefix(utf8_bom.size());
  std::vector<std::string> out(table.times.size());
  row_reader reader(bytes);
  csv_row row;
  std::size_t next = 0;
  while (next < wanted.size() && reader.next(row)) {
    if (row.number != wanted[next].first) continue;
    if (row.status != split_status::ok || file_column >= row.cells.size()) return std::nullopt;
    const raw_cell& cell = row.cells[file_column];
    const std::size_t r = wanted[next++].second;
    double check = 0;
    const value_status status = parse_value(cell, check);
    // The bytes must still be the ones the table was read from.
    if (status == value_status::missing) {
      if (!std::isnan(values[r])) return std::nullopt;
      continue;
    }
    if (status != value_status::number || !(check == values[r])) return std::nullopt;
    std::string_view text = cell.text;
    char buf[max_number_length];
    if (cell.quoted && text.find(',') != std::string_view::npos) {
      std::size_t length = 0;
      if (!strip_thousands(text, buf, length)) return std::nullopt;
      text = {buf, length};
    }
    if (!text.empty() && text[0] == '+') text.remove_prefix(1);
    out[r] = std::string(text);
  }
  if (next != wanted.size()) return std::nullopt;
  return out;
}

std::optional<std::vector<std::string>> load_column_text(const std::string& path,
                                                         const csv_table& table, int column) {
  std::string bytes;
  if (!read_whole_file(path, bytes).empty()) return std::nullopt;
  return column_text(bytes, table, column);
}

void defined_cells(const csv_table& table, int column, std::vector<time_point>& times,
                   std::vector<double>& values) {
  const std::vector<double>& cells = table.cells[static_cast<std::size_t>(column)];
  const auto defined = static_cast<std::size_t>(
      std::count_if(cells.begin(), cells.end(), [](double v) { return !std::isnan(v); }));
  times.clear();
  values.clear();
  times.reserve(defined);
  values.reserve(defined);
  prefault(times.data(), defined * sizeof(time_point));
  prefault(values.data(), defined * sizeof(double));
  for (std::size_t r = 0; r < table.times.size(); ++r) {
    if (std::isnan(cells[r])) continue;
    times.push_back(table.times[r]);
    values.push_back(cells[r]);
  }
}

int find_column(const csv_table& table, std::string_view wanted) {
  const std::string want = normalize_name(wanted);
  for (std::size_t c = 0; c < table.columns.size(); ++c)
    if (normalize_name(table.columns[c]) == want) return static_cast<int>(c);
  return -1;
}

namespace {

// Rejected rows listed one line each per reason before the rest are counted.
constexpr std::size_t listed_rows_per_reason = 5;

// The reason with its quoted cell left out, so that "bad date '2021-13-01'" and
// "bad date '2021-14-01'" are one reason: "bad date '…'".
std::string reason_kind(std::string_view reason) {
  const std::size_t open = reason.find('\'');
  const std::size_t close = reason.rfind('\'');
  if (open == std::string_view::npos || close == open) return std::string(reason);
  return fmt::format("{}'…'{}", reason.substr(0, open), reason.substr(close + 1));
}

// Rejected rows the report does not list one by one, for one reason.
struct unlisted_rows {
  std::size_t count = 0;
  std::size_t first_line = 0;
  std::size_t last_line = 0;
};

}  // namespace

std::string format_load_report(const csv_table& table) {
  std::string out;
  for (const auto& note : table.notes) out += fmt::format("{}: note: {}\n", table.path, note);
  // A file of millions of bad rows must not print millions of lines: the first few per
  // reason, in line order, then one line per reason for the rest (in the order the
  // reasons first appear), with exact counts and line range.
  struct kind_state {
    std::size_t listed = 0;
    unlisted_rows rest;
  };
  std::unordered_map<std::string, std::size_t> kind_index;
  std::vector<std::pair<std::string, kind_state>> kinds;
  for (const auto& row : table.rejected) {
    std::string kind = reason_kind(row.reason);
    const auto [it, added] = kind_index.try_emplace(kind, kinds.size());
    if (added) kinds.emplace_back(std::move(kind), kind_state{});
    kind_state& state = kinds[it->second].second;
    if (state.listed < listed_rows_per_reason) {
      ++state.listed;
      out += fmt::format("{}:{}: rejected: {}\n", table.path, row.line, row.reason);
      continue;
    }
    if (state.rest.count++ == 0) state.rest.first_line = row.line;
    state.rest.last_line = row.line;
  }
  for (const auto& [kind, state] : kinds) {
    if (state.rest.count == 0) continue;
    out += fmt::format("{}: rejected: {} more row{}: {} (lines {} to {})\n", table.path,
                       with_thousands(state.rest.count), state.rest.count == 1 ? "" : "s", kind,
                       state.rest.first_line, state.rest.last_line);
  }
  const std::size_t duplicates = table.rows_read - table.rows_used - table.rejected.size();
  out += fmt::format("{}: {} rows read, {} used, {} rejected, {} empty cells", table.path,
                     with_thousands(table.rows_read), with_thousands(table.rows_used),
                     with_thousands(table.rejected.size()), with_thousands(table.missing_cells));
  if (duplicates > 0) out += fmt::format(", duplicates dropped: {}", with_thousands(duplicates));
  out += '\n';
  return out;
}

}  // namespace sluice
