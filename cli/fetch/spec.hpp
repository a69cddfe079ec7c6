// What `sluice fetch` is asked for: `fred:WTREGEN`, `fred:WALCL@2026-01-08` (an ALFRED
// vintage), `yahoo:^RUT`, `coingecko:ethereum`, `file:https://host/path.csv`.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "interpreter/data/catalog.hpp"

namespace sluice::fetch {

enum class provider { fred, yahoo, coingecko, file };

struct series_spec {
  std::string text;                 // provider:ID[@vintage] (file: its URL without the query)
  provider source = provider::fred;
  std::string id;                   // WTREGEN, ^RUT, ethereum, or the URL for file:
  std::optional<std::string> vintage;  // fred only: YYYY-MM-DD of the ALFRED vintage
  std::optional<std::string> name;     // NAME of NAME=SPEC: the file stem chosen by the user
};

// Parses one SPEC; on failure returns nullopt and sets `error` to a sentence.
std::optional<series_spec> parse_spec(std::string_view text, std::string& error);

// The catalogue row whose source is this spec's `provider:ID` (any case), or nullptr.
const catalog_entry* catalog_row(const series_spec& spec);

// The series name (file stem) a spec is saved under without --as: the catalogue's stem
// (fred:WTREGEN -> wtregen, yahoo:^RUT -> rut), else the id in lower case with other
// characters than letters, digits and `_` made `_`; a vintage appends `_YYYYMMDD`;
// file: takes the URL's last path segment without its extension.
std::string default_name(const series_spec& spec);

// True when `name` is usable as a file stem and series name (letters, digits, `_`, `-`,
// `.`, not starting with `.`).
bool valid_name(std::string_view name);

std::string_view provider_name(provider p);

// True when two specs' texts are the same ignoring ASCII case (`fred:walcl`, `fred:WALCL`).
bool same_source(std::string_view a, std::string_view b);

}  // namespace sluice::fetch
