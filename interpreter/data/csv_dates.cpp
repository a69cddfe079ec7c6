// Date cells of downloaded CSV files -> UTC milliseconds (see csv_dates.hpp). A hand-written
// scanner: this runs once per data row, so it avoids allocation and locale-aware calls.
#include "interpreter/data/csv_dates.hpp"
#include "interpreter/ascii.hpp"

#include <cstring>

namespace sluice {

namespace {

// Unix timestamps: 9 to 11 digits are seconds (1973..5138), 13 digits milliseconds.
constexpr std::size_t min_unix_seconds_digits = 9;
constexpr std::size_t max_unix_seconds_digits = 11;
constexpr std::size_t unix_millis_digits = 13;

bool is_digit(char c) { return c >= '0' && c <= '9'; }


// A cursor over the cell's text.
struct scanner {
  std::string_view text;
  std::size_t pos = 0;

  bool at_end() const { return pos == text.size(); }
  char peek() const { return at_end() ? '\0' : text[pos]; }
  bool accept(char c) {
    if (peek() != c) return false;
    ++pos;
    return true;
  }
  // Reads between min_digits and max_digits decimal digits.
  bool number(std::size_t min_digits, std::size_t max_digits, std::int64_t& out) {
    std::size_t count = 0;
    out = 0;
    while (count < max_digits && is_digit(peek())) {
      out = out * 10 + (text[pos++] - '0');
      ++count;
    }
    return count >= min_digits && !is_digit(peek());
  }
  std::string_view rest() const { return text.substr(pos); }
};

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

std::optional<time_point> from_civil(std::int64_t y, std::int64_t m, std::int64_t d) {
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  if (!valid_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d))) return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * ms_per_day;
}

// `20210105`, `1605484800`, `1605484800000`.
std::optional<time_point> parse_all_digits(std::string_view s) {
  // Longer digit runs are no date; checked first, as 19+ digits overflow the sum below.
  if (s.size() > unix_millis_digits) return std::nullopt;
  std::int64_t value = 0;
  for (char c : s) value = value * 10 + (c - '0');
  if (s.size() == 8) return from_civil(value / 10000, value / 100 % 100, value % 100);
  if (s.size() >= min_unix_seconds_digits && s.size() <= max_unix_seconds_digits)
    return value * ms_per_second;
  if (s.size() == unix_millis_digits) return value;
  return std::nullopt;
}

// The zone after a time of day: nothing, `UTC`, `GMT`, `Z`, `+HH:MM`, `-HHMM`, `+HH`.
// Returns the offset east of UTC in milliseconds.
std::optional<std::int64_t> parse_zone(scanner& in) {
  while (in.accept(' ')) {
  }
  if (in.at_end()) return 0;
  if (equals_ignoring_case(in.rest(), "utc") || equals_ignoring_case(in.rest(), "gmt") ||
      equals_ignoring_case(in.rest(), "z"))
    return 0;
  const char sign = in.peek();
  if (sign != '+' && sign != '-') return std::nullopt;
  ++in.pos;
  std::int64_t hours = 0;
  std::int64_t minutes = 0;
  if (!in.number(2, 2, hours)) return std::nullopt;
  if (!in.at_end()) {
    in.accept(':');
    if (!in.number(2, 2, minutes)) return std::nullopt;
  }
  if (!in.at_end() || hours > 23 || minutes > 59) return std::nullopt;
  const std::int64_t offset = (hours * 3600 + minutes * 60) * ms_per_second;
  return sign == '-' ? -offset : offset;
}

// `HH:MM[:SS[.fff]]` and a zone, after the date and its ' ' or 'T' separator, in
// milliseconds. A fraction keeps its first three digits (milliseconds, Sluice's resolution):
// `.25` is 250 ms and `.250999` 250 ms, as whole seconds once dropped the fraction; rows that
// thereby share a time are reported by the loader as duplicates, never merged silently.
std::optional<std::int64_t> parse_time_of_day(scanner& in) {
  std::int64_t h = 0;
  std::int64_t m = 0;
  std::int64_t s = 0;
  std::int64_t ms = 0;
  if (!in.number(1, 2, h) || !in.accept(':') || !in.number(2, 2, m)) return std::nullopt;
  if (in.accept(':')) {
    if (!in.number(2, 2, s)) return std::nullopt;
    if (in.accept('.')) {
      if (!is_digit(in.peek())) return std::nullopt;
      for (std::int64_t scale = 100; is_digit(in.peek()); scale /= 10)
        ms += (in.text[in.pos++] - '0') * scale;  // scale 0 past the third digit
    }
  }
  if (h > 23 || m > 59 || s > 59) return std::nullopt;
  const auto offset = parse_zone(in);
  if (!offset) return std::nullopt;
  return (h * 3600 + m * 60 + s) * ms_per_second + ms - *offset;
}

