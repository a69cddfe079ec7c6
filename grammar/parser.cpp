// Builds module_ast from rule text: splits a file into statements, parses each one with the
// rules of grammar.hpp and the actions below (which push nodes on an operand stack), and turns
// every failure into one diagnostic before resuming at the next statement.
#include "grammar/parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>

#include "grammar/grammar.hpp"

namespace sluice {
namespace {

namespace pegtl = tao::pegtl;
namespace g = grammar;

// The input for one statement: a view into the module's source that starts at the
// statement's own byte/line/column, so PEGTL positions are positions in the whole file.
using statement_input =
    pegtl::memory_input<pegtl::tracking_mode::eager, pegtl::eol::lf_crlf, const char*>;

// Thrown by actions and by the control's raise(); abandons the statement being parsed.
struct statement_error {
  source_pos pos;
  std::string message;
  std::string note;
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

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The leading name of `text` (a predicate word such as `rises`), lower-cased.
std::string leading_word(std::string_view text) {
  std::size_t n = 0;
  while (n < text.size() && is_ident_char(text[n])) ++n;
  return lower(text.substr(0, n));
}

// A short quote of the text at `p` for messages: a name, or up to the next blank.
std::string token_at(const char* p, const char* end) {
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

bool at_reserved_word(const char* p, const char* end) {
  pegtl::memory_input<> probe(p, end, "");
  return pegtl::parse<g::reserved_word>(probe);
}

// Length of the valid UTF-8 sequence at p (1 to 4 bytes), or 0 when the bytes there are
// not UTF-8 (overlong forms, surrogates and code points past U+10FFFF included).
std::size_t utf8_length(const unsigned char* p, const unsigned char* end) {
  const unsigned c = p[0];
  auto cont = [&](std::size_t i, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return p + i < end && p[i] >= lo && p[i] <= hi;
  };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

// Scans [begin, end) for a NUL byte or bytes that are not UTF-8; returns the offset of the
// first one (relative to begin) and a message, or nothing when the text is clean.
std::optional<std::pair<std::size_t, std::string>> find_bad_byte(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  for (const auto* q = p; q < end;) {
    if (*q == 0) return std::pair{static_cast<std::size_t>(q - p), std::string("NUL byte in the source")};
    const std::size_t n = utf8_length(q, end);
    if (n == 0)
      return std::pair{static_cast<std::size_t>(q - p), fmt::format("invalid UTF-8 (byte 0x{:02x})", *q)};
    q += n;
  }
  return std::nullopt;
}

bool has_bom(std::string_view text) { return text.substr(0, 3) == "\xEF\xBB\xBF"; }

// ---- statement splitting ------------------------------------------------------------

// One statement's text: whole lines [begin, end) starting at `line`, column 1.
struct statement_span {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  std::uint32_t line = 1;
  std::optional<diagnostic> bad;  // first NUL / invalid UTF-8 byte inside it
};

// A line at column 1 that starts with a statement keyword begins a new statement even while
// parentheses are open: no expression can continue with those (reserved) words, and this
// keeps one unclosed '(' from swallowing the rest of the file.
bool starts_with_statement_keyword(const char* p, const char* end) {
  pegtl::memory_input<> probe(p, end, "");
  return pegtl::parse<pegtl::sor<g::kw_rule, g::kw_let, g::kw_def, g::kw_load, g::kw_use,
                                 g::kw_set>>(probe);
}

// Cuts `src` into statements, one pass over its bytes. A non-blank line that is not
// indented starts a statement, unless parentheses are still open; blank and comment-only
// lines belong to no statement. Bad bytes on such lines are passed to on_error at once; on
// statement lines they are kept with the statement, which then reports only that.
template <typename OnStatement, typename OnError>
void split_statements(std::string_view src, const std::string& file, OnStatement&& on_statement,
                      OnError&& on_error) {
  std::optional<statement_span> current;
  long parens = 0;
  std::uint32_t line = 1;
  for (std::size_t pos = has_bom(src) ? 3 : 0; pos < src.size(); ++line) {
    const std::size_t ls = pos;
    std::size_t le = src.find('\n', pos);
    if (le == std::string_view::npos) le = src.size();
    pos = le + 1;

    std::size_t first = ls;
    while (first < le && (src[first] == ' ' || src[first] == '\t' || src[first] == '\r')) ++first;
    const bool blank = first == le || src[first] == '#' ||
                       (src[first] == '/' && first + 1 < le && src[first + 1] == '/');
    // A CRLF line's '\r' is left out, so that "expected ..." at its end points at the
    // last visible column + 1, as it does on an LF line.
    const std::size_t content_end = le > ls && src[le - 1] == '\r' ? le - 1 : le;
    if (!blank) {
      const bool indented = src[ls] == ' ' || src[ls] == '\t';
      const bool continues =
          current && (indented || (parens > 0 && !starts_with_statement_keyword(
                                                     src.data() + first, src.data() + le)));
      if (continues) {
        current->end = static_cast<std::uint32_t>(content_end);
      } else {
        if (current) on_statement(*current);
        current = statement_span{static_cast<std::uint32_t>(ls),
                                 static_cast<std::uint32_t>(content_end), line, std::nullopt};
        parens = 0;
      }
    }

    // Parentheses outside strings and comments; bytes that are not UTF-8 anywhere.
    bool in_string = false;
    bool in_comment = false;
    std::optional<std::size_t> bad_at;
    std::string bad_message;
    const auto* bytes = reinterpret_cast<const unsigned char*>(src.data());
    for (std::size_t i = ls; i < le;) {
      const unsigned char c = bytes[i];
      if (c == 0 || c >= 0x80) {
        const std::size_t n = c == 0 ? 0 : utf8_length(bytes + i, bytes + le);
        if (n == 0) {
          if (!bad_at) {
            bad_at = i;
            bad_message = c == 0 ? std::string("NUL byte in the source")
                                 : fmt::format("invalid UTF-8 (byte 0x{:02x})", c);
          }
          ++i;
        } else {
          i += n;
        }
        continue;
      }
      if (in_comment) {
        ++i;
      } else if (in_string) {
        if (c == '\\' && i + 1 < le && (src[i + 1] == '"' || src[i + 1] == '\\')) ++i;
        else if (c == '"') in_string = false;
        ++i;
      } else {
        if (c == '"') in_string = true;
        else if (c == '#' || (c == '/' && i + 1 < le && src[i + 1] == '/')) in_comment = true;
        else if (c == '(' && !blank) ++parens;
        else if (c == ')' && !blank && parens > 0) --parens;
        ++i;
      }
    }
    if (bad_at) {
      diagnostic d;
      d.file = file;
      d.message = std::move(bad_message);
      const std::size_t col_base = (line == 1 && has_bom(src)) ? 3 : ls;
      d.pos = {static_cast<std::uint32_t>(*bad_at), line,
               static_cast<std::uint32_t>(*bad_at - col_base + 1)};
      if (blank) on_error(std::move(d));
      else if (!current->bad) current->bad = std::move(d);
    }
  }
  if (current) on_statement(*current);
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

node make_node(node_kind kind, source_range range, std::vector<node_id> kids = {}) {
  node n;
  n.kind = kind;
  n.range = range;
  n.kids = std::move(kids);
  return n;
}

// Parses the digits of a whole-number literal (underscores allowed), or nothing on overflow.
std::optional<std::int64_t> whole_number(std::string_view text) {
  std::string clean;
  for (char c : text)
    if (c >= '0' && c <= '9') clean.push_back(c);
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(clean.data(), clean.data() + clean.size(), value);
  if (ec != std::errc() || ptr != clean.data() + clean.size()) return std::nullopt;
  return value;
}

template <typename Rule>
struct build : pegtl::nothing<Rule> {};

// A node made from operands already on the stack: lhs (the leftmost) gives the start.
template <typename ActionInput>
void push_operator(parse_state& s, const ActionInput& in, node_kind kind, std::uint8_t op,
                   std::size_t operands, std::string text = {}) {
  std::vector<node_id> kids(operands);
  for (std::size_t i = operands; i-- > 0;) kids[i] = s.pop();
  const source_range range{s.begin_of(kids[0]), pos_of(in.input().iterator())};
  node n = make_node(kind, range, std::move(kids));
  n.op = op;
  n.text = std::move(text);
  s.push(std::move(n));
}

// Rules whose action builds `kind` with `operands` operands from the stack and operator `op`.
template <node_kind Kind, std::uint8_t Op, std::size_t Operands>
struct build_operator {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    push_operator(s, in, Kind, Op, Operands);
  }
};

constexpr auto op_of(compare_op op) { return static_cast<std::uint8_t>(op); }
constexpr auto op_of(direction d) { return static_cast<std::uint8_t>(d); }

// -- lexical --

template <>
struct build<g::identifier> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    if (in.size() > s.limits.max_identifier)
      throw statement_error{
          pos_of(in.iterator()),
          fmt::format("name is longer than {} characters", s.limits.max_identifier), {}};
  }
};

template <>
struct build<g::number> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    const std::string_view text = in.string_view();
    node n = make_node(node_kind::number, range_of(in));
    std::size_t i = 0;
    for (; i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '_' || text[i] == '.'); ++i)
      if (text[i] != '_') n.digits.push_back(text[i]);
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
      ++i;
      const bool negative = text[i] == '-';
      if (text[i] == '-' || text[i] == '+') ++i;
      const std::size_t start = i;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
      int exponent = 0;
      // Six digits of exponent are far beyond any double or 34-digit decimal already.
      const auto [ptr, ec] = std::from_chars(text.data() + start, text.data() + i, exponent);
      if (ec != std::errc() || i - start > 6 || ptr != text.data() + i)
        throw statement_error{pos_of(in.iterator()), "the number's exponent is too large", {}};
      n.exponent10 = negative ? -exponent : exponent;
    }
    if (i < text.size()) {
      switch (text[i]) {
        case 'k': case 'K': n.exponent10 += 3; break;
        case 'm': case 'M': n.exponent10 += 6; break;
        case 'b': case 'B': n.exponent10 += 9; break;
        case 't': case 'T': n.exponent10 += 12; break;
        case '%': n.exponent10 -= 2; n.is_percent = true; break;
        default: break;
      }
    }
    s.push(std::move(n));
  }
};

