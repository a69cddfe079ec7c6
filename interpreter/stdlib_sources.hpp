// The standard library modules (stdlib/*.sluice), embedded at build time.
#pragma once
#include <string_view>
#include <vector>

namespace sluice {

struct stdlib_module {
  std::string_view name;    // file stem: "prelude", "liquidity"
  std::string_view source;  // the module's Sluice text
};

// All embedded modules; the prelude is loaded into every program.
const std::vector<stdlib_module>& stdlib_modules();

}  // namespace sluice
