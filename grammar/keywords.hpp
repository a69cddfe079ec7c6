// The language's keywords, read from the grammar itself (grammar.hpp's reserved_word), so
// that REPL completion and anything else that lists them cannot drift from what parses.
#pragma once
#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

// Every reserved word, lower case, in the grammar's order.
const std::vector<std::string>& reserved_words();

// The keys of a `set` statement (checked by the compiler, completed by the REPL).
inline constexpr std::array<std::string_view, 3> setting_names = {"window", "horizons", "lag"};

}  // namespace sluice
