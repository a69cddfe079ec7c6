// A rule's explanation (see explain.hpp): the reference evaluator's trace of its condition,
// written as an indented tree, with the reason the rule did or did not fire. Shared by
// `sluice explain`, the REPL's :explain and the embedding API's program::explain.
#include "interpreter/reference/explain.hpp"
#include "interpreter/ascii.hpp"

#include <fmt/format.h>

#include <iterator>

#include <algorithm>
#include <cctype>
#include <map>

#include "interpreter/numeric/decimal.hpp"
#include "interpreter/number.hpp"
#include "interpreter/reference/reference_eval.hpp"

namespace sluice {

namespace {

// Appends formatted text (the explanation or its error lines).
template <class... Args>
void say(std::string& to, fmt::format_string<Args...> format, Args&&... args) {
  fmt::format_to(std::back_inserter(to), format, std::forward<Args>(args)...);
}


template <class Num>
std::string value_text(const basic_ref_value<Num>& v) {
  if (!v.is_condition) return format_number(v.number);
  return v.truth == 1 ? "true" : v.truth == 0 ? "false" : "na";
}

// The part that made the condition fail: from the root, follow the operands that are not
// true (an `and`'s false side, an `or`'s first side) through lets and defs, down to a
// predicate, a temporal operator or a `not`.
template <class Num>
const basic_trace_entry<Num>* failing_part(const std::vector<basic_trace_entry<Num>>& trace) {
  std::size_t at = 0;
  for (;;) {
    std::optional<std::size_t> next;
    for (std::size_t k = at + 1; k < trace.size() && trace[k].depth > trace[at].depth; ++k) {
      const basic_trace_entry<Num>& e = trace[k];
      if (e.depth == trace[at].depth + 1 && e.value.is_condition && e.value.truth != 1) {
        next = k;
        break;
      }
    }
    // Logic and names (lets, def calls) pass the failure down; anything else owns it.
    const node_kind k = trace[at].kind;
    const bool passes = k == node_kind::and_ || k == node_kind::or_ || k == node_kind::name ||
                        k == node_kind::call;
    if (!next || !passes) return &trace[at];
    at = *next;
  }
}

std::string outcome_text(rule_outcome o, const compiled_rule& r) {
  switch (o) {
    case rule_outcome::fired: return "fired";
    case rule_outcome::condition_not_true: return "did not fire: the condition is not true";
    case rule_outcome::no_rising_edge:
      return "did not fire: the condition was already true at the previous point (a rule "
             "fires when its condition becomes true)";
    case rule_outcome::before_from: return "did not fire: the date is before --from";
    case rule_outcome::once_spent: return "did not fire: the rule is `once` and fired before";
    case rule_outcome::cooling_down:
      return fmt::format("did not fire: inside the cooldown of {} after its previous firing",
                         r.cooldown ? format_duration(*r.cooldown) : "?");
  }
  return {};
}

template <class Num>
void print_explanation(explanation& out, basic_reference_evaluator<Num>& ref, const program& p,
                       std::uint32_t rule, std::size_t t) {
  const compiled_rule& r = p.rules[rule];
  const rule_outcome o = ref.outcome(rule, t);
  say(out.text, "rule \"{}\" ({}) at {}: {}\n", r.name, r.location, format_time(ref.timeline()[t]),
             outcome_text(o, r));
  const std::vector<basic_trace_entry<Num>> trace = ref.trace(rule, t);
  for (const basic_trace_entry<Num>& e : trace)
    say(out.text, "  {:{}}{}: {}{}\n", "", 2 * e.depth, e.text, value_text(e.value),
               e.inputs.empty() ? "" : " \u2014 " + e.inputs);
  if (o == rule_outcome::condition_not_true && !trace.empty()) {
    const basic_trace_entry<Num>* part = failing_part(trace);
    say(out.text, "  failed: {} is {}{}\n", part->text, value_text(part->value),
               part->inputs.empty() ? "" : " (" + part->inputs + ")");
  }
}

// The explanation in the number type Num: double, or exact mode's decimal (the
// observations then come from the cells' decimal text, never through double).
template <class Num>
int explain_in(explanation& out, const program& p, series_provider& data, std::uint32_t index,
               std::optional<time_point> at) {
  // The observations behind every column the program reads, fetched once each.
  std::map<std::pair<std::uint32_t, std::string>, series_values<Num>> columns;
  diagnostics diags;
  for (const input_spec& in : p.inputs) {
    const auto key = std::make_pair(in.series, in.field);
    if (columns.count(key)) continue;
    if (!fetch_series(data, p.series[in.series], in.field, columns[key], diags)) {
      for (const diagnostic& d : diags.items()) say(out.error, "{}: {}\n", d.file, d.message);
      return 1;
    }
  }
  basic_reference_evaluator<Num> ref(
      p,
      [&](std::uint32_t series, const std::string& field) -> const series_values<Num>* {
        auto it = columns.find({series, field});
        return it == columns.end() ? nullptr : &it->second;
      },
      std::nullopt, std::nullopt);
  const std::vector<time_point>& timeline = ref.timeline();

  if (at) {
    // The last timeline point at or before the date: the state of things on that day.
    auto after = std::upper_bound(timeline.begin(), timeline.end(), *at);
    if (after == timeline.begin()) {
      say(out.error, "no data on or before {}\n", format_time(*at));
      return 1;
    }
    const auto t = static_cast<std::size_t>(after - timeline.begin()) - 1;
    if (timeline[t] != *at)
      say(out.text, "no data point on {}; the last one before it is {}\n", format_time(*at),
                 format_time(timeline[t]));
    print_explanation(out, ref, p, index, t);
    return 0;
  }
  std::size_t count = 0;
  for (const auto& [t, r] : ref.firings()) {
    if (r != index) continue;
    if (count++ > 0) say(out.text, "\n");
    print_explanation(out, ref, p, r, t);
  }
  if (count == 0)
    say(out.text, "rule \"{}\" never fired between {} and {}\n", p.rules[index].name,
               timeline.empty() ? "-" : format_time(timeline.front()),
               timeline.empty() ? "-" : format_time(timeline.back()));
  return 0;
}

}  // namespace

explanation explain_rule(const std::string& file, const program& p, series_provider& data,
                         const std::string& rule, std::optional<time_point> at, bool exact) {
  explanation out;
  // The rule: by its name (any case), its line in FILE (`--rule 22`, the line explain and
  // the REPL show), or a prefix of its name that no other rule shares.
  std::optional<std::uint32_t> index;
  for (std::uint32_t r = 0; r < p.rules.size(); ++r)
    if (p.rules[r].name == rule || (!index && lower(p.rules[r].name) == lower(rule))) index = r;
  const bool digits = !rule.empty() && rule.find_first_not_of("0123456789") == std::string::npos;
  for (std::uint32_t r = 0; !index && digits && r < p.rules.size(); ++r)
    if (p.rules[r].location == file + ":" + rule) index = r;
  if (!index && !rule.empty()) {
    std::vector<std::uint32_t> starting;
    for (std::uint32_t r = 0; r < p.rules.size(); ++r)
      if (lower(p.rules[r].name).rfind(lower(rule), 0) == 0) starting.push_back(r);
    if (starting.size() == 1) index = starting.front();
    if (starting.size() > 1) {
      std::vector<std::string> names;
      for (std::uint32_t r : starting) names.push_back(fmt::format("\"{}\"", p.rules[r].name));
      say(out.error, "\"{}\" starts the names of {} rules: {}; say which one\n", rule,
          starting.size(), fmt::join(names, ", "));
      out.status = 1;
      return out;
    }
  }
  if (!index) {
    std::vector<std::string> names;
    for (const compiled_rule& r : p.rules) names.push_back(fmt::format("\"{}\"", r.name));
    say(out.error, "{} has no rule named \"{}\"; its rules are: {}\n", file, rule,
               names.empty() ? "(none)" : fmt::format("{}", fmt::join(names, ", ")));
    out.status = 1;
    return out;
  }
  out.status = exact ? explain_in<decimal>(out, p, data, *index, at)
                     : explain_in<double>(out, p, data, *index, at);
  return out;
}

}  // namespace sluice