template <>
struct build<g::duration> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    const std::string_view text = in.string_view();
    std::size_t i = 0;
    while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '_')) ++i;
    const auto count = whole_number(text.substr(0, i));
    std::string unit = lower(text.substr(i));
    unit.erase(0, unit.find_first_not_of(" \t"));
    duration d;
    std::int64_t scale = 1;
    if (unit == "d" || unit == "day" || unit == "days") {
      d.kind = duration::unit::days;
    } else if (unit == "w" || unit == "week" || unit == "weeks") {
      d.kind = duration::unit::days;  // weeks are stored as days
      scale = 7;
    } else if (unit == "mo" || unit == "month" || unit == "months") {
      d.kind = duration::unit::months;
    } else if (unit == "y" || unit == "year" || unit == "years") {
      d.kind = duration::unit::months;  // years are stored as months
      scale = 12;
    } else {
      d.kind = duration::unit::bars;
    }
    // A bound far past any data set, and small enough that date arithmetic cannot overflow.
    constexpr std::int64_t max_count = 1'000'000;
    if (!count || *count > max_count / scale)
      throw statement_error{pos_of(in.iterator()), "the duration is too long", {}};
    d.count = *count * scale;
    s.dur = d;
  }
};

template <>
struct build<g::duration_node> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    node n = make_node(node_kind::duration, range_of(in));
    n.dur = s.dur;
    s.push(std::move(n));
  }
};

