// The load report: a table's notes and rejected rows as lines for the user, a long run of
// rejections for one reason summarized with exact counts.
#include <fmt/format.h>

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "interpreter/data/csv_loader.hpp"

namespace sluice {

namespace {

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
