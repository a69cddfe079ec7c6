// The compiler's working state, shared by its translation units (the driver, scopes, lets
// and defs in compiler.cpp, `use`/`load`/`set` in compile_modules.cpp, rules and alerts in
// compile_rules.cpp, expressions and predicates in compile_expr.cpp, builtins in
// builtins.cpp).
#pragma once
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "interpreter/compile/compiler.hpp"

namespace sluice {

// What an expression compiled to.
enum class vtype : std::uint8_t { invalid, number, condition, window, string, date };

struct value {
  vtype type = vtype::invalid;
  reg_index reg = 0;
  bool constant = false;  // computed from literals only
  duration window;        // vtype::window
  int series = -1;        // >= 0: exactly a series column (raw calendar lookbacks use it)
  std::string field;
};

struct scope;

using series_refs = std::vector<std::pair<std::string, reg_index>>;

// What a checked operand is, in words ("before '+'", "as argument 2 of sma"). The text is
// built only when the check fails, so that compiling a deep expression does not keep a
// formatted string alive in every level of the recursion.
struct role {
  role(const char* w) : words(w) {}  // NOLINT: implicit, a role is usually a literal
  role(std::string_view w, std::string_view wd) : words(w), word(wd) {}
  role(int arg, std::string_view function) : word(function), argument(arg) {}
  std::string text() const;

  std::string_view words;
  std::string_view word;  // the operator or function the operand belongs to
  int argument = 0;       // 1-based, for function arguments
};

// A def argument: the caller's AST node, compiled in the caller's scope when used.
struct bound_arg {
  std::uint32_t module = 0;
  node_id node = no_node;
  const scope* env = nullptr;
  std::size_t def_depth = 0;  // the caller's def nesting: f(f(x)) is not recursion
};

// Parameters of one def expansion. `id` is unique per expansion in a compile, so that
// (node, scope) pairs can be remembered after the scope itself is gone.
struct scope {
  std::unordered_map<std::string, bound_arg> params;
  std::uint64_t id = 0;
};

// A remembered def expansion (compiler::expand_def): its value and the series it named.
struct expansion_memo {
  value result;
  series_refs refs;
};

enum class symbol_kind : std::uint8_t { let, def, series, signal };

// Where names come from; a higher rank wins (a series in --data beats a prelude alias).
enum class rank : std::uint8_t { prelude = 0, host = 1, used = 2, main = 3 };

// The series a rule (or let) references, in first-use order, each once. The name set
// keeps adding linear: a rule naming 40,000 fields was quadratic with a scan per name.
struct ref_collector {
  series_refs refs;
  std::unordered_set<std::string> names;
  void add(const std::string& name, reg_index reg) {
    if (names.insert(name).second) refs.emplace_back(name, reg);
  }
};

struct symbol {
  symbol_kind kind = symbol_kind::let;
  rank from = rank::main;
  std::uint32_t module = 0;
  const statement* stmt = nullptr;  // let/def/load
  int series = -1;                  // series
  std::size_t rule = 0;             // signal: the rule that raises it
  source_pos pos;
  // let memo: 0 not compiled, 1 being compiled (a cycle if reached again), 2 done
  int state = 0;
  value memo;
  series_refs refs;
};

// A universe (universe NAME = ..., or --universe NAME=DIR): its members in order, each with
// a node in the compiler's scratch module that names it (a series name, or WIDE.column),
// which a `for each` rule binds its symbol to.
struct universe_def {
  std::string name;
  std::vector<std::string> members;
  std::vector<node_id> nodes;
  std::uint32_t module = 0;  // where it was declared, for diagnostics
  source_pos pos;
};

// The member a `for each SYM in U` rule is being compiled for.
struct each_binding {
  const universe_def* universe = nullptr;
  std::string symbol;          // SYM
  std::size_t member = 0;      // index into universe->members
  const scope* env = nullptr;  // SYM -> the member
};

class compiler {
 public:
  compiler(const compile_options& options, diagnostics& diags);
  std::shared_ptr<const program> run(std::shared_ptr<const module_ast> main);