template <>
struct build<g::date> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    const auto t = parse_iso_date(in.string_view());
    if (!t)
      throw statement_error{pos_of(in.iterator()),
                            fmt::format("invalid date '{}'", in.string_view()), {}};
    node n = make_node(node_kind::date, range_of(in));
    n.time = *t;
    s.push(std::move(n));
  }
};

template <>
struct build<g::string_open> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    s.str_pos = pos_of(in.iterator());
  }
};

template <>
struct build<g::string_lit> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    const std::string_view body = in.string_view().substr(1, in.size() - 2);
    s.str.clear();
    for (std::size_t i = 0; i < body.size(); ++i) {
      if (body[i] == '\\') ++i;  // the grammar allowed only \" and \\ here
      s.str.push_back(body[i]);
    }
  }
};

template <>
struct build<g::string_node> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    node n = make_node(node_kind::string, range_of(in));
    n.text = s.str;
    s.push(std::move(n));
  }
};

// -- primaries and postfix --

template <>
struct build<g::name_ref> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    node n = make_node(node_kind::name, range_of(in));
    n.text = lower(in.string_view());
    s.push(std::move(n));
  }
};

template <>
struct build<g::field_ref> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    const std::string_view text = in.string_view();
    const std::size_t dot = text.find('.');
    node n = make_node(node_kind::field, range_of(in));
    n.text = lower(text.substr(0, dot));
    n.field = lower(text.substr(dot + 1));
    s.push(std::move(n));
  }
};

