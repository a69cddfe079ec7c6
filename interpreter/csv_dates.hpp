// Date cells of downloaded CSV files -> UTC seconds: ISO dates and times with offsets,
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

// For `a/b/YYYY` cells: the two leading parts, so the loader can decide the file's order.
struct slash_parts {
  unsigned first = 0;
  unsigned second = 0;
};
std::optional<slash_parts> split_year_last_slash_date(std::string_view text);

}  // namespace sluice