  // --- expressions (compile_expr.cpp) ---
  value compile(std::uint32_t module, node_id n, const scope* env);
  value compile_call(std::uint32_t module, node_id n, const scope* env);  // builtins.cpp
  value compile_non_builtin_call(std::uint32_t module, node_id n, const scope* env);
  value lower_builtin(std::uint32_t module, node_id n, const scope* env,
                      const std::vector<value>& args);
  void report_builtin_arity(std::uint32_t module, node_id n, std::string_view name, int min_args,
                            int max_args, std::string_view usage);
  // A call of options_.functions[index] (host_call.cpp).
  value compile_host_call(std::uint32_t module, node_id n, const scope* env, std::uint32_t index);
  std::optional<duration> compile_window(std::uint32_t module, node_id n, const scope* env,
                                         const char* after);
  value lookback(const value& x, duration w, std::uint32_t module, node_id origin);
  // One function per node kind, each a small frame in the recursion (compile_expr.cpp,
  // compile_predicate.cpp).
  value compile_number(std::uint32_t module, node_id n);
  value compile_field(std::uint32_t module, node_id n);
  value compile_chain(std::uint32_t module, node_id top, const scope* env);
  value compile_index(std::uint32_t module, node_id n, const scope* env);
  value compile_comparison(std::uint32_t module, node_id n, const scope* env);
  value compile_change(std::uint32_t module, node_id n, const scope* env);
  value compile_new_extreme(std::uint32_t module, node_id n, const scope* env);
  value compile_temporal(std::uint32_t module, node_id n, const scope* env);
  void report_too_deep(std::uint32_t module, node_id n);
  // kids[i] of `parent`, compiled and checked to be of type t.
  value operand(std::uint32_t module, node_id parent, std::size_t i, const scope* env, vtype t,
                const role& r);
  std::optional<duration> window_or_default(std::uint32_t module, node_id n, std::size_t i,
                                            const scope* env, const char* after);
  // An instruction over checked operands; na (invalid) when any operand is invalid.
  value numeric(opcode op, std::initializer_list<value> xs, std::uint32_t module, node_id n,
                duration w = {});
  value logical(opcode op, std::initializer_list<value> xs, std::uint32_t module, node_id n,
                duration w = {});
  static value typed(vtype t);

  // --- emission ---
  reg_index emit(opcode op, vtype out, const std::vector<value>& operands, duration w,
                 std::uint32_t k, std::uint32_t module, node_id origin);
  value number_value(reg_index r, bool constant) const;
  value condition_value(reg_index r, bool constant) const;
  value constant(double v, std::string text, std::uint32_t module, node_id origin);
  value series_value(int series, const std::string& field, duration shift,
                     const std::string& written_name);

  // --- checks and errors ---
  void error(std::uint32_t module, node_id n, std::string message, std::string note = {});
  void error_at(std::uint32_t module, source_pos pos, std::string message, std::string note = {});
  bool expect(const value& v, vtype t, std::uint32_t module, node_id n, const role& r);
  bool check_window(const duration& w, std::uint32_t module, node_id n);
  const node& at(std::uint32_t module, node_id n) const { return modules_[module]->nodes[n]; }
  const module_ast& mod(std::uint32_t module) const { return *modules_[module]; }
  std::vector<std::string> known_names() const;

