// The compiler's module level: `use` (stdlib modules and files, followed first), `load`,
// the definitions a module declares at its rank, and `set` (window, horizons, lag).
// The driver and name resolution: compiler.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "grammar/keywords.hpp"
#include "grammar/parser.hpp"
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

}  // namespace

// Declares a module's definitions at `from` rank; `use` statements are followed first.
void compiler::declare_module(std::uint32_t module, rank from, unsigned use_depth,
                              std::vector<std::string>& use_stack) {
  const module_ast& m = mod(module);
  const std::string dir = from == rank::main ? options_.base_dir : directory_of(m.source_name);
  for (const statement& st : m.statements) {
    const auto* u = std::get_if<use_stmt>(&st.body);
    if (!u) continue;
    if (use_depth >= options_.limits.max_use_depth) {
      error_at(
          module, st.range.begin,
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
        error_at(
            module, st.range.begin,
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
    declare_module(add_module(ast), from == rank::main ? rank::used : from, use_depth + 1,
                   use_stack);
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
        error_at(
            module, st.range.begin,
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
          error(module, v,
                fmt::format("expected a duration like 20d, 4w or 3mo after 'set {}'", set->key));
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

}  // namespace sluice
