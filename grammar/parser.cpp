// The parser's driver: splits a file into statements (statement_splitter), parses each one
// with the rules of grammar.hpp and the actions of statement_actions.hpp (which push nodes
// on an operand stack), and turns every failure into one diagnostic before resuming at the
// next statement. Also parses `{expr}` fragments and classifies REPL input.
#include "grammar/parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include "grammar/parse_control.hpp"
#include "grammar/slips.hpp"
#include "grammar/statement_actions.hpp"
#include "grammar/statement_splitter.hpp"

namespace sluice {
namespace {

using namespace parse_detail;

diagnostic error_at(const std::string& file, source_pos pos, std::string message,
                    std::string note = {}) {
  diagnostic d;
  d.file = file;
  d.pos = pos;
  d.message = std::move(message);
  d.note = std::move(note);
  return d;
}

// The error with its "did you mean" note, when a known slip explains it: `source` from
// `begin` up to the error is what was written before it, from the error to `end` after.
diagnostic with_slip(const module_ast& m, const statement_error& e, std::uint32_t begin,
                     std::uint32_t end) {
  diagnostic d = error_at(m.source_name, e.pos, e.message, e.note);
  if (e.note.empty() && e.slips != slip_context::none && e.pos.offset >= begin &&
      e.pos.offset <= end) {
    const std::string_view src(m.source);
    d.note = slip_note(src.substr(begin, e.pos.offset - begin),
                       src.substr(e.pos.offset, end - e.pos.offset),
                       e.slips == slip_context::duration);
  }
  return d;
}

// Parses one statement span; its nodes are kept only when the whole statement parses.
void parse_statement(parse_state& s, const statement_span& span, std::vector<diagnostic>& out) {
  module_ast& m = s.m;
  if (span.bad) {
    out.push_back(*span.bad);
    return;
  }
  s.reset();
  const std::size_t arena_size = m.nodes.size();
  statement_input in(m.source.data() + span.begin, m.source.data() + span.end, "", span.begin,
                     span.line, 1);
  try {
    pegtl::parse<g::statement_unit, build, control>(in, s);
    if (!in.empty()) {
      const bool is_rule = std::holds_alternative<rule_stmt>(s.result->body);
      throw statement_error{pos_of(in.iterator()),
                            fmt::format("unknown text '{}' after the {}",
                                        token_at(in.current(), in.end()),
                                        is_rule ? "rule" : "statement"),
                            {},
                            slip_context::grammar};
    }
    m.statements.push_back(std::move(*s.result));
  } catch (const statement_error& e) {
    m.nodes.erase(m.nodes.begin() + static_cast<std::ptrdiff_t>(arena_size), m.nodes.end());
    out.push_back(with_slip(m, e, span.begin, span.end));
  }
}

thread_local position_work work_counters;

// One pass over m.source: the offset where each line starts. A BOM is not part of line 1.
void index_lines(module_ast& m) {
  m.line_starts.clear();
  m.line_starts.push_back(has_bom(m.source) ? 3 : 0);
  for (std::size_t i = m.line_starts.front(); i < m.source.size(); ++i)
    if (m.source[i] == '\n') m.line_starts.push_back(static_cast<std::uint32_t>(i + 1));
  work_counters.bytes_scanned += m.source.size();
}

// Where offset `target` of m.source is: a binary search in the module's line index, so that
// locating every `{expr}` hole of a file costs O(log lines) each, not a count from the top
// of the file (which made a file of many alert holes quadratic). Columns count bytes from
// 1, as PEGTL's do. A module without an index (built by hand, not by parse_module) is
// counted through from the top.
source_pos locate(const module_ast& m, std::uint32_t target) {
  if (m.line_starts.empty()) {
    source_pos pos;
    if (has_bom(m.source) && target >= 3) pos.offset = 3;
    work_counters.bytes_scanned += target - pos.offset;
    for (; pos.offset < target; ++pos.offset) {
      if (m.source[pos.offset] == '\n') {
        ++pos.line;
        pos.column = 1;
      } else {
        ++pos.column;
      }
    }
    return pos;
  }
  const auto after = std::upper_bound(m.line_starts.begin(), m.line_starts.end(), target);
  if (after == m.line_starts.begin()) return {target, 1, target + 1};  // inside the BOM
  const std::uint32_t line_begin = *std::prev(after);
  return {target, static_cast<std::uint32_t>(after - m.line_starts.begin()),
          target - line_begin + 1};
}

}  // namespace

module_ast parse_module(std::string source_name, std::string source, diagnostics& diags,
                        const parse_limits& limits) {
  module_ast m;
  m.source_name = std::move(source_name);
  m.source = std::move(source);
  // Offsets are 32-bit in source_pos: that, not only the configured limit, bounds a file.
  const std::size_t max_bytes = std::min<std::size_t>(
      limits.max_source_bytes, std::numeric_limits<std::uint32_t>::max() - 1);
  if (m.source.size() > max_bytes) {
    diagnostic d = error_at(m.source_name, {},
                            fmt::format("the source is {} bytes, more than the limit of {} bytes",
                                        m.source.size(), max_bytes));
    d.has_pos = false;
    diags.add(std::move(d));
    return m;
  }
  index_lines(m);
  parse_state s{m, limits};
  std::vector<diagnostic> found;
  split_statements(
      m.source, m.source_name,
      [&](const statement_span& span) { parse_statement(s, span, found); },
      [&](diagnostic d) { found.push_back(std::move(d)); });
  // Bad bytes on comment lines are found before the statement above them is parsed.
  std::stable_sort(found.begin(), found.end(), [](const diagnostic& a, const diagnostic& b) {
    return a.pos.offset < b.pos.offset;
  });
  for (auto& d : found) diags.add(std::move(d));
  return m;
}

node_id parse_fragment(module_ast& m, std::uint32_t begin, std::uint32_t end, diagnostics& diags,
                       const parse_limits& limits) {
  if (begin > end || end > m.source.size()) {
    diagnostic d = error_at(m.source_name, {}, "expression fragment lies outside the source");
    d.has_pos = false;
    diags.add(std::move(d));
    return no_node;
  }
  if (m.line_starts.empty()) index_lines(m);
  const source_pos start = locate(m, begin);
  const std::string_view text = std::string_view(m.source).substr(begin, end - begin);
  if (auto bad = find_bad_byte(text)) {
    diags.add(error_at(m.source_name, locate(m, begin + static_cast<std::uint32_t>(bad->first)),
                       bad->second));
    return no_node;
  }
  parse_state s{m, limits};
  const std::size_t arena_size = m.nodes.size();
  statement_input in(text.data(), text.data() + text.size(), "", start.offset, start.line,
                     start.column);
  try {
    pegtl::parse<g::fragment_unit, build, control>(in, s);
    if (!in.empty()) {
      // `rut > 2600 watch btc` typed in the REPL: say what a rule file says (`then`).
      const std::string rest = token_at(in.current(), in.end());
      throw statement_error{pos_of(in.iterator()),
                            is_action_word(rest)
                                ? std::string(g::error_message<g::then_clause>)
                                : fmt::format("unknown text '{}' after the expression", rest),
                            {},
                            slip_context::grammar};
    }
    return s.stack.back();
  } catch (const statement_error& e) {
    m.nodes.erase(m.nodes.begin() + static_cast<std::ptrdiff_t>(arena_size), m.nodes.end());
    diags.add(with_slip(m, e, begin, end));
    return no_node;
  }
}

position_work& position_work_counters() { return work_counters; }

source_pos position_of(const module_ast& m, std::uint32_t offset) {
  return locate(m, std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(m.source.size())));
}

bool looks_like_statement(std::string_view text) {
  if (has_bom(text)) text.remove_prefix(3);
  {
    pegtl::memory_input<> probe(text.data(), text.data() + text.size(), "");
    if (pegtl::parse<pegtl::seq<
            g::sep, pegtl::sor<g::kw_rule, g::kw_let, g::kw_def, g::kw_load, g::kw_use, g::kw_set,
                               pegtl::seq<g::kw_universe, g::sep, g::plain_name, g::sep,
                                          pegtl::one<'='>>>>>(probe))
      return true;
  }
  // Otherwise a short rule is the only statement: look for the word `then` outside
  // strings and comments.
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"' && text[i] != '\n'; ++i)
        if (text[i] == '\\') ++i;
      ++i;
    } else if (c == '#' || (c == '/' && i + 1 < text.size() && text[i + 1] == '/')) {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (is_ident_char(c)) {
      const std::size_t start = i;
      while (i < text.size() && is_ident_char(text[i])) ++i;
      if (is_letter(c) && lower(text.substr(start, i - start)) == "then") return true;
    } else {
      ++i;
    }
  }
  return false;
}

}  // namespace sluice
