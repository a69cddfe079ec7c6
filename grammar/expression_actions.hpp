// Actions that build expression nodes: literals, names, calls, operators and predicates.
// Each pushes its node on parse_state's operand stack, taking its operands from there.
#pragma once
#include "grammar/parse_state.hpp"

namespace sluice::parse_detail {

namespace pegtl = tao::pegtl;
namespace g = grammar;

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
struct build<g::top_count> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    const auto k = whole_number(in.string_view());
    if (!k || *k < 1)
      throw statement_error{pos_of(in.iterator()), "top needs a whole number of at least 1", {}};
    s.top_k = *k;
  }
};

template <>
struct build<g::top_universe> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    node n = make_node(node_kind::name, range_of(in));
    n.text = lower(in.string_view());
    s.push(std::move(n));
  }
};

// `top K of U by X` is kept as the call top(U, X) with count K: the compiler treats it with
// the other cross-sectional operators (rank, breadth, mean, median).
template <>
struct build<g::top_expr> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    const node_id operand = s.pop();
    const node_id universe = s.pop();
    node n = make_node(node_kind::call, range_of(in), {universe, operand});
    n.text = "top";
    n.count = s.top_k;
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


}  // namespace sluice::parse_detail
