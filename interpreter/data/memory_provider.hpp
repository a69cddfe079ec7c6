// Series held in memory by an embedding host (no CSV): the series_provider of the embedding
// API's batch runs. Host series come from memory; `load` statements (when the engine allows
// files) still read their CSV files.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "interpreter/run/provider.hpp"

namespace sluice {

// Keyed by the column name a program reads: "btc" or "btc.volume" (lower case). Entries are
// shared and immutable, so snapshotting a table for a program copies pointers, not data.
using series_table = std::map<std::string, std::shared_ptr<const observations>, std::less<>>;

class memory_provider : public series_provider {
 public:
  explicit memory_provider(std::shared_ptr<const series_table> series) : series_(std::move(series)) {}
  // `load` files are read confined to this folder (see csv_provider::confine_to).
  memory_provider(std::shared_ptr<const series_table> series, std::string file_root)
      : series_(std::move(series)) {
    files_.confine_to(std::move(file_root));
  }
  bool fetch(const series_spec& spec, const std::string& field, observations& out,
             diagnostics& diags) override;

 private:
  std::shared_ptr<const series_table> series_;
  csv_provider files_;
};

}  // namespace sluice