template <>
struct build<g::open_paren> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    const source_pos where = pos_of(in.iterator());
    s.enter(where);
    s.frames.push_back({where, s.stack.size()});
  }
};

template <>
struct build<g::paren_expr> {
  template <typename ActionInput>
  static void apply(const ActionInput&, parse_state& s) {
    s.frames.pop_back();  // the inner expression's node stands for the group
    s.leave();
  }
};

// A call nests at its name (a too-deep error points at `abs` of `abs(`); "opened at" in
// a missing-')' error points at its '('.
template <>
struct build<g::call_open> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    const source_pos paren = pos_of(in.iterator());
    std::uint32_t name_length = 0;  // the name is on the same line, just before '('
    while (in.begin() - name_length > in.input().begin() &&
           is_ident_char(in.begin()[-static_cast<std::ptrdiff_t>(name_length) - 1]))
      ++name_length;
    s.enter({paren.offset - name_length, paren.line, paren.column - name_length});
    s.frames.push_back({paren, s.stack.size()});
  }
};

template <>
struct build<g::call_rest> {
  template <typename ActionInput>
  static void apply(const ActionInput&, parse_state& s) {
    s.leave();
  }
};

template <>
struct build<g::call> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    const open_frame frame = s.frames.back();
    s.frames.pop_back();
    node n = make_node(node_kind::call, range_of(in),
                       {s.stack.begin() + static_cast<std::ptrdiff_t>(frame.stack_size), s.stack.end()});
    s.stack.resize(frame.stack_size);
    n.text = leading_word(in.string_view());
    s.push(std::move(n));
  }
};

template <>
struct build<g::index_suffix> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    const auto count = whole_number(in.string_view());
    if (!count) throw statement_error{pos_of(in.iterator()), "the number of bars is too large", {}};
    push_operator(s, in, node_kind::index, 0, 1);
    s.m.nodes[s.stack.back()].count = *count;
  }
};

template <>
struct build<g::minus_sign> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    s.enter(pos_of(in.iterator()));
  }
};

template <>
struct build<g::negation> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    s.leave();
    const node_id x = s.pop();
    s.push(make_node(node_kind::negate, range_of(in), {x}));
  }
};

