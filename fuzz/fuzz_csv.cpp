// Fuzz target: CSV bytes through the loader, then the load report. Besides crashes and
// sanitizer reports it checks the loader's promises: nothing lost (every data row is
// used, rejected with a line, or a dropped duplicate), ascending times, full columns.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "interpreter/data/csv_loader.hpp"

using namespace sluice;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

void check_table(const csv_table& t) {
  check(t.rows_used == t.times.size());
  check(t.rows_read >= t.rows_used + t.rejected.size());
  check(t.columns.size() == t.cells.size());
  for (const auto& column : t.cells) check(column.size() == t.times.size());
  for (std::size_t r = 1; r < t.times.size(); ++r) check(t.times[r - 1] < t.times[r]);
  for (const auto& column : t.cells)
    for (double v : column) check(!std::isinf(v));
  check(t.default_column >= -1 && t.default_column < static_cast<int>(t.columns.size()));
  std::size_t previous = 0;
  for (const csv_rejected_row& row : t.rejected) {
    check(row.line > 0 && row.line >= previous && !row.reason.empty());
    previous = row.line;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const csv_result result = parse_csv(bytes, "fuzz.csv");
  if (!result.table) {
    check(!result.failure.message.empty());
    return 0;
  }
  check_table(*result.table);
  (void)format_load_report(*result.table);
  for (const std::string& column : result.table->columns)
    check(find_column(*result.table, column) >= 0);
  return 0;
}
