// The compiler's statement level: modules (prelude, use), symbols and their ranks,
// settings, lets and defs, rules and their actions. Expressions: compile_expr.cpp.
#include "interpreter/compile/compiler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "grammar/keywords.hpp"
#include "grammar/parser.hpp"
#include "interpreter/compile/builtins.hpp"
#include "interpreter/compile/compiler_internal.hpp"
#include "interpreter/data/file_sandbox.hpp"
#include "interpreter/stdlib_sources.hpp"

namespace sluice {

namespace {

std::string read_file(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string join_path(const std::string& dir, const std::string& path) {
  if (dir.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(dir) / path).lexically_normal().string();
}

std::string directory_of(const std::string& file) {
  return std::filesystem::path(file).parent_path().string();
}

// The text of a short-form rule's first line, trimmed, as its name.
std::string name_from_line(const module_ast& m, const statement& st) {
  std::size_t begin = st.range.begin.offset;
  std::size_t end = m.source.find('\n', begin);
  if (end == std::string::npos || end > st.range.end.offset) end = st.range.end.offset;
  std::string line;
  for (std::size_t i = begin; i < end && i < m.source.size(); ++i) {
    const char c = m.source[i];
    if (c == '\r') continue;
    if ((c == ' ' || c == '\t') && (line.empty() || line.back() == ' ')) continue;
    line += c == '\t' ? ' ' : c;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  // A long line is cut at the last word boundary that fits (never mid-word, so the name
  // reads as the rule), with an ellipsis; a single word longer than that is cut where it must.
  if (line.size() > 60) {
    std::size_t cut = line.rfind(' ', 57);
    if (cut == std::string::npos || cut < 20) cut = 57;
    line = line.substr(0, cut);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    line += "...";
  }
  return line;
}

}  // namespace

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

// Declares a module's definitions at `from` rank; `use` statements are followed first.
void compiler::declare_module(std::uint32_t module, rank from, unsigned use_depth,
                              std::vector<std::string>& use_stack) {
  const module_ast& m = mod(module);
  const std::string dir = from == rank::main ? options_.base_dir : directory_of(m.source_name);
  for (const statement& st : m.statements) {
    const auto* u = std::get_if<use_stmt>(&st.body);
    if (!u) continue;
    if (use_depth >= options_.limits.max_use_depth) {
      error_at(module, st.range.begin,
               fmt::format("'use' is nested more than {} files deep", options_.limits.max_use_depth));
      continue;
    }
    std::string name, text;
    if (!u->is_path) {
      bool found = false;
      std::vector<std::string> names;
      for (const stdlib_module& sm : stdlib_modules()) {
        names.emplace_back(sm.name);
        if (sm.name == u->target) {
          found = true;
          text = std::string(sm.source);
        }
      }
      if (!found) {
        const std::string near = did_you_mean(u->target, names);
        error_at(module, st.range.begin, fmt::format("unknown module '{}'", u->target),
                 near.empty() ? fmt::format("the standard modules are: {}", fmt::join(names, ", "))
                              : fmt::format("did you mean '{}'?", near));
        continue;
      }
      name = "<" + u->target + ">";
    } else {
      if (!options_.allow_files) {
        error_at(module, st.range.begin,
                 fmt::format("'use \"{}\"' reads a file, and file access is disabled here", u->target));
        continue;
      }
      name = join_path(dir, u->target);
      if (const std::string problem = sandbox_problem(options_.file_root, name); !problem.empty()) {
        error_at(module, st.range.begin, fmt::format("'use \"{}\"' is {}", u->target, problem));
        continue;
      }
      // An ifstream opens a folder and reads nothing: it would pass as an empty module.
      std::error_code ec;
      if (std::filesystem::is_directory(name, ec)) {
        error_at(module, st.range.begin,
                 fmt::format("'use \"{}\"' names a folder, not a rule file", u->target));
        continue;
      }
      bool ok = false;
      text = read_file(name, ok);
      if (!ok) {
        error_at(module, st.range.begin, fmt::format("cannot read '{}'", name));
        continue;
      }
    }
    if (std::find(use_stack.begin(), use_stack.end(), name) != use_stack.end() ||
        name == m.source_name) {
      error_at(module, st.range.begin,
               fmt::format("'use' cycle: {} -> {}", fmt::join(use_stack, " -> "), name));
      continue;
    }
    bool already = false;
    for (const auto& other : modules_) already = already || other->source_name == name;
    if (already) continue;  // used twice: its definitions are in scope already
    diagnostics used_diags;
    auto ast = std::make_shared<module_ast>(
        parse_module(name, std::move(text), used_diags, options_.limits));
    diags_.append(used_diags);
    use_stack.push_back(name);
    declare_module(add_module(ast), from == rank::main ? rank::used : from, use_depth + 1, use_stack);
    use_stack.pop_back();
  }

  for (const statement& st : m.statements) {
    symbol s;
    s.from = from;
    s.stmt = &st;
    if (const auto* let = std::get_if<let_stmt>(&st.body)) {
      s.kind = symbol_kind::let;
      declare(let->name, s, module, st.range.begin);
    } else if (const auto* def = std::get_if<def_stmt>(&st.body)) {
      s.kind = symbol_kind::def;
      declare(def->name, s, module, st.range.begin);
    } else if (const auto* load = std::get_if<load_stmt>(&st.body)) {
      if (!options_.allow_files) {
        error_at(module, st.range.begin,
                 fmt::format("'load {}' reads a file, and file access is disabled here", load->name));
        continue;
      }
      series_spec spec;
      spec.name = load->name;
      spec.path = join_path(dir, load->path);
      if (const std::string problem = sandbox_problem(options_.file_root, spec.path);
          !problem.empty()) {
        error_at(module, st.range.begin,
                 fmt::format("'load {}' reads '{}', which is {}", load->name, load->path, problem));
        continue;
      }
      spec.column = load->column.value_or("");
      spec.lag = load->lag;
      spec.stale = load->stale;
      spec.declared_in = fmt::format("{}:{}", m.source_name, st.range.begin.line);
      prog_.series.push_back(spec);
      s.kind = symbol_kind::series;
      s.series = static_cast<int>(prog_.series.size() - 1);
      declare(load->name, s, module, st.range.begin);
    } else if (std::holds_alternative<rule_stmt>(st.body) && from != rank::main) {
      diags_.warning(m.source_name, st.range.begin,
                     "rules in a used module are ignored; only its definitions are imported");
    }
  }
}

void compiler::apply_settings(std::uint32_t module) {
  for (const statement& st : mod(module).statements) {
    const auto* set = std::get_if<set_stmt>(&st.body);
    if (!set) continue;
    auto windows = [&](std::vector<duration>& out) {
      for (node_id v : set->values) {
        const node& nd = at(module, v);
        if (nd.kind != node_kind::duration) {
          error(module, v, fmt::format("expected a duration like 20d, 4w or 3mo after 'set {}'", set->key));
          return false;
        }
        if (!check_window(nd.dur, module, v)) return false;
        out.push_back(nd.dur);
      }
      return true;
    };
    if (set->key == "window") {
      std::vector<duration> w;
      if (!windows(w)) continue;
      if (w.size() != 1) {
        error_at(module, st.range.begin, "'set window' takes one duration, like 'set window 4w'");
        continue;
      }
      prog_.default_window = w[0];
    } else if (set->key == "horizons") {
      std::vector<duration> w;
      if (windows(w)) prog_.horizons = w;
    } else if (set->key == "lag") {
      set_lag(module, st, *set);
    } else {
      const std::string near = did_you_mean(set->key, {setting_names.begin(), setting_names.end()});
      error_at(module, st.range.begin, fmt::format("unknown setting '{}'", set->key),
               near.empty() ? "the settings are: window, horizons, lag"
                            : fmt::format("did you mean '{}'?", near));
    }
  }
}

// `set lag NAME D`: the publication lag of a series, replacing the catalogue's default
// (docs/data.md) or a `load ... lag`. NAME may be a prelude alias (`tga` for wtregen): one
// chain of `let X = Y` aliases is followed to the series.
void compiler::set_lag(std::uint32_t module, const statement& st, const set_stmt& set) {
  const char* usage = "'set lag' takes a series name and a duration, like 'set lag tga 1d'";
  if (set.values.size() != 2 || at(module, set.values[0]).kind != node_kind::name ||
      at(module, set.values[1]).kind != node_kind::duration) {
    error_at(module, st.range.begin, usage);
    return;
  }
  const std::string& name = at(module, set.values[0]).text;
  const duration lag = at(module, set.values[1]).dur;
  if (lag.count < 0) {
    error(module, set.values[1], "a publication lag cannot be negative");
    return;
  }
  std::string target = name;
  for (int hops = 0; hops < 8; ++hops) {
    auto found = symbols_.find(target);
    if (found == symbols_.end()) break;
    const symbol& sym = found->second;
    if (sym.kind == symbol_kind::series && sym.series >= 0) {
      prog_.series[static_cast<std::size_t>(sym.series)].lag = lag;
      return;
    }
    const auto* let = sym.stmt ? std::get_if<let_stmt>(&sym.stmt->body) : nullptr;
    if (sym.kind != symbol_kind::let || !let) break;
    const node& value = at(sym.module, let->value);
    if (value.kind != node_kind::name) break;
    target = value.text;
  }
  error(module, set.values[0], fmt::format("'set lag': '{}' is not a series", name),
        "give the name of a loaded series (a --data file stem, a `load`, or an alias of one)");
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
      const std::vector<std::string> callee(def_stack_.begin() + static_cast<std::ptrdiff_t>(arg.def_depth),
                                            def_stack_.end());
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
    case symbol_kind::series: return series_value(sym.series, "", {}, nd.text);
    case symbol_kind::let: return compile_let(sym, nd.text, module, n);
    case symbol_kind::def: return expand_def(sym, nd.text, module, n, {}, env);
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

std::vector<alert_piece> compiler::compile_alert(std::uint32_t module, const action& a) {
  // The raw string in the source, between its quotes; `{expr}` holes are parsed in place
  // so that their diagnostics point into the rule file.
  std::vector<alert_piece> pieces;
  const std::string& src = mod(module).source;
  std::size_t i = a.text_pos.offset + 1;
  std::string text;
  auto flush = [&] {
    if (!text.empty()) pieces.push_back({alert_piece::kind::text, text, 0, {}});
    text.clear();
  };
  while (i < src.size() && src[i] != '"') {
    const char c = src[i];
    if (c == '\\' && i + 1 < src.size()) {
      text += src[i + 1];
      i += 2;
    } else if (c == '{' && i + 1 < src.size() && src[i + 1] == '{') {
      text += '{';
      i += 2;
    } else if (c == '}' && i + 1 < src.size() && src[i + 1] == '}') {
      text += '}';
      i += 2;
    } else if (c == '{') {
      const std::size_t close = src.find_first_of("}\"", i);
      if (close == std::string::npos || src[close] != '}') {
        diags_.error(mod(module).source_name, a.text_pos, "unclosed '{' in alert text",
                     "write {{ for a literal brace");
        return pieces;
      }
      flush();
      // `{expr:FORMAT}`: the spec follows the last ':' (no expression contains one).
      std::size_t expr_end = close;
      std::optional<number_format> format;
      if (const std::size_t colon = src.rfind(':', close); colon != std::string::npos && colon > i) {
        expr_end = colon;
        std::size_t bad = 0;
        std::string why;
        format = parse_number_format(std::string_view(src).substr(colon + 1, close - colon - 1), bad, why);
        if (!format) {
          const std::uint32_t at = static_cast<std::uint32_t>(colon + 1 + bad);
          error_at(module, position_of(mod(module), at),
                   fmt::format("bad format '{}' in alert text: expected {}",
                               src.substr(colon + 1, close - colon - 1), why),
                   "formats are written like {x:.2f}, {x:+.1%} or {x:,.0f}");
          i = close + 1;
          continue;
        }
      }
      std::string inside = src.substr(i + 1, expr_end - i - 1);
      const auto first = inside.find_first_not_of(" \t");
      const auto last = inside.find_last_not_of(" \t");
      inside = first == std::string::npos ? "" : inside.substr(first, last - first + 1);
      if ((inside == "date" || inside == "rule") && expr_end != close) {
        error_at(module, position_of(mod(module), static_cast<std::uint32_t>(expr_end)),
                 fmt::format("{{{}}} is text: a format applies to numbers only", inside));
      } else if (inside == "date") {
        pieces.push_back({alert_piece::kind::date, {}, 0, {}});
      } else if (inside == "rule") {
        pieces.push_back({alert_piece::kind::rule, {}, 0, {}});
      } else if (each_ && inside == each_->symbol + ".name") {  // the member's name, as text
        text = each_->universe->members[each_->member];
        flush();
      } else {
        node_id hole = parse_fragment(*scratch_, static_cast<std::uint32_t>(i + 1),
                                      static_cast<std::uint32_t>(expr_end), diags_);
        if (hole != no_node) {
          value v = compile(scratch_module_, hole, each_ ? each_->env : nullptr);
          if (expect(v, vtype::number, scratch_module_, hole, "in '{...}' of an alert"))
            pieces.push_back({alert_piece::kind::value, inside, v.reg, format});
        }
      }
      i = close + 1;
    } else {
      text += c;
      ++i;
    }
  }
  flush();
  return pieces;
}

void compiler::compile_rule(std::uint32_t module, const rule_stmt& r,
                            std::size_t index) {
  current_rule_ = index;
  if (out_of_time(module, r.condition == no_node ? source_pos{} : at(module, r.condition).range.begin))
    return;
  // A for-each rule: SYM names this rule's member wherever the rule's text uses it.
  const scope* env = nullptr;
  each_.reset();
  if (!r.each_symbol.empty()) {
    const compiled_rule& cr = prog_.rules[index];
    const universe_def* u = find_universe(cr.universe);
    const auto member = static_cast<std::size_t>(
        std::find(u->members.begin(), u->members.end(), cr.symbol) - u->members.begin());
    env = member_scopes(*u, r.each_symbol)[member].get();
    each_ = each_binding{u, r.each_symbol, member, env};
  }
  collectors_.emplace_back();
  value cond = compile(module, r.condition, env);
  const bool ok = expect(cond, vtype::condition, module, r.condition, "after 'when'");
  series_refs refs = std::move(collectors_.back().refs);
  collectors_.pop_back();

  std::vector<compiled_action> actions;
  std::vector<std::string> texts;
  for (const action& a : r.actions) {
    compiled_action out;
    out.what = a.what;
    out.name = a.name;
    if (each_ && a.what == action::kind::watch && a.name == each_->symbol)
      out.name = each_->universe->members[each_->member];  // `watch coin` watches the member
    out.watch_for = a.watch_for;
    if (a.what == action::kind::watch) {
      collectors_.emplace_back();
      value v = a.target != no_node ? compile(module, a.target, env) : value{};
      collectors_.pop_back();
      if (a.target != no_node && expect(v, vtype::number, module, a.target, "after 'watch'"))
        out.watched = v.reg;
    } else if (a.what == action::kind::alert) {
      out.alert = compile_alert(module, a);
    }
    // Formatted once here, not per event: a busy rule fires tens of thousands of times.
    switch (a.what) {
      case action::kind::watch:
        texts.push_back(
            a.watch_for ? fmt::format("watch {} for {}", out.name, format_duration(*a.watch_for))
                        : fmt::format("watch {}", out.name));
        break;
      case action::kind::signal: texts.push_back(fmt::format("signal {}", a.name)); break;
      case action::kind::alert: texts.push_back("alert"); break;
    }
    actions.push_back(std::move(out));
  }
  each_.reset();
  if (!ok) return;
  compiled_rule& target = prog_.rules[index];
  target.action_texts = shared_texts(std::move(texts));
  target.actions = std::move(actions);
  std::vector<std::string> names;
  for (const auto& ref : refs) names.push_back(ref.first);
  target.value_names = shared_texts(std::move(names));
  target.values = std::move(refs);
  target.condition = cond.reg;
  target.fired = emit(opcode::fire, vtype::condition, {cond}, {}, static_cast<std::uint32_t>(index),
                      module, r.condition);
}

void compiler::compile_rules(std::uint32_t module) {
  const module_ast& m = mod(module);
  // Counted before anything is built for them: a hostile file of millions of rules costs
  // its parse, not millions of names and sets.
  const auto count = static_cast<std::size_t>(
      std::count_if(m.statements.begin(), m.statements.end(),
                    [](const statement& st) { return std::holds_alternative<rule_stmt>(st.body); }));
  if (count > options_.limits.max_rules) {
    error_at(module, {}, fmt::format("{} rules exceed the limit of {}", count,
                                     options_.limits.max_rules));
    return;
  }
  // Rules are numbered first so that signals can name the rule that raises them.
  std::set<std::string> names;
  std::vector<std::pair<const statement*, const rule_stmt*>> rules;
  for (const statement& st : m.statements) {
    const auto* r = std::get_if<rule_stmt>(&st.body);
    if (!r) continue;
    if (!r->each_symbol.empty()) {  // one rule per member (universe.cpp's expand_each)
      const universe_def* u = find_universe(r->each_universe);
      if (!u) {
        std::vector<std::string> known;
        for (const auto& [name, def] : universes_) known.push_back(name);
        const std::string near = did_you_mean(r->each_universe, known);
        error_at(module, r->each_pos, fmt::format("unknown universe '{}'", r->each_universe),
                 near.empty() ? "declare it: universe NAME = a, b, c (or --universe NAME=DIR)"
                              : fmt::format("did you mean '{}'?", near));
        continue;
      }
      bool signals = false;
      for (const action& a : r->actions)
        if (a.what == action::kind::signal && !signals) {
          signals = true;
          error_at(module, a.range.begin,
                   "a 'for each' rule cannot raise a signal: it is one rule per symbol",
                   "write the signal's rule without 'for each', or watch/alert instead");
        }
      if (signals) continue;
      if (prog_.rules.size() + u->members.size() > options_.limits.max_rules) {
        error_at(module, st.range.begin,
                 fmt::format("rules exceed the limit of {} once '{}' is expanded",
                             options_.limits.max_rules, u->name));
        return;
      }
      const std::string base = r->name.empty() ? name_from_line(m, st) : r->name;
      for (std::size_t j = 0; j < u->members.size(); ++j) {
        compiled_rule cr;
        cr.name = fmt::format("{}[{}]", base, u->members[j]);
        cr.location = fmt::format("{}:{}", m.source_name, st.range.begin.line);
        cr.cooldown = r->cooldown;
        cr.once = r->once;
        cr.condition_node = r->condition;
        cr.module = module;
        cr.symbol = u->members[j];
        cr.universe = u->name;
        cr.each_symbol = r->each_symbol;
        cr.each_node = u->nodes[j];
        cr.each_module = scratch_module_;
        if (!names.insert(cr.name).second)
          error_at(module, st.range.begin,
                   fmt::format("a rule named \"{}\" already exists", cr.name));
        prog_.rules.push_back(std::move(cr));
        rules.emplace_back(&st, r);
      }
      if (r->cooldown && r->cooldown->count <= 0)
        error_at(module, st.range.begin, "cooldown must be longer than zero");
      continue;
    }
    compiled_rule cr;
    cr.name = r->short_form || r->name.empty() ? name_from_line(m, st) : r->name;
    cr.location = fmt::format("{}:{}", m.source_name, st.range.begin.line);
    cr.cooldown = r->cooldown;
    cr.once = r->once;
    cr.condition_node = r->condition;
    cr.module = module;
    if (!names.insert(cr.name).second) {
      if (r->short_form)
        cr.name = fmt::format("{} (line {})", cr.name, st.range.begin.line);
      else
        error_at(module, st.range.begin, fmt::format("a rule named \"{}\" already exists", cr.name));
    }
    for (const action& a : r->actions) {
      if (a.what != action::kind::signal) continue;
      if (symbols_.count(a.name) && symbols_.at(a.name).from != rank::prelude) {
        error_at(module, a.range.begin,
                 fmt::format("signal '{}' has the name of another definition", a.name));
        continue;
      }
      symbol s;
      s.kind = symbol_kind::signal;
      s.from = rank::main;
      s.rule = prog_.rules.size();
      symbols_[a.name] = s;
      symbols_[a.name].module = module;
      symbols_[a.name].pos = a.range.begin;
    }
    if (r->cooldown) {
      const duration& cd = *r->cooldown;
      if (cd.count <= 0) error_at(module, st.range.begin, "cooldown must be longer than zero");
    }
    prog_.rules.push_back(std::move(cr));
    rules.emplace_back(&st, r);
  }
  for (std::size_t i = 0; i < rules.size(); ++i) compile_rule(module, *rules[i].second, i);
  current_rule_ = rules.size();
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
    diags_.error(main->source_name, {}, fmt::format("the program needs more than {} instructions",
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
