// Actions that assemble statements (load, use, let, def, set, rules and their actions) from
// the expression nodes on the operand stack; each finished statement lands in s.result.
#pragma once
#include "grammar/expression_actions.hpp"

namespace sluice::parse_detail {

namespace pegtl = tao::pegtl;
namespace g = grammar;

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

// watch X: X names a series (eth), a field of one (assets_wide.eth) or a call that makes
// one (basket(eth, sol)); the action is named by X's text. Other expressions are refused
// with the way to name them.
template <>
struct build<g::watch_name> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    const node_id target = s.pop();
    const node& n = s.m.nodes[target];
    if (n.kind != node_kind::name && n.kind != node_kind::field && n.kind != node_kind::call)
      throw statement_error{
          n.range.begin, "watch needs a series: a name, a field (x.eth) or a call (basket(eth, sol))",
          fmt::format("name it with let first: 'let watched = {}', then 'watch watched'",
                      in.string_view())};
    s.act = {};
    s.act.what = action::kind::watch;
    s.act.name = n.kind == node_kind::name    ? n.text
                 : n.kind == node_kind::field ? n.text + "." + n.field
                                              : lower(in.string_view());
    s.act.target = target;
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

// -- universes --

template <>
struct build<g::each_symbol> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    s.rule.each_symbol = lower(in.string_view());
  }
};

template <>
struct build<g::each_universe> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    s.rule.each_universe = lower(in.string_view());
    s.rule.each_pos = pos_of(in.iterator());
  }
};

template <>
struct build<g::each_rule> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    finish(s, in, std::move(s.rule));
  }
};

template <>
struct build<g::universe_name> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    s.uni.name = lower(in.string_view());
  }
};

template <>
struct build<g::universe_member> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    std::string name = lower(in.string_view());
    for (const std::string& m : s.uni.members)
      if (m == name)
        throw statement_error{pos_of(in.iterator()),
                              fmt::format("'{}' is already a member of this universe", name),
                              {}};
    s.uni.members.push_back(std::move(name));
  }
};

template <>
struct build<g::universe_wide> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    s.uni.columns_of = lower(in.string_view());
  }
};

template <>
struct build<g::universe_stmt> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, parse_state& s) {
    finish(s, in, std::move(s.uni));
  }
};

}  // namespace sluice::parse_detail
