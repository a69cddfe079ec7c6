// The series catalogue: what Sluice knows about the series people usually load, by the
// names rules use, the ids their publishers give them and the file stems downloads get.
// One table read by the run (publication lags applied to --data series, coverage lines),
// `sluice fetch` (file names and the manifest's units and lags) and `sluice watch` (how
// long to wait for a series before a point counts as complete).
#pragma once
#include <span>
#include <string_view>

#include "interpreter/time.hpp"

namespace sluice {

struct catalog_entry {
  std::string_view name;       // the name rules use after the prelude: "tga"
  std::string_view stem;       // the file stem and series id Sluice loads: "wtregen"
  std::string_view source;     // where it is published, as `sluice fetch` spells it: "fred:WTREGEN"
  std::string_view title;      // what it measures, in a few words
  std::string_view units;      // "millions of USD", "index points", "percent", "USD"
  std::string_view frequency;  // "daily", "weekly", "monthly"
  duration spacing;            // the usual gap between observations (1d, 7d, 1mo)
  duration publication_lag;    // time from an observation's date to its publication
};

// Every entry, in a fixed order.
std::span<const catalog_entry> series_catalog();

// The entry whose name, stem or source id (without the `provider:` prefix, any case)
// matches `key`, or nullptr.
const catalog_entry* find_catalog_entry(std::string_view key);

}  // namespace sluice
