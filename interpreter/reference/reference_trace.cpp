// The reference evaluator's reports (see reference_eval.hpp): the event values of a firing
// and the evaluation trace of a rule's condition that `sluice explain` prints.
#include <fmt/format.h>

#include <algorithm>

#include "interpreter/number.hpp"
#include "interpreter/reference/reference_eval.hpp"

namespace sluice {

namespace {

std::string truth_word(std::uint8_t v) { return v == 1 ? "true" : v == 0 ? "false" : "na"; }

std::string days_before(time_point t, time_point u) {
  const std::int64_t days = (t - u) / ms_per_day;
  return days == 0 ? "the same day" : fmt::format("{} day{} before", days, days == 1 ? "" : "s");
}

}  // namespace

// The series a condition names, in order of first mention through lets and defs; a let
// that is exactly a series shows under the let's name (docs: Rules, events).
template <class Num>
void basic_reference_evaluator<Num>::collect_names(
    const bound& b, std::vector<std::pair<std::string, std::pair<std::uint32_t, std::string>>>& out) {
  const node& nd = at(b.module, b.n);
  auto add = [&](std::string shown, std::pair<std::uint32_t, std::string> column) {
    for (const auto& [name, c] : out)
      if (name == shown) return;
    out.emplace_back(std::move(shown), std::move(column));
  };
  if (nd.kind == node_kind::name) {
    if (auto arg = param(b)) return collect_names(*arg, out);
    const symbol& s = lookup(nd.text);
    if (s.kind == sym_kind::series) return add(nd.text, {s.index, ""});
    if (s.kind == sym_kind::let) {
      const bound value{s.module, std::get<let_stmt>(s.stmt->body).value, 0};
      if (auto column = series_ref(value)) return add(nd.text, *column);
      return collect_names(value, out);
    }
    if (s.kind == sym_kind::def)
      return collect_names({s.module, std::get<def_stmt>(s.stmt->body).body, expand(b, s)}, out);
    return;  // a signal names no series
  }
  if (nd.kind == node_kind::field) return add(nd.text + "." + nd.field, *series_ref(b));
  if (nd.kind == node_kind::call && is_cross_section(nd)) {
    // As the compiler lists them: the operand's series for the rule's own member only.
    const node_id operand = cross_section_operand(b);
    if (operand != no_node) collect_names({b.module, operand, b.scope}, out);
    return;
  }
  if (nd.kind == node_kind::call && lookup_def(nd.text)) {
    const symbol& s = lookup(nd.text);
    return collect_names({s.module, std::get<def_stmt>(s.stmt->body).body, expand(b, s)}, out);
  }
  for (node_id k : nd.kids)
    if (k != no_node) collect_names({b.module, k, b.scope}, out);
}

template <class Num>
std::vector<std::pair<std::string, Num>> basic_reference_evaluator<Num>::event_values(std::uint32_t rule,
                                                                                     std::size_t t) {
  std::vector<std::pair<std::string, std::pair<std::uint32_t, std::string>>> names;
  collect_names({p_.rules[rule].module, p_.rules[rule].condition_node, rule_scope(rule)}, names);
  std::vector<std::pair<std::string, Num>> out;
  for (const auto& [shown, column] : names)
    out.emplace_back(shown, as_of(column.first, column.second, timeline_[t]));
  return out;
}

template <class Num>
std::string basic_reference_evaluator<Num>::source_text(const bound& b) const {
  const module_ast& m = *p_.modules[b.module];
  const source_range& r = at(b.module, b.n).range;
  std::string text = m.source.substr(r.begin.offset, r.end.offset - r.begin.offset);
  // One line: continuation lines of a long condition are joined with single spaces.
  std::string flat;
  for (char c : text) {
    const bool space = c == '\n' || c == '\r' || c == '\t' || c == ' ';
    if (space && (flat.empty() || flat.back() == ' ')) continue;
    flat += space ? ' ' : c;
  }
  while (!flat.empty() && flat.back() == ' ') flat.pop_back();
  return flat;
}

template <class Num>
auto basic_reference_evaluator<Num>::trace(std::uint32_t rule, std::size_t t) -> std::vector<entry_type> {
  std::vector<entry_type> out;
  trace_node({p_.rules[rule].module, p_.rules[rule].condition_node, rule_scope(rule)}, t, 0, out);
  return out;
}

template <class Num>
void basic_reference_evaluator<Num>::trace_node(const bound& b, std::size_t t, unsigned depth,
                                               std::vector<entry_type>& out) {
  const node& nd = at(b.module, b.n);
  if (literal(b)) return;  // literals speak for themselves in their parent's text
  // A def parameter bound to a window, date or text (breakout(x, 1mo)'s window) has no value
  // at a point: it reads in the call's text, like the literal it names.
  if (nd.kind == node_kind::name)
    if (auto arg = param(b)) {
      const node_kind k = at(arg->module, arg->n).kind;
      if (k == node_kind::duration || k == node_kind::date || k == node_kind::string) return;
    }
  entry_type e;
  e.depth = depth;
  e.kind = nd.kind;
  e.text = source_text(b);
  e.value = col(b)[t];
  e.inputs = inputs_of(b, t);
  out.push_back(std::move(e));
  // Below a name: what it stands for (a def parameter's argument, a let's definition, a
  // def's body); below anything else: its operands.
  if (nd.kind == node_kind::name) {
    if (auto arg = param(b)) {
      // A for-each rule's symbol stands for its member: shown by name (eth, assets_wide.ETH).
      const node& an = at(arg->module, arg->n);
      out.back().text += " = " + (!scope_universe_.count(b.scope) ? source_text(*arg)
                                  : an.kind == node_kind::field   ? an.text + "." + an.field
                                                                  : an.text);
      if (at(arg->module, arg->n).kind != node_kind::name) trace_node(*arg, t, depth + 1, out);
      return;
    }
    const symbol& s = lookup(nd.text);
    if (s.kind == sym_kind::let) {
      const bound value{s.module, std::get<let_stmt>(s.stmt->body).value, 0};
      if (!series_ref(value)) trace_node(value, t, depth + 1, out);
    } else if (s.kind == sym_kind::def) {
      trace_node({s.module, std::get<def_stmt>(s.stmt->body).body, expand(b, s)}, t, depth + 1, out);
    }
    return;
  }
  if (nd.kind == node_kind::call && lookup_def(nd.text)) {
    const symbol& s = lookup(nd.text);
    trace_node({s.module, std::get<def_stmt>(s.stmt->body).body, expand(b, s)}, t, depth + 1, out);
    return;
  }
  if (nd.kind == node_kind::call && is_cross_section(nd)) {  // the rule's own member's operand
    const node_id operand = cross_section_operand(b);
    if (operand != no_node) trace_node({b.module, operand, b.scope}, t, depth + 1, out);
    return;
  }
  // Predicates list their operands' values among their inputs: plain series need no line.
  const bool shows_operands = nd.kind == node_kind::compare || nd.kind == node_kind::between ||
                              nd.kind == node_kind::crosses || nd.kind == node_kind::change ||
                              nd.kind == node_kind::perform || nd.kind == node_kind::new_extreme;
  for (node_id k : nd.kids) {
    if (k == no_node) continue;
    const bound kid{b.module, k, b.scope};
    const node& kn = at(kid.module, k);
    if (shows_operands && kn.kind == node_kind::name && !param(kid) &&
        lookup(kn.text).kind == sym_kind::series)
      continue;
    trace_node(kid, t, depth + 1, out);
  }
}

// The numbers behind a node's value at t, in words.
template <class Num>
std::string basic_reference_evaluator<Num>::inputs_of(const bound& b, std::size_t t) {
  const node& nd = at(b.module, b.n);
  auto kid = [&](std::size_t i) { return bound{b.module, nd.kids[i], b.scope}; };
  auto num = [&](const bound& k, std::size_t u) { return format_number(col(k)[u].number); };
  const time_point now = timeline_[t];
  switch (nd.kind) {
    case node_kind::crosses: {
      if (t == 0) return "no previous point";
      std::string text = fmt::format("{} {} (prev {})", source_text(kid(0)), num(kid(0), t),
                                     num(kid(0), t - 1));
      if (!literal(kid(1)))  // a level like 2600 needs no comment
        text += fmt::format(", {} {} (prev {})", source_text(kid(1)), num(kid(1), t), num(kid(1), t - 1));
      return text;
    }
    case node_kind::new_extreme: {
      // The prior points the value is compared with (docs: `hits new high`).
      const std::optional<duration> w = window_kid(b, 1);
      std::optional<Num> extreme;
      const bool high = static_cast<direction>(nd.op) == direction::up;
      for (std::size_t u = 0; u < t; ++u) {
        const bool inside = !w                ? true
                            : w->is_bars()    ? t - u <= static_cast<std::size_t>(w->count)
                                              : timeline_[u] >= subtract(now, *w);
        const Num v = col(kid(0))[u].number;
        if (inside && !is_na(v)) extreme = !extreme ? v : high ? std::max(*extreme, v) : std::min(*extreme, v);
      }
      // Without a window "all-time" means "since this data begins": say since when, so
      // that a high on a short file is not taken for a real all-time high.
      std::string span = w ? " over " + format_duration(*w) : "";
      if (!w)
        for (std::size_t u = 0; u <= t; ++u)
          if (!is_na(col(kid(0))[u].number)) {
            span = fmt::format(" since {} (data start)", format_time(timeline_[u]));
            break;
          }
      return fmt::format("{} {}, prior {} {}{}", source_text(kid(0)), num(kid(0), t),
                         high ? "high" : "low", extreme ? format_number(*extreme) : "none", span);
    }
    case node_kind::change:
    case node_kind::perform: {
      const duration w = window_kid(b, 2).value_or(default_window_);
      std::string text;
      const std::size_t operands = nd.kind == node_kind::change ? 1 : 2;
      for (std::size_t i = 0; i < operands; ++i) {
        const std::vector<Num> past = lookback(kid(i), w);
        if (!text.empty()) text += ", ";
        text += fmt::format("{} {} ({} {} earlier)", source_text(kid(i)), num(kid(i), t),
                            format_number(past[t]), format_duration(w));
      }
      return text;
    }
    case node_kind::compare:
    case node_kind::between: {
      std::vector<std::string> parts;
      for (std::size_t i = 0; i < nd.kids.size(); ++i)
        parts.push_back(literal(kid(i)) ? num(kid(i), t) : source_text(kid(i)) + " " + num(kid(i), t));
      return fmt::format("{}", fmt::join(parts, nd.kind == node_kind::compare ? " vs " : ", "));
    }
    case node_kind::for_:
    case node_kind::within:
    case node_kind::followed_by: {
      const column& c = col(kid(0));
      if (nd.kind == node_kind::for_) {
        if (c[t].truth != 1) return fmt::format("not held now ({})", truth_word(c[t].truth));
        std::size_t start = t;
        while (start > 0 && c[start - 1].truth == 1) --start;
        return fmt::format("held since {} ({} point{})", format_time(timeline_[start]), t - start + 1,
                           t == start ? "" : "s");
      }
      const std::size_t last = nd.kind == node_kind::within ? t + 1 : t;
      std::optional<std::size_t> held;
      for (std::size_t u = last; u-- > 0 && !held;)
        if (c[u].truth == 1) held = u;
      const char* part = nd.kind == node_kind::within ? "last held" : "first part last held";
      std::string text = held ? fmt::format("{} {}, {}", part, format_time(timeline_[*held]),
                                            days_before(now, timeline_[*held]))
                              : fmt::format("{}: never", part);
      if (nd.kind == node_kind::followed_by)
        text += fmt::format("; second part {}", truth_word(col(kid(1))[t].truth));
      return text;
    }
    case node_kind::name: {
      if (param(b)) return {};
      const symbol& s = lookup(nd.text);
      if (s.kind == sym_kind::signal)
        return fmt::format("raised by rule \"{}\"", p_.rules[s.index].name);
      return {};
    }
    default: return {};
  }
}

template <class Num>
bool basic_reference_evaluator<Num>::literal(const bound& b) const {
  const node_kind k = at(b.module, b.n).kind;
  return k == node_kind::number || k == node_kind::duration || k == node_kind::date ||
         k == node_kind::string;
}

template <class Num>
bool basic_reference_evaluator<Num>::lookup_def(const std::string& name) const {
  auto it = symbols_.find(name);
  return it != symbols_.end() && it->second.kind == sym_kind::def && !is_builtin_name(name);
}

// The reports for both number types.
#define SLUICE_REFERENCE_REPORTS(Num)                                                          \
  template void basic_reference_evaluator<Num>::collect_names(                                \
      const bound&, std::vector<std::pair<std::string, std::pair<std::uint32_t, std::string>>>&); \
  template auto basic_reference_evaluator<Num>::event_values(std::uint32_t, std::size_t)      \
      -> std::vector<std::pair<std::string, Num>>;                                            \
  template std::string basic_reference_evaluator<Num>::source_text(const bound&) const;       \
  template auto basic_reference_evaluator<Num>::trace(std::uint32_t, std::size_t)             \
      -> std::vector<entry_type>;                                                             \
  template void basic_reference_evaluator<Num>::trace_node(const bound&, std::size_t, unsigned, \
                                                           std::vector<entry_type>&);         \
  template std::string basic_reference_evaluator<Num>::inputs_of(const bound&, std::size_t);  \
  template bool basic_reference_evaluator<Num>::literal(const bound&) const;                  \
  template bool basic_reference_evaluator<Num>::lookup_def(const std::string&) const;
SLUICE_REFERENCE_REPORTS(double)
SLUICE_REFERENCE_REPORTS(decimal)
#undef SLUICE_REFERENCE_REPORTS

}  // namespace sluice