// -- arithmetic and predicates --

template <> struct build<g::times_tail> : build_operator<node_kind::binary, '*', 2> {};
template <> struct build<g::divide_tail> : build_operator<node_kind::binary, '/', 2> {};
template <> struct build<g::plus_tail> : build_operator<node_kind::binary, '+', 2> {};
template <> struct build<g::minus_tail> : build_operator<node_kind::binary, '-', 2> {};

template <> struct build<g::ge_tail> : build_operator<node_kind::compare, op_of(compare_op::ge), 2> {};
template <> struct build<g::gt_tail> : build_operator<node_kind::compare, op_of(compare_op::gt), 2> {};
template <> struct build<g::le_tail> : build_operator<node_kind::compare, op_of(compare_op::le), 2> {};
template <> struct build<g::lt_tail> : build_operator<node_kind::compare, op_of(compare_op::lt), 2> {};
template <> struct build<g::eq_tail> : build_operator<node_kind::compare, op_of(compare_op::eq), 2> {};
template <> struct build<g::ne_tail> : build_operator<node_kind::compare, op_of(compare_op::ne), 2> {};
template <> struct build<g::above_tail> : build_operator<node_kind::compare, op_of(compare_op::gt), 2> {};
template <> struct build<g::below_tail> : build_operator<node_kind::compare, op_of(compare_op::lt), 2> {};
template <> struct build<g::between_tail> : build_operator<node_kind::between, 0, 3> {};
template <> struct build<g::cross_above> : build_operator<node_kind::crosses, op_of(direction::up), 2> {};
template <> struct build<g::cross_below> : build_operator<node_kind::crosses, op_of(direction::down), 2> {};

// breaks L / breaks above L / breaks below L: crosses, remembering the word for messages.
template <direction Dir>
struct build_breaks {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    push_operator(s, in, node_kind::crosses, op_of(Dir), 2, "breaks");
  }
};
template <> struct build<g::break_above> : build_breaks<direction::up> {};
template <> struct build<g::break_below> : build_breaks<direction::down> {};
template <> struct build<g::break_plain> : build_breaks<direction::up> {};

// An optional operand that is absent: its slot in `kids` is no_node.
template <>
struct build<g::no_operand> {
  template <typename ActionInput>
  static void apply(const ActionInput&, parse_state& s) {
    s.stack.push_back(no_node);
  }
};

template <>
struct build<g::change_tail> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    std::string word = leading_word(in.string_view());
    const direction dir = word == "rises" || word == "widens" ? direction::up : direction::down;
    push_operator(s, in, node_kind::change, op_of(dir), 3, std::move(word));
  }
};

template <>
struct build<g::perform_tail> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    std::string word = leading_word(in.string_view());
    const direction dir = word == "outperforms" || word == "leads" ? direction::up : direction::down;
    push_operator(s, in, node_kind::perform, op_of(dir), 3, std::move(word));
  }
};

template <> struct build<g::extreme_high> : build_operator<node_kind::new_extreme, op_of(direction::up), 2> {};
template <> struct build<g::extreme_low> : build_operator<node_kind::new_extreme, op_of(direction::down), 2> {};

// -- temporal and logic --

template <> struct build<g::for_tail> : build_operator<node_kind::for_, 0, 2> {};
template <> struct build<g::within_tail> : build_operator<node_kind::within, 0, 2> {};
template <> struct build<g::and_tail> : build_operator<node_kind::and_, 0, 2> {};
template <> struct build<g::or_tail> : build_operator<node_kind::or_, 0, 2> {};

template <>
struct build<g::not_word> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    s.enter(pos_of(in.iterator()));
  }
};

template <>
struct build<g::not_op> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    s.leave();
    const node_id x = s.pop();
    s.push(make_node(node_kind::not_, range_of(in), {x}));
  }
};