  const compile_options& options_;
  diagnostics& diags_;
  program prog_;
  std::vector<std::shared_ptr<const module_ast>> modules_;
  std::unordered_map<std::string, symbol> symbols_;
  std::unordered_map<std::string, reg_index> shared_;  // hash-consed instructions
  // Indexes of prog_.constant_text and prog_.inputs: a linear search made a file with many
  // distinct literals or lookbacks quadratic to compile (found by the hostile-input tests).
  std::unordered_map<std::string, std::uint32_t> constant_index_;
  std::unordered_map<std::string, std::uint32_t> input_index_;
  std::vector<ref_collector> collectors_;  // series referenced by the rule
  std::vector<std::string> let_stack_;     // for cycle messages
  std::vector<std::string> def_stack_;
  std::size_t current_rule_ = 0;
  unsigned depth_ = 0;  // compile recursion, bounded so hostile text cannot overflow the stack
  bool too_deep_reported_ = false;  // that bound's error, once per outermost expression

 private:
  // --- statements (compiler.cpp) ---
  void load_prelude();
  void set_lag(std::uint32_t module, const statement& st, const set_stmt& set);
  void add_host_series();
  void declare_module(std::uint32_t module, rank from, unsigned use_depth,
                      std::vector<std::string>& use_stack);
  void declare(const std::string& name, symbol s, std::uint32_t module, source_pos pos);
  void apply_settings(std::uint32_t module);
  void compile_rules(std::uint32_t module);
  void compile_rule(std::uint32_t module, const rule_stmt& r, std::size_t index);
  std::vector<alert_piece> compile_alert(std::uint32_t module, const action& a);
  std::uint32_t add_module(std::shared_ptr<const module_ast> m);

 public:
  value resolve_name(std::uint32_t module, node_id n, const scope* env);
  value compile_let(symbol& sym, const std::string& name, std::uint32_t module, node_id ref);
  value expand_def(symbol& sym, const std::string& name, std::uint32_t module, node_id call,
                   const std::vector<node_id>& args, const scope* env);
  // --- bounded expansion (def_sharing.cpp) ---
  // The identity of an argument expression after its parameters are substituted: equal ids
  // mean the same expression, so f(x) called twice with the same x is expanded once.
  std::uint64_t arg_id(std::uint32_t module, node_id n, const scope* env);
  // Has the compile been cancelled or run past its deadline? Reports it once.
  bool out_of_time(std::uint32_t module, source_pos pos);
  std::unordered_map<std::string, std::uint64_t> interned_args_;  // node shape -> id
  std::unordered_map<std::string, std::uint64_t> arg_ids_;        // (module, node, scope) -> id
  std::unordered_map<std::string, expansion_memo> expansions_;    // (def, arg ids) -> result
  std::uint64_t next_scope_id_ = 0;
  std::size_t expansion_count_ = 0;  // expansions actually compiled (not remembered)
  bool stopped_ = false;  // out of time, cancelled or over the expansion budget: compile no more
  // --- universes (universe.cpp) ---
  void declare_universes(std::uint32_t module);
  const universe_def* find_universe(const std::string& name) const;
  // One scope per member of `u`, binding `symbol` to it; kept for the whole compile so that
  // the same member's expressions share instructions across rules.
  const std::vector<std::unique_ptr<scope>>& member_scopes(const universe_def& u,
                                                           const std::string& symbol);
  bool is_cross_section_call(const node& nd) const;
  value compile_cross_section(std::uint32_t module, node_id n, const scope* env);
  value finish_cross_section(opcode op, reg_index out, std::uint32_t module, node_id n);
  reg_index universe_index(const universe_def& u);
  std::map<std::string, universe_def> universes_;
  std::map<std::string, std::vector<std::unique_ptr<scope>>> member_scopes_;
  std::unordered_map<std::string, reg_index> cross_sections_;  // (op, operands) -> register
  // Per rule of prog_.rules: the index of its member in its universe (for-each rules), set
  // as the rule is expanded; looking the member up by name was m^2 string compares.
  std::vector<std::size_t> each_member_;
  std::optional<each_binding> each_;     // set while a for-each rule's member is compiled
  std::shared_ptr<module_ast> scratch_;  // alert holes are parsed into it
  std::uint32_t scratch_module_ = 0;
};

}  // namespace sluice