// What may follow a date: nothing, or a time of day.
std::optional<time_point> finish(scanner& in, std::optional<time_point> day) {
  if (!day) return std::nullopt;
  if (in.at_end()) return day;
  if (!in.accept(' ') && !in.accept('T')) return std::nullopt;
  const auto ms = parse_time_of_day(in);
  if (!ms) return std::nullopt;
  return *day + *ms;
}

// `a/b/YYYY`, read in the file's order.
date_cell parse_year_last(scanner& in, std::int64_t first, slash_order order) {
  std::int64_t second = 0;
  std::int64_t year = 0;
  if (!in.accept('/') || !in.number(1, 2, second) || !in.accept('/') || !in.number(4, 4, year))
    return {};
  const bool month_first = order == slash_order::month_first;
  const std::int64_t month = month_first ? first : second;
  const std::int64_t day = month_first ? second : first;
  if (month > 12)
    return {std::nullopt, month_first ? "month out of range (dates read as MM/DD/YYYY)"
                                      : "month out of range (dates read as DD/MM/YYYY)"};
  return {finish(in, from_civil(year, month, day)), {}};
}

}  // namespace

date_cell parse_date_cell(std::string_view text, slash_order order) {
  if (text.empty()) return {std::nullopt, "the date is empty"};
  if (all_digits(text)) return {parse_all_digits(text), {}};
  scanner in{text};
  std::int64_t first = 0;
  const std::size_t start = in.pos;
  if (!in.number(1, 4, first)) return {};
  const std::size_t digits = in.pos - start;
  if (digits == 4) {
    // `YYYY-MM-DD` or `YYYY/M/D`, the separators matching.
    const char sep = in.peek();
    std::int64_t month = 0;
    std::int64_t day = 0;
    if ((sep != '-' && sep != '/') || !in.accept(sep) || !in.number(1, 2, month) ||
        !in.accept(sep) || !in.number(1, 2, day))
      return {};
    return {finish(in, from_civil(first, month, day)), {}};
  }
  if (digits <= 2) return parse_year_last(in, first, order);
  return {};
}

const char* date_format_of(std::string_view text, slash_order order) {
  if (all_digits(text))
    return text.size() == 8 ? "YYYYMMDD" : text.size() == unix_millis_digits ? "Unix milliseconds" : "Unix seconds";
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  const char sep = digits < text.size() ? text[digits] : '\0';
  if (digits == 4) return sep == '/' ? "YYYY/MM/DD" : "YYYY-MM-DD";
  return order == slash_order::month_first ? "MM/DD/YYYY" : "DD/MM/YYYY";
}

std::optional<time_point> iso_day_reader::read_at(const char* s) {
  // One unsigned compare per digit: bytes below '0' wrap around to large values.
  auto digit = [](char c) { return static_cast<unsigned>(c - '0'); };
  if (s[4] != '-' || s[7] != '-') return std::nullopt;
  const unsigned d1 = digit(s[8]);
  const unsigned d0 = digit(s[9]);
  if (d1 > 9 || d0 > 9) return std::nullopt;
  if (std::memcmp(s, month_key_, sizeof month_key_) != 0) {
    unsigned y = 0;
    for (int i = 0; i < 4; ++i) {
      const unsigned v = digit(s[i]);
      if (v > 9) return std::nullopt;
      y = y * 10 + v;
    }
    const unsigned m1 = digit(s[5]);
    const unsigned m0 = digit(s[6]);
    if (m1 > 9 || m0 > 9) return std::nullopt;
    const unsigned m = m1 * 10 + m0;
    if (y < 1 || m < 1 || m > 12) return std::nullopt;  // as valid_civil: no year 0
    std::memcpy(month_key_, s, sizeof month_key_);
    month_start_ = days_from_civil(y, m, 1);
    month_length_ = days_in_month(y, m);
  }
  const unsigned day = d1 * 10 + d0;
  if (day < 1 || day > month_length_) return std::nullopt;
  return (month_start_ + day - 1) * ms_per_day;
}

std::optional<slash_parts> split_year_last_slash_date(std::string_view text) {
  scanner in{text};
  std::int64_t first = 0;
  std::int64_t second = 0;
  std::int64_t year = 0;
  if (!in.number(1, 2, first) || !in.accept('/') || !in.number(1, 2, second) ||
      !in.accept('/') || !in.number(4, 4, year))
    return std::nullopt;
  return slash_parts{static_cast<unsigned>(first), static_cast<unsigned>(second)};
}

}  // namespace sluice