// B's or_expr swallowed the window as its own postfix `within`; that node becomes the
// followed_by node (A, B, W), so no node is left unused in the arena.
template <>
struct build<g::followed_tail> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    const node_id rhs = s.pop();
    const node_id lhs = s.pop();
    node& w = s.m.nodes[rhs];
    if (w.kind != node_kind::within)
      throw statement_error{w.range.end, "expected 'within D' after 'followed by ...'", {}};
    w.kind = node_kind::followed_by;
    w.kids = {lhs, w.kids[0], w.kids[1]};
    w.range = {s.begin_of(lhs), pos_of(in.input().iterator())};
    s.stack.push_back(rhs);
  }
};

// -- statements --

template <typename ActionInput>
[[noreturn]] void given_twice(const ActionInput& in, std::string_view what) {
  throw statement_error{pos_of(in.iterator()), fmt::format("'{}' is given twice", what), {}};
}

template <typename ActionInput>
void finish(parse_state& s, const ActionInput& in, auto&& body) {
  s.result = statement{range_of(in), std::forward<decltype(body)>(body)};
}

template <>
struct build<g::load_name> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    s.load.name = lower(in.string_view());
  }
};

template <>
struct build<g::load_path> {
  template <typename ActionInput>
  static void apply(const ActionInput&, parse_state& s) {
    s.load.path = s.str;
  }
};

template <>
struct build<g::column_option> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    if (s.load.column) given_twice(in, "column");
    s.load.column = s.str;
  }
};

template <>
struct build<g::lag_option> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    if (s.load.lag) given_twice(in, "lag");
    s.load.lag = s.dur;
  }
};

template <>
struct build<g::stale_option> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    if (s.load.stale) given_twice(in, "stale");
    s.load.stale = s.dur;
  }
};

template <>
struct build<g::load_stmt> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    finish(s, in, std::move(s.load));
  }
};

template <>
struct build<g::use_path> {
  template <typename ActionInput>
  static void apply(const ActionInput&, parse_state& s) {
    s.use = {s.str, true};
  }
};

template <>
struct build<g::use_module> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    s.use = {lower(in.string_view()), false};
  }
};

template <>
struct build<g::use_stmt> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    finish(s, in, std::move(s.use));
  }
};

template <>
struct build<g::let_name> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    s.let.name = lower(in.string_view());
  }
};

template <>
struct build<g::let_stmt> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    s.let.value = s.pop();
    finish(s, in, std::move(s.let));
  }
};

template <>
struct build<g::def_name> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    s.def.name = lower(in.string_view());
  }
};

template <>
struct build<g::def_param> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    s.def.params.push_back(lower(in.string_view()));
  }
};

template <>
struct build<g::def_stmt> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    s.def.body = s.pop();
    finish(s, in, std::move(s.def));
  }
};

template <>
struct build<g::set_key> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    s.set.key = lower(in.string_view());
  }
};

template <>
struct build<g::set_value> {
  template <typename ActionInput>
  static void apply(const ActionInput&, parse_state& s) {
    s.set.values.push_back(s.pop());
  }
};

template <>
struct build<g::set_stmt> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    finish(s, in, std::move(s.set));
  }
};

template <>
struct build<g::watch_name> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    s.act = {};
    s.act.what = action::kind::watch;
    s.act.name = lower(in.string_view());
    node n = make_node(node_kind::name, range_of(in));
    n.text = s.act.name;
    s.act.target = s.add(std::move(n));
  }
};

template <>
struct build<g::watch_for> {
  template <typename ActionInput>
  static void apply(const ActionInput&, parse_state& s) {
    s.act.watch_for = s.dur;
  }
};

template <>
struct build<g::alert_text> {
  template <typename ActionInput>
  static void apply(const ActionInput&, parse_state& s) {
    s.act = {};
    s.act.what = action::kind::alert;
    s.act.text = s.str;
    s.act.text_pos = s.str_pos;
  }
};

