// The reference evaluator: a slow, obviously-correct tree walk over the AST that computes
// any expression or condition straight from docs/semantics.md. It shares no code with the
// VM or the driver's alignment (as-of reads come from the raw observations), so the
// differential tests can hold the fast path to it; `sluice explain` prints its traces.
// Like the VM it is a template over the number type: double, or exact mode's decimal
// (every number goes through number_traits<Num>, as in the VM).
#pragma once
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "interpreter/numeric/decimal.hpp"
#include "interpreter/number.hpp"
#include "interpreter/program.hpp"
#include "interpreter/run/provider.hpp"

namespace sluice {

// One value at one timeline point: a number (na when missing) or a tri-state truth.
template <class Num>
struct basic_ref_value {
  bool is_condition = false;
  Num number = number_traits<Num>::na();
  std::uint8_t truth = 2;  // 0 false, 1 true, 2 na
};
using ref_value = basic_ref_value<double>;

// One node of an evaluation trace (explain): depth-first, through let and def expansions.
template <class Num>
struct basic_trace_entry {
  unsigned depth = 0;
  node_kind kind = node_kind::number;
  std::string text;            // the node's source text
  basic_ref_value<Num> value;  // its value at the traced point
  std::string inputs;  // the numbers behind it, in words ("russell 2597.3 (prev 2590.1)")
};
using trace_entry = basic_trace_entry<double>;

// Why a rule did or did not fire at a point (docs/semantics.md, Rules).
enum class rule_outcome : std::uint8_t {
  fired,
  condition_not_true,  // the condition is false or na
  no_rising_edge,      // it was already true at the previous point
  before_from,         // the point is before --from
  once_spent,          // `once`, and the rule fired before
  cooling_down,        // inside the cooldown of the previous firing
};

template <class Num>
class basic_reference_evaluator {
 public:
  using value_type = basic_ref_value<Num>;
  using entry_type = basic_trace_entry<Num>;
  // The defined observations of a series column (field "" = its own column), in Num.
  using data_source =
      std::function<const series_values<Num>*(std::uint32_t series, const std::string& field)>;

  basic_reference_evaluator(const program& p, data_source data, std::optional<time_point> from,
                            std::optional<time_point> to);

  const std::vector<time_point>& timeline() const { return timeline_; }

  // An expression or condition of `module` (no def parameters in scope) at point t.
  value_type eval(std::uint32_t module, node_id n, std::size_t t);
  // Every rule firing, in timeline order (rules in file order at the same point).
  std::vector<std::pair<std::size_t, std::uint32_t>> firings();
  rule_outcome outcome(std::uint32_t rule, std::size_t t);
  // The event values of a firing: each series the condition names, in order of first
  // mention, with its value at t.
  std::vector<std::pair<std::string, Num>> event_values(std::uint32_t rule, std::size_t t);
  // The evaluation of a rule's condition at t, one entry per node visited.
  std::vector<entry_type> trace(std::uint32_t rule, std::size_t t);

 private:
  enum class sym_kind : std::uint8_t { series, let, def, signal };
  struct symbol {
    sym_kind kind = sym_kind::series;
    int rank = 0;  // prelude 0 < host 1 < used 2 < main 3; the higher wins
    std::uint32_t module = 0;
    const statement* stmt = nullptr;
    std::uint32_t index = 0;  // series index or rule index
  };
  // One def expansion: its parameters bound to the caller's argument nodes.
  struct scope {
    std::uint32_t parent = 0;  // the caller's scope (the arguments' scope)
    std::uint32_t module = 0;  // the arguments' module
    std::vector<std::string> params;
    std::vector<node_id> args;
  };
  struct bound {  // a node in a module and scope
    std::uint32_t module;
    node_id n;
    std::uint32_t scope;
  };
  using column = std::vector<value_type>;

  void build_symbols();
  const symbol& lookup(const std::string& name) const;
  const node& at(std::uint32_t module, node_id n) const { return p_.modules[module]->at(n); }
  std::optional<bound> param(const bound& b) const;
  std::uint32_t expand(const bound& call, const symbol& def);

  const column& col(const bound& b);
  column compute(const bound& b);
  column compute_call(const bound& b);
  column compute_predicate(const bound& b);
  column compute_temporal(const bound& b);
  const column& fired(std::uint32_t rule);

  duration window(const bound& b);
  std::optional<duration> window_kid(const bound& b, std::size_t kid);  // absent: nullopt
  std::optional<std::pair<std::uint32_t, std::string>> series_ref(const bound& b);
  Num as_of(std::uint32_t series, const std::string& field, time_point t);
  std::vector<Num> lookback(const bound& x, duration w);
  std::vector<Num> numbers(const bound& b);
  std::size_t first_in_window(std::size_t t, duration w) const;  // calendar: t - D < u
  std::optional<std::size_t> last_at_or_before(time_point when) const;
  std::optional<std::size_t> first_defined(const std::vector<Num>& x) const;
  void collect_names(const bound& b, std::vector<std::pair<std::string, std::pair<std::uint32_t, std::string>>>& out);
  void trace_node(const bound& b, std::size_t t, unsigned depth, std::vector<entry_type>& out);
  std::string inputs_of(const bound& b, std::size_t t);
  std::string source_text(const bound& b) const;
  bool lookup_def(const std::string& name) const;  // a call of a def, not a builtin
  // Universes (reference_universe.cpp): the scope a for-each rule's condition is read in
  // (its symbol bound to its member; 0 for other rules), and the cross-sectional operators.
  std::uint32_t rule_scope(std::uint32_t rule);
  std::uint32_t member_scope(const std::string& universe, const std::string& symbol,
                             std::uint32_t module, node_id member);
  bool is_cross_section(const node& nd) const;
  // The universe named by a cross-sectional call (its own rule's for rank), and whether the
  // call's operand is read for the rule's own member (for event values and traces).
  std::string cross_section_universe(const bound& b) const;
  node_id cross_section_operand(const bound& b) const;
  column compute_cross_section(const bound& b);
  bool literal(const bound& b) const;
  static bool is_builtin_name(const std::string& name);

  // The number seam, as in the VM: na, and values made from a number or a truth.
  using traits = number_traits<Num>;
  static Num na() { return traits::na(); }
  static bool is_na(const Num& x) { return traits::is_na(x); }
  static value_type number_at(const Num& x) { return {false, x, 2}; }
  static value_type truth_at(std::uint8_t v) { return {true, na(), v}; }
  // x / y, na when either is na or y is 0.
  static Num divide(const Num& x, const Num& y) { return is_na(x) || is_na(y) || y == Num(0) ? na() : x / y; }

  const program& p_;
  data_source data_;
  std::optional<time_point> from_;
  std::vector<time_point> timeline_;
  std::uint32_t main_module_ = 0;
  duration default_window_{duration::unit::days, 28};
  std::unordered_map<std::string, symbol> symbols_;
  std::vector<const rule_stmt*> rule_stmts_;
  std::vector<scope> scopes_;
  std::map<std::tuple<std::uint32_t, node_id, std::uint32_t>, std::uint32_t> scope_ids_;
  std::map<std::tuple<std::uint32_t, node_id, std::uint32_t>, column> columns_;
  std::map<std::uint32_t, column> fired_;
  std::map<std::uint32_t, std::string> scope_universe_;  // rule/member scope -> its universe
  std::map<std::pair<std::uint32_t, std::string>, duration> stale_;
};

using reference_evaluator = basic_reference_evaluator<double>;
// Exact mode (`explain --exact`): every number a 34-digit decimal.
using exact_reference_evaluator = basic_reference_evaluator<decimal>;

}  // namespace sluice
