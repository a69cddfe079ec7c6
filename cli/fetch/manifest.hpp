// DIR/sluice-data.json: where each fetched series came from and how fresh it is.
// Written by `sluice fetch`; read by whatever shows a data folder's coverage
// (read_manifest). Layout (version 1):
//   {"version": 1, "series": {"wtregen": {"file": "wtregen.csv", "source": "fred:WTREGEN",
//     "url": "...", "fetched_at": "2026-12-07T07:30:00Z", "first": "2013-06-05",
//     "last": "2026-12-02", "rows": 700, "sha256": "<hex of the file's bytes>",
//     "units": "millions of USD", "frequency": "weekly", "publication_lag": "1d",
//     "title": "..."}}}
// units, frequency, publication_lag and title are "" when the catalogue does not know
// the series. The URL never carries an API key.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace sluice::fetch {

inline constexpr const char* manifest_file_name = "sluice-data.json";

struct manifest_entry {
  std::string name;        // the series name: the file's stem
  std::string file;        // file name inside DIR
  std::string source;      // the spec: fred:WTREGEN, yahoo:^RUT, ...
  std::string url;         // what was asked for, secrets removed
  std::string fetched_at;  // UTC, ISO 8601 with a Z
  std::string first, last; // first and last dates in the file (YYYY-MM-DD), "" when empty
  std::size_t rows = 0;    // data rows in the file
  std::string sha256;      // of the file's bytes as written
  std::string units, frequency, publication_lag, title;
};

struct data_manifest {
  std::vector<manifest_entry> series;  // sorted by name
};

// Reads DIR/sluice-data.json. A folder without one gives an empty manifest; a file that
// is not a version-1 manifest gives nullopt with `error` set.
std::optional<data_manifest> read_manifest(const std::string& dir, std::string& error);

// Writes DIR/sluice-data.json atomically.
bool write_manifest(const std::string& dir, const data_manifest& manifest, std::string& error);

// Replaces the entry with the same name, or adds it, keeping the list sorted.
void upsert(data_manifest& manifest, manifest_entry entry);

}  // namespace sluice::fetch
