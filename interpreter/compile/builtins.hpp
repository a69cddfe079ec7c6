// The builtin functions' names, from the one builtin table (builtins.cpp): the compiler
// lowers them, the reference evaluator gives them their meaning, and the REPL completes
// them; all three read this list rather than a copy.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

std::vector<std::string> builtin_names();
bool is_builtin(std::string_view name);

}  // namespace sluice
