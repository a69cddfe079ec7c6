// The compiler's driver and scopes: modules, symbols and their ranks, the prelude and
// the host's series, name resolution, lets and defs. The module level (`use`, `load`,
// `set`): compile_modules.cpp; rules and alerts: compile_rules.cpp; expressions:
// compile_expr.cpp.
#include "interpreter/compile/compiler.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "grammar/parser.hpp"
#include "interpreter/compile/compiler_internal.hpp"
#include "interpreter/stdlib_sources.hpp"

namespace sluice {

compiler::compiler(const compile_options& options, diagnostics& diags)
    : options_(options), diags_(diags) {}

std::uint32_t compiler::add_module(std::shared_ptr<const module_ast> m) {
  modules_.push_back(std::move(m));
  return static_cast<std::uint32_t>(modules_.size() - 1);
}

std::vector<std::string> compiler::known_names() const {
  std::vector<std::string> names;
  for (const auto& [name, sym] : symbols_) names.push_back(name);
  return names;
}

void compiler::declare(const std::string& name, symbol s, std::uint32_t module, source_pos pos) {
  s.module = module;
  s.pos = pos;
  auto found = symbols_.find(name);
  if (found == symbols_.end()) {
    symbols_.emplace(name, std::move(s));
    return;
  }
  symbol& old = found->second;
  if (old.from == s.from && old.from != rank::host) {
    const module_ast& where = mod(old.module);
    error_at(module, pos, fmt::format("'{}' is already defined", name),
             fmt::format("the first definition is at {}:{}:{}", where.source_name, old.pos.line,
                         old.pos.column));
    return;
  }
  if (s.from > old.from) old = std::move(s);
}

void compiler::load_prelude() {
  // Parsed once per process: the prelude is compiled in and its AST is never written, and
  // parsing it again was most of the cost of compiling a short text (the REPL compiles the
  // session per line, fuzzers and hosts per input). Thread-safe static initialisation.
  struct parsed_prelude {
    std::shared_ptr<const module_ast> ast;
    diagnostics diags;
  };
  static const parsed_prelude prelude = [] {
    parsed_prelude parsed;
    for (const stdlib_module& m : stdlib_modules())
      if (m.name == "prelude")
        parsed.ast = std::make_shared<module_ast>(
            parse_module("<prelude>", std::string(m.source), parsed.diags));
    return parsed;
  }();
  diags_.append(prelude.diags);  // a broken prelude is a bug worth seeing
  if (!prelude.ast) return;
  std::vector<std::string> stack;
  declare_module(add_module(prelude.ast), rank::prelude, 0, stack);
}

void compiler::add_host_series() {
  for (const host_series& h : options_.host) {
    series_spec spec;
    spec.name = h.name;
    spec.path = h.path;
    spec.column = h.column;
    spec.lag = h.lag;
    spec.stale = h.stale;
    spec.declared_in = h.path.empty() ? "host" : h.path;
    prog_.series.push_back(spec);
    symbol s;
    s.kind = symbol_kind::series;
    s.from = rank::host;
    s.series = static_cast<int>(prog_.series.size() - 1);
    declare(h.name, s, 0, {});
  }
}

value compiler::resolve_name(std::uint32_t module, node_id n, const scope* env) {
  const node& nd = at(module, n);
  if (env) {
    auto param = env->params.find(nd.text);
    if (param != env->params.end()) {
      // The argument is the caller's expression: compile it with the caller's def stack,
      // so that a call in an argument of the same def (f(f(x))) is not taken for recursion.
      const bound_arg& arg = param->second;
      // An argument used twice (f(x) = x * x, down a chain of defs) is compiled once.
      std::string key = fmt::format("a{}", arg_id(arg.module, arg.node, arg.env));
      if (auto memo = expansions_.find(key); memo != expansions_.end()) {
        if (!collectors_.empty())
          for (const auto& [shown, reg] : memo->second.refs) collectors_.back().add(shown, reg);
        return memo->second.result;
      }
      const std::vector<std::string> callee(
          def_stack_.begin() + static_cast<std::ptrdiff_t>(arg.def_depth), def_stack_.end());
      def_stack_.resize(arg.def_depth);
      collectors_.emplace_back();
      value v = compile(arg.module, arg.node, arg.env);
      series_refs refs = std::move(collectors_.back().refs);
      collectors_.pop_back();
      if (!collectors_.empty())
        for (const auto& [shown, reg] : refs) collectors_.back().add(shown, reg);
      def_stack_.insert(def_stack_.end(), callee.begin(), callee.end());
      if (!stopped_) expansions_.emplace(std::move(key), expansion_memo{v, std::move(refs)});
      return v;
    }
  }
  auto found = symbols_.find(nd.text);
  if (found == symbols_.end()) {
    std::vector<std::string> candidates = known_names();
    if (env)
      for (const auto& [p, arg] : env->params) candidates.push_back(p);
    const std::string near = did_you_mean(nd.text, candidates);
    error(module, n, fmt::format("unknown series '{}'", nd.text),
          near.empty() ? "load it (load NAME from \"file.csv\") or pass --data DIR with NAME.csv"
                       : fmt::format("did you mean '{}'?", near));
    return {};
  }
  symbol& sym = found->second;
  switch (sym.kind) {
    case symbol_kind::series:
      return series_value(sym.series, "", {}, nd.text);
    case symbol_kind::let:
      return compile_let(sym, nd.text, module, n);
    case symbol_kind::def:
      return expand_def(sym, nd.text, module, n, {}, env);
    case symbol_kind::signal: {
      if (sym.rule >= current_rule_) {
        const compiled_rule& raiser = prog_.rules[sym.rule];
        error(module, n,
              fmt::format("signal '{}' is raised by rule \"{}\" ({}), which is not before this one",
                          nd.text, raiser.name, raiser.location),
              "a rule can use the signals of the rules above it");
        return {};
      }
      return condition_value(prog_.rules[sym.rule].fired, false);
    }
  }
  return {};
}

value compiler::compile_let(symbol& sym, const std::string& name, std::uint32_t module,
                            node_id ref) {
  if (sym.state == 1) {
    auto from = std::find(let_stack_.begin(), let_stack_.end(), name);
    std::vector<std::string> cycle(from, let_stack_.end());
    cycle.push_back(name);
    error(module, ref, fmt::format("definition cycle: {}", fmt::join(cycle, " -> ")));
    return {};
  }
  if (sym.state == 0) {
    sym.state = 1;
    let_stack_.push_back(name);
    collectors_.emplace_back();
    const auto& let = std::get<let_stmt>(sym.stmt->body);
    if (sym.from == rank::prelude) {
      // A prelude alias whose target is missing: say so at the user's reference.
      diagnostics inner;
      std::swap(diags_, inner);
      sym.memo = compile(sym.module, let.value, nullptr);
      std::swap(diags_, inner);
      if (inner.has_errors()) {
        const node& target = at(sym.module, let.value);
        const std::string alias = target.kind == node_kind::name ? target.text : "its definition";
        error(module, ref, fmt::format("unknown series '{}'", name),
              fmt::format("no series is named '{}', and the prelude's alias '{}' is not loaded "
                          "either; load one of them or pass --data DIR with {}.csv",
                          name, alias, name));
        sym.memo = {};
      }
    } else {
      sym.memo = compile(sym.module, let.value, nullptr);
    }
    sym.refs = std::move(collectors_.back().refs);
    collectors_.pop_back();
    let_stack_.pop_back();
    if (sym.memo.series >= 0) sym.refs = {{name, sym.memo.reg}};
    sym.state = 2;
  }
  if (!collectors_.empty())
    for (const auto& [shown, reg] : sym.refs) collectors_.back().add(shown, reg);
  return sym.memo;
}

value compiler::expand_def(symbol& sym, const std::string& name, std::uint32_t module, node_id call,
                           const std::vector<node_id>& args, const scope* env) {
  const auto& def = std::get<def_stmt>(sym.stmt->body);
  if (args.size() != def.params.size()) {
    error(module, call,
          fmt::format("{} takes {} argument{}, found {}", name, def.params.size(),
                      def.params.size() == 1 ? "" : "s", args.size()),
          fmt::format("defined as {}({})", name, fmt::join(def.params, ", ")));
    return {};
  }
  if (std::find(def_stack_.begin(), def_stack_.end(), name) != def_stack_.end()) {
    error(module, call,
          fmt::format("recursive definition: {} -> {}", fmt::join(def_stack_, " -> "), name),
          "definitions are expanded in place, so they cannot call themselves");
    return {};
  }
  if (def_stack_.size() >= options_.limits.max_expansion_depth) {
    error(module, call,
          fmt::format("definitions nest more than {} deep", options_.limits.max_expansion_depth));
    return {};
  }
  if (out_of_time(module, at(module, call).range.begin)) return {};
  // The same def over the same arguments compiles to the same value: expand it once. Without
  // this, `def f2(x) = f1(x) + f1(x)` sixty levels deep expands 2^60 times.
  std::string key = fmt::format("{}", static_cast<const void*>(&sym));
  for (node_id a : args) key += fmt::format(",{}", arg_id(module, a, env));
  if (auto memo = expansions_.find(key); memo != expansions_.end()) {
    if (!collectors_.empty())
      for (const auto& [shown, reg] : memo->second.refs) collectors_.back().add(shown, reg);
    return memo->second.result;
  }
  if (++expansion_count_ > options_.limits.max_def_expansions) {
    // Stop the whole compile: the calls still to come are as many as those behind.
    error(module, call,
          fmt::format("definitions expand to more than {} distinct calls",
                      options_.limits.max_def_expansions),
          "each call of a def with new arguments is a copy of its body; share a common "
          "part with `let`");
    stopped_ = true;
    return {};
  }
  scope inner;
  inner.id = ++next_scope_id_;
  for (std::size_t i = 0; i < args.size(); ++i)
    inner.params[def.params[i]] = {module, args[i], env, def_stack_.size()};
  collectors_.emplace_back();  // the series this expansion names, remembered with it
  def_stack_.push_back(name);
  value v = compile(sym.module, def.body, &inner);
  def_stack_.pop_back();
  series_refs refs = std::move(collectors_.back().refs);
  collectors_.pop_back();
  if (!collectors_.empty())
    for (const auto& [shown, reg] : refs) collectors_.back().add(shown, reg);
  // An expansion with errors is remembered too: its errors are reported once, not at each
  // of the (possibly exponentially many) calls that reach it.
  if (!stopped_) expansions_.emplace(std::move(key), expansion_memo{v, std::move(refs)});
  return v;
}

std::shared_ptr<const program> compiler::run(std::shared_ptr<const module_ast> main) {
  load_prelude();
  add_host_series();
  std::vector<std::string> stack{main->source_name};
  const std::uint32_t module = add_module(main);
  declare_module(module, rank::main, 0, stack);
  apply_settings(module);

  auto scratch = std::make_shared<module_ast>();
  scratch->source_name = main->source_name;
  scratch->source = main->source;
  scratch->line_starts = main->line_starts;  // its holes are located without a rescan
  scratch_ = scratch;
  scratch_module_ = add_module(scratch);
  declare_universes(module);

  compile_rules(module);
  // Lets of the main file are checked even when no rule uses them.
  current_rule_ = prog_.rules.size();
  // In source order, so that a cycle is reported from its first definition.
  for (const statement& st : main->statements) {
    const auto* let = std::get_if<let_stmt>(&st.body);
    if (!let) continue;
    auto found = symbols_.find(let->name);
    if (found == symbols_.end() || found->second.stmt != &st || found->second.state != 0) continue;
    compile_let(found->second, let->name, module, let->value);
  }

  if (prog_.code.size() + prog_.init_code.size() > options_.limits.max_instructions)
    diags_.error(main->source_name, {},
                 fmt::format("the program needs more than {} instructions",
                             options_.limits.max_instructions));
  if (diags_.has_errors()) return nullptr;
  prog_.modules = modules_;
  prog_.host_functions = options_.functions;
  return std::make_shared<const program>(std::move(prog_));
}

std::shared_ptr<const program> compile(std::shared_ptr<const module_ast> main,
                                       const compile_options& options, diagnostics& diags) {
  compiler c(options, diags);
  return c.run(std::move(main));
}

std::shared_ptr<const program> compile_source(std::string source_name, std::string source,
                                              const compile_options& options, diagnostics& diags) {
  auto ast = std::make_shared<module_ast>(
      parse_module(std::move(source_name), std::move(source), diags, options.limits));
  if (diags.has_errors()) {
    // Parse errors first; semantic errors of the statements that parsed are still useful.
    diagnostics semantic;
    compile(ast, options, semantic);
    diags.append(semantic);
    diags.sort_by_position();
    return nullptr;
  }
  auto program = compile(ast, options, diags);
  diags.sort_by_position();
  return program;
}

}  // namespace sluice
