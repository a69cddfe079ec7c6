// The CSV loader's lowest layer, shared by its files (csv_loader.cpp, csv_header.cpp,
// csv_rows.cpp): bytes -> rows of cells, and cells -> numbers. Inline: the row pass
// calls these once per byte or cell.
#pragma once
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "interpreter/ascii.hpp"

namespace sluice::csv_detail {

// Quoted numbers with thousands separators are rebuilt in a stack buffer of this size.
inline constexpr std::size_t max_number_length = 64;

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
inline bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

inline std::string_view trim(const char* begin, const char* end) {
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
inline std::string unescape(const raw_cell& cell) {
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
inline bool is_missing_token(std::string_view s) {
  switch (s.size()) {
    case 0:
      return true;
    case 1:
      return s[0] == '.';
    case 2:
      return equals_ignoring_case(s, "na");
    case 3:
      return equals_ignoring_case(s, "nan") || equals_ignoring_case(s, "n/a");
    case 4:
      return equals_ignoring_case(s, "null") || equals_ignoring_case(s, "#n/a");
    default:
      return false;
  }
}

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// `1,234,567.5` -> `1234567.5` into `buf`. False when the commas are not thousands groups
// (`1,5` is a decimal comma, not fifteen).
inline bool strip_thousands(std::string_view in, char* buf, std::size_t& length) {
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
inline bool parse_plain_decimal(std::string_view s, double& out) {
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

inline value_status parse_number(std::string_view s, double& out) {
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

inline value_status parse_value(const raw_cell& cell, double& out) {
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

}  // namespace sluice::csv_detail
