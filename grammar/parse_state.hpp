// What the parser's actions share: the input type, the error they throw, position and text
// helpers, and parse_state (the operand stack and the statement being built).
// Internal to grammar/: included by the action headers and the driver (parser.cpp).
#pragma once
#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "grammar/grammar.hpp"
#include "grammar/parser.hpp"

namespace sluice::parse_detail {

namespace pegtl = tao::pegtl;
namespace g = grammar;

// The input for one statement: a view into the module's source that starts at the
// statement's own byte/line/column, so PEGTL positions are positions in the whole file.
using statement_input =
    pegtl::memory_input<pegtl::tracking_mode::eager, pegtl::eol::lf_crlf, const char*>;

// Which near-misses (slips.hpp) may explain an error: none for an action's own errors
// ("the duration is too long"), the grammar's for a failed must<> point or unknown text,
// only the number-as-window slips where a duration must stand.
enum class slip_context : std::uint8_t { none, grammar, duration };

// Thrown by actions and by the control's raise(); abandons the statement being parsed.
struct statement_error {
  source_pos pos;
  std::string message;
  std::string note;
  slip_context slips = slip_context::none;
};

template <typename Iterator>
source_pos pos_of(const Iterator& it) {
  return {static_cast<std::uint32_t>(it.byte), static_cast<std::uint32_t>(it.line),
          static_cast<std::uint32_t>(it.column)};
}

// The exact text an action matched: from its first byte to where the input now stands.
template <typename ActionInput>
source_range range_of(const ActionInput& in) {
  return {pos_of(in.iterator()), pos_of(in.input().iterator())};
}

inline std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

inline bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

inline bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The leading name of `text` (a predicate word such as `rises`), lower-cased.
inline std::string leading_word(std::string_view text) {
  std::size_t n = 0;
  while (n < text.size() && is_ident_char(text[n])) ++n;
  return lower(text.substr(0, n));
}

// A short quote of the text at `p` for messages: a name, or up to the next blank.
inline std::string token_at(const char* p, const char* end) {
  constexpr std::size_t max_quote = 24;
  std::size_t n = 0;
  if (p < end && is_letter(*p)) {
    while (p + n < end && is_ident_char(p[n])) ++n;
  } else {
    while (p + n < end && p[n] != ' ' && p[n] != '\t' && p[n] != '\r' && p[n] != '\n') ++n;
  }
  if (n <= max_quote) return std::string(p, n);
  std::size_t cut = max_quote;  // never split a UTF-8 sequence
  while (cut > 0 && (static_cast<unsigned char>(p[cut]) & 0xC0) == 0x80) --cut;
  return std::string(p, cut) + "...";
}

inline bool at_reserved_word(const char* p, const char* end) {
  pegtl::memory_input<> probe(p, end, "");
  return pegtl::parse<g::reserved_word>(probe);
}

// ---- parse state and actions --------------------------------------------------------

// An open '(' of a group or a call: where it is (for "opened at") and how many operands were
// on the stack before it (a call's arguments are the ones above that).
struct open_frame {
  source_pos open;
  std::size_t stack_size = 0;
};

// Everything the actions share while one statement (or fragment) is parsed.
struct parse_state {
  module_ast& m;
  const parse_limits& limits;
  unsigned depth = 0;              // open ( / not / unary - / call
  std::vector<node_id> stack;      // operands of the expression being built
  std::vector<open_frame> frames;  // open parentheses
  std::string str;                 // the last string literal, escapes resolved
  source_pos str_pos;              // ... and its opening quote
  duration dur;                    // the last duration literal
  load_stmt load;                  // the statement being built
  use_stmt use;
  let_stmt let;
  def_stmt def;
  set_stmt set;
  rule_stmt rule;
  universe_stmt uni;
  std::int64_t top_k = 0;  // the K of `top K of U by X`
  action act;
  std::optional<statement> result;

  parse_state(module_ast& module, const parse_limits& lim) : m(module), limits(lim) {}
  parse_state(const parse_state&) = delete;
  parse_state& operator=(const parse_state&) = delete;

  void reset() {
    depth = 0;
    stack.clear();
    frames.clear();
    load = {};
    use = {};
    let = {};
    def = {};
    set = {};
    rule = {};
    uni = {};
    act = {};
    result.reset();
  }

  node_id add(node n) {
    if (m.nodes.size() >= no_node - 1)
      throw statement_error{n.range.begin, "the program has too many expression nodes", {}};
    m.nodes.push_back(std::move(n));
    return static_cast<node_id>(m.nodes.size() - 1);
  }
  node_id push(node n) {
    const node_id id = add(std::move(n));
    stack.push_back(id);
    return id;
  }
  node_id pop() {
    const node_id id = stack.back();
    stack.pop_back();
    return id;
  }
  source_pos begin_of(node_id id) const { return m.nodes[id].range.begin; }

  // Entering a nested ( / not / - / call: bounded so that PEGTL's recursion stays shallow.
  void enter(source_pos where) {
    if (++depth > limits.max_nesting)
      throw statement_error{
          where, fmt::format("expression nested too deeply (limit {})", limits.max_nesting), {}};
  }
  void leave() { --depth; }
};

inline node make_node(node_kind kind, source_range range, std::vector<node_id> kids = {}) {
  node n;
  n.kind = kind;
  n.range = range;
  n.kids = std::move(kids);
  return n;
}

// Parses the digits of a whole-number literal (underscores allowed), or nothing on overflow.
inline std::optional<std::int64_t> whole_number(std::string_view text) {
  std::string clean;
  for (char c : text)
    if (c >= '0' && c <= '9') clean.push_back(c);
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(clean.data(), clean.data() + clean.size(), value);
  if (ec != std::errc() || ptr != clean.data() + clean.size()) return std::nullopt;
  return value;
}


}  // namespace sluice::parse_detail
