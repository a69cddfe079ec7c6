// `sluice repl [--data DIR] [FILE...]`: an interactive session over the rule language
// (libedit line editing, history in ~/.sluice_history, Tab completion). On a non-terminal
// stdin the input is read as a script: no prompts, no colour, exit status 1 if a line failed.
#pragma once
#include <string>
#include <vector>

#include "interpreter/compile/compiler.hpp"

namespace sluice {

int repl_command(const std::vector<std::string>& files, std::vector<host_series> host,
                 bool exact = false);

// Splitting typed lines into inputs: does `text` need more lines (a line ending with ':'
// or an open parenthesis)? Exposed for tests of the line assembly.
bool repl_wants_more(const std::string& text);

// A script (piped stdin) cut into inputs: a statement continues over indented lines and
// after a line ending with ':'; a blank line ends it. (An unclosed parenthesis does not
// swallow the unindented lines after it: they are the script's next inputs.)
std::vector<std::string> repl_split_script(const std::vector<std::string>& lines);

}  // namespace sluice
