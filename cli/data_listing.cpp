// `sluice data DIR` (see data_listing.hpp).
#include "cli/data_listing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "interpreter/ascii.hpp"
#include "interpreter/data/catalog.hpp"
#include "interpreter/data/coverage.hpp"
#include "interpreter/data/csv_loader.hpp"

namespace sluice {
namespace {

series_coverage column_coverage(const std::string& name, const std::string& path,
                                const csv_table& t, int column) {
  std::vector<time_point> times;
  std::vector<double> values;
  defined_cells(t, column, times, values);
  return coverage_of(name, path, t.columns[static_cast<std::size_t>(column)], times);
}

}  // namespace

bool list_data_folder(const std::string& dir, std::string& listing, std::string& error) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    error = fmt::format("cannot read data folder '{}': {}", dir, ec.message());
    return false;
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : it)
    if (entry.is_regular_file() && lower(entry.path().extension().string()) == ".csv")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  listing += fmt::format("{}: {} csv file{}\n", dir, files.size(), files.size() == 1 ? "" : "s");
  bool ok = true;
  for (const auto& f : files) {
    const std::string path = f.string();
    std::string name = lower(f.stem().string());  // as --data names it: `^RUT` -> `_rut`
    for (char& c : name)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) c = '_';
    const csv_result r = load_csv_file(path);
    if (!r.table) {
      listing += fmt::format("  {} <- {}: not loaded: {}{}\n", name, path, r.failure.message,
                             r.failure.line ? fmt::format(" (line {})", r.failure.line) : "");
      ok = false;
      continue;
    }
    const csv_table& t = *r.table;
    if (t.default_column >= 0) {
      series_coverage c = column_coverage(name, path, t, t.default_column);
      // What a run would add: the catalogue's lag and the name rules know it by.
      std::string extra;
      if (const catalog_entry* e = find_catalog_entry(name)) {
        if (e->publication_lag.count != 0) {
          c.lag = e->publication_lag;
          c.lag_source = fmt::format("catalogue {}", e->source);
        }
        if (e->name != name) extra = fmt::format("; the prelude's {} reads {}", e->name, e->stem);
      }
      listing += fmt::format("  {}{}\n", format_coverage(c), extra);
      if (t.columns.size() > 1) {
        std::string others;
        for (std::size_t i = 0; i < t.columns.size(); ++i)
          if (static_cast<int>(i) != t.default_column)
            others += (others.empty() ? "" : ", ") + t.columns[i];
        listing += fmt::format("    other columns ({}.COLUMN): {}\n", name, others);
      }
    } else {
      // A wide file: no column is the series; each is read as name.COLUMN.
      listing += fmt::format("  {} <- {}: wide file, {} columns, read as {}.COLUMN\n", name, path,
                             t.columns.size(), name);
      for (std::size_t i = 0; i < t.columns.size(); ++i)
        listing +=
            fmt::format("    {}\n", format_coverage(column_coverage(name + "." + t.columns[i], path,
                                                                    t, static_cast<int>(i))));
    }
    if (!t.rejected.empty())
      listing += fmt::format("    {} row{} rejected (a run lists them)\n", t.rejected.size(),
                             t.rejected.size() == 1 ? "" : "s");
  }
  if (!ok) error = "some files could not be loaded";
  return true;
}

int data_command(const std::vector<std::string>& dirs) {
  if (dirs.empty()) {
    fmt::print(stderr, "sluice: data needs a folder: sluice data DIR...\n");
    return 2;
  }
  int status = 0;
  for (const std::string& dir : dirs) {
    std::string listing, error;
    if (!list_data_folder(dir, listing, error)) {
      fmt::print(stderr, "sluice: {}\n", error);
      return 2;
    }
    fmt::print("{}", listing);
    if (!error.empty()) status = 1;
  }
  return status;
}

}  // namespace sluice
