// Date cells of downloaded CSV files -> UTC milliseconds: ISO dates and times with offsets
// (`2026-01-08T00:05:30.250Z`),
// YYYY/M/D, MM/DD/YYYY (or DD/MM/YYYY for a whole file), YYYYMMDD and Unix timestamps.
// Used by the CSV loader; kept apart so the formats can be tested and extended alone.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "interpreter/time.hpp"

namespace sluice {

// How `a/b/YYYY` is read. Decided once per file by the loader (see csv_loader.cpp).
enum class slash_order : std::uint8_t { month_first, day_first };

struct date_cell {
  std::optional<time_point> time;  // set when the cell is a valid date
  // Why it is not, when the quoted text alone would not say ("month 13 out of range
  // (dates read as MM/DD/YYYY)"); empty otherwise.
  std::string_view detail;
};

// Parses one date cell (already trimmed and unquoted).
date_cell parse_date_cell(std::string_view text, slash_order order);

// The format family of a date cell that parse_date_cell read: "YYYY-MM-DD" (ISO, with or
// without a time), "YYYY/MM/DD", "MM/DD/YYYY" or "DD/MM/YYYY" (as `order` says), "YYYYMMDD",
// "Unix seconds", "Unix milliseconds". A file keeps one family: the loader rejects a row
// in another one instead of reinterpreting it (07/01/2026 in an ISO file).
const char* date_format_of(std::string_view text, slash_order order);

// The loader's fast path for the most common date cell, exactly `YYYY-MM-DD`: ten bytes
// at fixed places, no time of day. It remembers the last month read, so the rows of one
// month (consecutive in a daily file) skip the calendar arithmetic. It gives the same
// time as parse_date_cell for every valid ISO date and nothing for anything else (other
// formats, a trailing time or zone, an invalid date such as 1900-02-29); the caller then
// asks parse_date_cell, which also says what is wrong.
class iso_day_reader {
 public:
  // The ten bytes at `text` (all must be readable; nothing after them is looked at).
  std::optional<time_point> read_at(const char* text);
  // A whole cell: ten bytes, or nothing.
  std::optional<time_point> read(std::string_view text) {
    return text.size() == 10 ? read_at(text.data()) : std::nullopt;
  }

 private:
  // `YYYY-MM` of the cached month; the zero bytes never match a text that passed the
  // `-` checks, so the cache starts empty.
  char month_key_[7] = {};
  std::int64_t month_start_ = 0;  // days since the epoch of the month's first day
  unsigned month_length_ = 0;
};

// For `a/b/YYYY` cells: the two leading parts, so the loader can decide the file's order.
struct slash_parts {
  unsigned first = 0;
  unsigned second = 0;
};
std::optional<slash_parts> split_year_last_slash_date(std::string_view text);

}  // namespace sluice