template <>
struct build<g::signal_name> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    s.act = {};
    s.act.what = action::kind::signal;
    s.act.name = lower(in.string_view());
  }
};

// Each complete action is appended to the rule being built.
struct build_action {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    s.act.range = range_of(in);
    s.rule.actions.push_back(std::move(s.act));
    s.act = {};
  }
};
template <> struct build<g::watch_action> : build_action {};
template <> struct build<g::alert_action> : build_action {};
template <> struct build<g::signal_action> : build_action {};

template <>
struct build<g::cooldown_option> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    if (s.rule.cooldown) given_twice(in, "cooldown");
    s.rule.cooldown = s.dur;
  }
};

template <>
struct build<g::once_option> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    if (s.rule.once) given_twice(in, "once");
    s.rule.once = true;
  }
};

template <>
struct build<g::rule_name> {
  template <typename ActionInput>
  static void apply(const ActionInput&, parse_state& s) {
    s.rule.name = s.str;
  }
};

struct build_condition {
  template <typename ActionInput>
  static void apply(const ActionInput&, parse_state& s) {
    s.rule.condition = s.pop();
  }
};
template <> struct build<g::rule_condition> : build_condition {};
template <> struct build<g::short_condition> : build_condition {};

template <>
struct build<g::rule_stmt> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    finish(s, in, std::move(s.rule));
  }
};

template <>
struct build<g::short_rule> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    s.rule.short_form = true;
    finish(s, in, std::move(s.rule));
  }
};

// ---- control: error messages and positions ------------------------------------------

// Error points where a value or name is expected: if a reserved word stands there, a note
// says so ("let x = high" fails because `high` is a keyword).
template <typename Rule>
inline constexpr bool expects_operand = false;
#define SLUICE_OPERAND_POINT(rule) \
  template <>                      \
  inline constexpr bool expects_operand<g::rule> = true
SLUICE_OPERAND_POINT(paren_inner);
SLUICE_OPERAND_POINT(call_arg);
SLUICE_OPERAND_POINT(minus_operand);
SLUICE_OPERAND_POINT(times_operand);
SLUICE_OPERAND_POINT(divide_operand);
SLUICE_OPERAND_POINT(plus_operand);
SLUICE_OPERAND_POINT(minus_rhs);
SLUICE_OPERAND_POINT(compare_rhs);
SLUICE_OPERAND_POINT(between_low);
SLUICE_OPERAND_POINT(between_high);
SLUICE_OPERAND_POINT(cross_level);
SLUICE_OPERAND_POINT(break_direction);
SLUICE_OPERAND_POINT(break_level);
SLUICE_OPERAND_POINT(by_amount);
SLUICE_OPERAND_POINT(perform_rhs);
SLUICE_OPERAND_POINT(not_operand);
SLUICE_OPERAND_POINT(and_operand);
SLUICE_OPERAND_POINT(or_operand);
SLUICE_OPERAND_POINT(followed_operand);
SLUICE_OPERAND_POINT(over_window);
SLUICE_OPERAND_POINT(for_window);
SLUICE_OPERAND_POINT(within_window);
SLUICE_OPERAND_POINT(let_value);
SLUICE_OPERAND_POINT(def_body);
SLUICE_OPERAND_POINT(set_value);
SLUICE_OPERAND_POINT(watch_name);
SLUICE_OPERAND_POINT(rule_condition);
SLUICE_OPERAND_POINT(fragment_expression);
#undef SLUICE_OPERAND_POINT

template <typename Rule>
struct control : pegtl::normal<Rule> {
  // An error point is tried with rewinding, so that when it fails the error is reported
  // where it began rather than wherever a partial match stopped.
  template <pegtl::apply_mode A, pegtl::rewind_mode M, template <typename...> class Action,
            template <typename...> class Control, typename ParseInput, typename... States>
  [[nodiscard]] static bool match(ParseInput& in, States&&... st) {
    constexpr auto mode = g::error_message<Rule> != nullptr ? pegtl::rewind_mode::required : M;
    return pegtl::normal<Rule>::template match<A, mode, Action, Control>(in, st...);
  }

