// The native builtins of SPEC section 6, checked and lowered in one table-driven place.
// Calls that are not builtins expand a `def` (compiler.cpp).
#include "interpreter/compile/builtins.hpp"

#include <fmt/format.h>

#include <array>

#include "interpreter/compile/compiler_internal.hpp"

namespace sluice {

namespace {

struct builtin {
  const char* name;
  int min_args;
  int max_args;  // -1: any number
  const char* usage;
  bool windowed = false;  // the second argument is a window (20 bars, 4w), not a number
};

// One row per builtin; `usage` is what the arity error shows.
constexpr std::array<builtin, 17> builtins = {{
    {"sma", 2, 2, "sma(x, 20 bars) or sma(x, 4w)", true},
    {"ema", 2, 2, "ema(x, 20 bars)", true},
    {"rsi", 2, 2, "rsi(x, 14 bars)", true},
    {"stdev", 2, 2, "stdev(x, 20 bars)", true},
    {"zscore", 2, 2, "zscore(x, 100 bars)", true},
    {"highest", 2, 2, "highest(x, 3mo)", true},
    {"lowest", 2, 2, "lowest(x, 3mo)", true},
    {"change", 2, 2, "change(x, 4w)", true},
    {"pct", 2, 2, "pct(x, 4w)", true},
    {"lag", 2, 2, "lag(x, 7d)", true},
    {"drawdown", 1, 1, "drawdown(x)"},
    {"ratio", 2, 2, "ratio(x, y)"},
    {"rebase", 1, 1, "rebase(x)"},
    {"basket", 1, -1, "basket(x, y, ...)"},
    {"min", 2, -1, "min(x, y, ...)"},
    {"max", 2, -1, "max(x, y, ...)"},
    {"abs", 1, 1, "abs(x)"},
}};
// log is listed separately to keep the table's size constant readable.
constexpr builtin log_builtin = {"log", 1, 1, "log(x)"};

const builtin* find_builtin(std::string_view name) {
  if (name == log_builtin.name) return &log_builtin;
  for (const builtin& b : builtins)
    if (name == b.name) return &b;
  return nullptr;
}

}  // namespace

bool is_builtin(std::string_view name) { return find_builtin(name) != nullptr; }

std::vector<std::string> builtin_names() {
  std::vector<std::string> names;
  for (const builtin& b : builtins) names.emplace_back(b.name);
  names.emplace_back(log_builtin.name);
  return names;
}

// The recursive part of a call is only the loop over its arguments; errors and the
// lowering live in functions of their own, so that a nested call costs a small frame.
value compiler::compile_call(std::uint32_t module, node_id n, const scope* env) {
  const node& nd = at(module, n);
  if (is_cross_section_call(nd)) return compile_cross_section(module, n, env);  // universe.cpp
  const builtin* b = find_builtin(nd.text);
  if (!b) return compile_non_builtin_call(module, n, env);
  const int argc = static_cast<int>(nd.kids.size());
  if (argc < b->min_args || (b->max_args >= 0 && argc > b->max_args)) {
    report_builtin_arity(module, n, b->name, b->min_args, b->max_args, b->usage);
    return {};
  }
  // A window argument is not an expression: lower_builtin reads it with compile_window.
  std::vector<value> args;
  args.reserve(nd.kids.size());
  for (int i = 0; i < argc; ++i) {
    if (b->windowed && i == 1) break;
    value v = compile(module, nd.kids[i], env);
    args.push_back(expect(v, vtype::number, module, nd.kids[i], role{i + 1, b->name}) ? v
                                                                                      : value{});
  }
  return lower_builtin(module, n, env, args);
}

value compiler::compile_non_builtin_call(std::uint32_t module, node_id n, const scope* env) {
  const node& nd = at(module, n);
  for (std::size_t i = 0; i < options_.functions.size(); ++i)
    if (options_.functions[i].name == nd.text)
      return compile_host_call(module, n, env, static_cast<std::uint32_t>(i));
  auto found = symbols_.find(nd.text);
  if (found != symbols_.end() && found->second.kind == symbol_kind::def)
    return expand_def(found->second, nd.text, module, n, nd.kids, env);
  std::vector<std::string> candidates = builtin_names();
  for (const host_function& f : options_.functions) candidates.push_back(f.name);
  for (const auto& [name, sym] : symbols_)
    if (sym.kind == symbol_kind::def) candidates.push_back(name);
  const std::string near = did_you_mean(nd.text, candidates);
  if (found != symbols_.end())
    error(module, n, fmt::format("'{}' is not a function: it takes no arguments", nd.text));
  else
    error(module, n, fmt::format("unknown function '{}'", nd.text),
          near.empty() ? "" : fmt::format("did you mean '{}'?", near));
  return {};
}

void compiler::report_builtin_arity(std::uint32_t module, node_id n, std::string_view name,
                                    int min_args, int max_args, std::string_view usage) {
  const int argc = static_cast<int>(at(module, n).kids.size());
  const std::string expected =
      max_args < 0 ? fmt::format("at least {}", min_args) : fmt::format("{}", min_args);
  error(module, n,
        fmt::format("{} takes {} argument{}, found {}", name, expected,
                    min_args == 1 && max_args == 1 ? "" : "s", argc),
        fmt::format("usage: {}", usage));
}

// Lowers a builtin whose value arguments are compiled (args[i] is argument i + 1, invalid
// where it failed to compile or check); reads the window argument itself.
value compiler::lower_builtin(std::uint32_t module, node_id n, const scope* env,
                              const std::vector<value>& args) {
  const node& nd = at(module, n);
  const std::string& name = nd.text;
  auto window = [&](bool bars_only) -> std::optional<duration> {
    auto w = compile_window(module, nd.kids[1], env, fmt::format("{}(x, ", name).c_str());
    if (w && bars_only && !w->is_bars()) {
      error(module, nd.kids[1],
            fmt::format("{} needs a bar count like 20 bars, found {}", name, format_duration(*w)));
      return std::nullopt;
    }
    return w;
  };
  // numeric() folds nothing stateful: sma(5, 3 bars) is na during warm-up, not a constant.
  auto op = [&](opcode code, std::initializer_list<value> xs, duration w = {}) {
    return numeric(code, xs, module, n, w);
  };

  if (name == "sma" || name == "stdev" || name == "highest" || name == "lowest" ||
      name == "ema" || name == "rsi" || name == "zscore") {
    const value& x = args[0];
    auto w = window(name == "ema" || name == "rsi");
    if (x.type == vtype::invalid || !w) return {};
    if (name == "zscore")
      return op(opcode::div, {op(opcode::sub, {x, op(opcode::sma, {x}, *w)}),
                              op(opcode::stdev, {x}, *w)});
    const opcode code = name == "sma"       ? opcode::sma
                        : name == "stdev"   ? opcode::stdev
                        : name == "highest" ? opcode::highest
                        : name == "lowest"  ? opcode::lowest
                        : name == "ema"     ? opcode::ema
                                            : opcode::rsi;
    return op(code, {x}, *w);
  }
  if (name == "change" || name == "pct" || name == "lag") {
    const value& x = args[0];
    auto w = window(false);
    if (x.type == vtype::invalid || !w) return {};
    value past = lookback(x, *w, module, n);
    if (name == "lag") return past;
    if (name == "change") return op(opcode::sub, {x, past});
    return op(opcode::sub, {op(opcode::div, {x, past}), constant(1, "1", module, n)});
  }
  if (name == "drawdown") return op(opcode::drawdown, {args[0]});
  if (name == "rebase") return op(opcode::rebase, {args[0]});
  if (name == "abs") return op(opcode::abs, {args[0]});
  if (name == "log") return op(opcode::log, {args[0]});
  if (name == "ratio") return op(opcode::div, {args[0], args[1]});
  if (name == "min" || name == "max") {
    value acc = args[0];
    for (std::size_t i = 1; i < args.size(); ++i)
      acc = op(name == "min" ? opcode::min : opcode::max, {acc, args[i]});
    return acc;
  }
  // basket: the operand list goes to the program's aux table.
  std::vector<reg_index> parts;
  for (const value& v : args) {
    if (v.type != vtype::number) return {};
    parts.push_back(v.reg);
  }
  std::uint32_t k = 0;
  for (; k < prog_.aux.size(); ++k)
    if (prog_.aux[k] == parts) break;
  if (k == prog_.aux.size()) prog_.aux.push_back(parts);
  return number_value(emit(opcode::basket, vtype::number, {}, {}, k, module, n), false);
}

}  // namespace sluice
