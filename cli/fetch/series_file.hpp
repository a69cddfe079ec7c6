// The CSV file a fetched series lives in (`date,<column>`, one row per date, ascending),
// how a new download is merged into it, and how it is replaced without ever leaving a
// half-written file behind.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "cli/fetch/provider.hpp"

namespace sluice::fetch {

struct series_file {
  std::string column;             // the value column's header
  std::vector<observation> rows;  // ascending
};

// Reads a file written by `sluice fetch` (or any CSV with one value column named
// `column`); nullopt with `error` set when it cannot be merged into.
std::optional<series_file> read_series_file(const std::string& path, const std::string& column,
                                            std::string& error);

struct revision {
  time_point date = 0;
  std::string old_value, new_value;
};

struct merge_result {
  std::vector<observation> rows;   // the file's rows after the merge
  std::size_t appended = 0;        // new dates after the old last row
  std::size_t inserted = 0;        // new dates before it (gaps filled)
  std::size_t filled = 0;          // old empty cells that now have a value
  std::vector<revision> revisions; // old values the provider now gives differently
};

// Merges `fresh` into `old`: dates after old's last row are appended, dates the old file
// lacks are inserted, empty cells take the new value, and a differing value is a
// revision: reported, and applied only when `apply_revisions`.
merge_result merge_rows(const std::vector<observation>& old, const std::vector<observation>& fresh,
                        bool apply_revisions);

// True when two cells hold the same number (or are both empty).
bool same_value(const std::string& a, const std::string& b);

// The file's bytes: header `date,<column>`, one `YYYY-MM-DD,value` line per row.
std::string render_series_csv(const std::string& column, const std::vector<observation>& rows);

// Replaces `path` with `bytes` atomically: written to a temporary file in the same
// folder, flushed to disk (fsync), renamed over `path`, and the folder synced. On
// failure the old file is untouched and `error` says why.
bool write_atomically(const std::string& path, const std::string& bytes, std::string& error);

}  // namespace sluice::fetch