  template <typename ParseInput>
  [[noreturn]] static void raise(const ParseInput& in, parse_state& s) {
    static_assert(g::error_message<Rule> != nullptr,
                  "every must<> point needs an entry in grammar.hpp's error table");
    statement_error e{pos_of(in.iterator()), g::error_message<Rule>, {}};
    const char* here = in.current();
    if constexpr (std::is_same_v<Rule, g::close_paren> || std::is_same_v<Rule, g::call_close>) {
      if (!s.frames.empty())
        e.message += fmt::format(" opened at {}:{}", s.frames.back().open.line,
                                 s.frames.back().open.column);
    } else if constexpr (std::is_same_v<Rule, g::string_close>) {
      e.pos = s.str_pos;  // point at the opening quote: that is where the string begins
    } else if constexpr (std::is_same_v<Rule, g::escaped_char>) {
      if (here < in.end() && *here > ' ' && *here < 0x7f)
        e.message = fmt::format("unknown escape '\\{}' in a string (only \\\" and \\\\ are allowed)", *here);
    } else if constexpr (std::is_same_v<Rule, g::reserved_name>) {
      e.message = fmt::format("'{}' is a reserved word and cannot be used as a name",
                              lower(token_at(here, in.end())));
    }
    if constexpr (expects_operand<Rule>) {
      // `then` is never mistaken for a name; a note about it would only confuse.
      if (at_reserved_word(here, in.end()) && lower(token_at(here, in.end())) != "then")
        e.note = fmt::format("'{}' is a reserved word and cannot be used as a name",
                             lower(token_at(here, in.end())));
    }
    throw e;
  }
};

diagnostic error_at(const std::string& file, source_pos pos, std::string message,
                    std::string note = {}) {
  diagnostic d;
  d.file = file;
  d.pos = pos;
  d.message = std::move(message);
  d.note = std::move(note);
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
                            {}};
    }
    m.statements.push_back(std::move(*s.result));
  } catch (const statement_error& e) {
    m.nodes.erase(m.nodes.begin() + static_cast<std::ptrdiff_t>(arena_size), m.nodes.end());
    out.push_back(error_at(m.source_name, e.pos, e.message, e.note));
  }
}

// Where offset `target` of m.source is, counting from the closest statement that starts
// at or before it (a fragment is usually inside one), so repeated calls stay cheap.
source_pos locate(const module_ast& m, std::uint32_t target) {
  source_pos pos;
  if (has_bom(m.source) && target >= 3) pos.offset = 3;
  auto after = std::upper_bound(m.statements.begin(), m.statements.end(), target,
                                [](std::uint32_t t, const statement& st) { return t < st.range.begin.offset; });
  if (after != m.statements.begin() && std::prev(after)->range.begin.offset <= target)
    pos = std::prev(after)->range.begin;
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
    if (!in.empty())
      throw statement_error{pos_of(in.iterator()),
                            fmt::format("unknown text '{}' after the expression",
                                        token_at(in.current(), in.end())),
                            {}};
    return s.stack.back();
  } catch (const statement_error& e) {
    m.nodes.erase(m.nodes.begin() + static_cast<std::ptrdiff_t>(arena_size), m.nodes.end());
    diags.add(error_at(m.source_name, e.pos, e.message, e.note));
    return no_node;
  }
}

bool looks_like_statement(std::string_view text) {
  if (has_bom(text)) text.remove_prefix(3);
  {
    pegtl::memory_input<> probe(text.data(), text.data() + text.size(), "");
    if (pegtl::parse<pegtl::seq<g::sep, pegtl::sor<g::kw_rule, g::kw_let, g::kw_def, g::kw_load,
                                                   g::kw_use, g::kw_set>>>(probe))
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
