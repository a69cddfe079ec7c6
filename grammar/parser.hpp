// The parser's public face: source text -> module_ast (statements + node arena), with
// every parse error reported as a diagnostic and parsing resumed at the next statement.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "interpreter/ast.hpp"
#include "interpreter/diagnostics.hpp"
#include "interpreter/limits.hpp"  // parse_limits

namespace sluice {

// Parses a whole source file. Statements that fail are reported (file:line:col, message in
// words) and skipped; parsing resumes at the next statement, so one pass reports all parse
// errors. A statement starts on a line that is not indented and continues over following
// lines while they are indented or while parentheses are open.
module_ast parse_module(std::string source_name, std::string source, diagnostics& diags,
                        const parse_limits& limits = {});

// Parses m.source[begin, end) as one expression/condition into m's arena (used for the
// `{expr}` holes of alert text, and by the REPL). Positions refer to m.source. Returns
// no_node after reporting an error.
node_id parse_fragment(module_ast& m, std::uint32_t begin, std::uint32_t end, diagnostics& diags,
                       const parse_limits& limits = {});

// The line and column of byte `offset` of m.source (columns count bytes from 1; a BOM is
// not part of line 1): a binary search in m.line_starts, which parse_module builds in one
// pass, so locating every `{expr}` hole of a file stays linear in its size.
source_pos position_of(const module_ast& m, std::uint32_t offset);

// Bytes of source the parser has scanned to compute line/column positions on this thread
// (the line index, and counting from the top in a module that has none). Tests read it to
// check that positions cost linear work in the text, by counting rather than timing.
struct position_work {
  std::uint64_t bytes_scanned = 0;
};
position_work& position_work_counters();

// Classifies REPL input: true when `text` is meant as a statement (it starts with load, use,
// let, def, set or rule, or it contains the word `then` outside strings and comments, i.e. a
// short rule), false when it is an expression or condition. Incomplete statements count as
// statements, so that the REPL reports their errors as statement errors.
bool looks_like_statement(std::string_view text);

}  // namespace sluice
