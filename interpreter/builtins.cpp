// The native builtins of SPEC section 6, checked and lowered in one table-driven place.
// Calls that are not builtins expand a `def` (compiler.cpp).
#include <fmt/format.h>

#include <array>

#include "interpreter/compiler_internal.hpp"

namespace sluice {

namespace {

struct builtin {
  const char* name;
  int min_args;
  int max_args;  // -1: any number
  const char* usage;
};

// One row per builtin; `usage` is what the arity error shows.
constexpr std::array<builtin, 17> builtins = {{
    {"sma", 2, 2, "sma(x, 20 bars) or sma(x, 4w)"},
    {"ema", 2, 2, "ema(x, 20 bars)"},
    {"rsi", 2, 2, "rsi(x, 14 bars)"},
    {"stdev", 2, 2, "stdev(x, 20 bars)"},
    {"zscore", 2, 2, "zscore(x, 100 bars)"},
    {"highest", 2, 2, "highest(x, 3mo)"},
    {"lowest", 2, 2, "lowest(x, 3mo)"},
    {"change", 2, 2, "change(x, 4w)"},
    {"pct", 2, 2, "pct(x, 4w)"},
    {"lag", 2, 2, "lag(x, 7d)"},
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

std::vector<std::string> builtin_names() {
  std::vector<std::string> names;
  for (const builtin& b : builtins) names.emplace_back(b.name);
  names.emplace_back(log_builtin.name);
  return names;
}

value compiler::compile_call(std::uint32_t module, node_id n, const scope* env) {
  const node& nd = at(module, n);
  const builtin* b = find_builtin(nd.text);
  if (!b) {
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
  const int argc = static_cast<int>(nd.kids.size());
  if (argc < b->min_args || (b->max_args >= 0 && argc > b->max_args)) {
    const std::string expected = b->max_args < 0 ? fmt::format("at least {}", b->min_args)
                                                 : fmt::format("{}", b->min_args);
    error(module, n,
          fmt::format("{} takes {} argument{}, found {}", b->name, expected,
                      b->min_args == 1 && b->max_args == 1 ? "" : "s", argc),
          fmt::format("usage: {}", b->usage));
    return {};
  }
  const std::string name = nd.text;
  auto arg = [&](int i) -> value {
    value v = compile(module, nd.kids[i], env);
    return expect(v, vtype::number, module, nd.kids[i],
                  fmt::format("as argument {} of {}", i + 1, name).c_str())
               ? v
               : value{};
  };
  auto window = [&](int i, bool bars_only) -> std::optional<duration> {
    auto w = compile_window(module, nd.kids[i], env, fmt::format("{}(x, ", name).c_str());
    if (w && bars_only && !w->is_bars()) {
      error(module, nd.kids[i],
            fmt::format("{} needs a bar count like 20 bars, found {}", name, format_duration(*w)));
      return std::nullopt;
    }
    return w;
  };
  auto op = [&](opcode code, std::vector<value> xs, duration w = {}) -> value {
    bool c = !is_stateful(code);  // sma(5, 3 bars) is na during warm-up: not a constant
    for (const value& x : xs) {
      if (x.type != vtype::number) return {};
      c = c && x.constant;
    }
    return number_value(emit(code, vtype::number, xs, w, 0, module, n), c);
  };

  if (name == "sma" || name == "stdev" || name == "highest" || name == "lowest" ||
      name == "ema" || name == "rsi" || name == "zscore") {
    value x = arg(0);
    auto w = window(1, name == "ema" || name == "rsi");
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
    value x = arg(0);
    auto w = window(1, false);
    if (x.type == vtype::invalid || !w) return {};
    value past = lookback(x, *w, module, n);
    if (name == "lag") return past;
    if (name == "change") return op(opcode::sub, {x, past});
    return op(opcode::sub, {op(opcode::div, {x, past}), constant(1, "1", module, n)});
  }
  if (name == "drawdown") return op(opcode::drawdown, {arg(0)});
  if (name == "rebase") return op(opcode::rebase, {arg(0)});
  if (name == "abs") return op(opcode::abs, {arg(0)});
  if (name == "log") return op(opcode::log, {arg(0)});
  if (name == "ratio") return op(opcode::div, {arg(0), arg(1)});
  if (name == "min" || name == "max") {
    value acc = arg(0);
    for (int i = 1; i < argc; ++i) acc = op(name == "min" ? opcode::min : opcode::max, {acc, arg(i)});
    return acc;
  }
  // basket: the operand list goes to the program's aux table.
  std::vector<reg_index> parts;
  bool ok = true;
  for (int i = 0; i < argc; ++i) {
    value v = arg(i);
    ok = ok && v.type == vtype::number;
    parts.push_back(v.reg);
  }
  if (!ok) return {};
  std::uint32_t k = 0;
  for (; k < prog_.aux.size(); ++k)
    if (prog_.aux[k] == parts) break;
  if (k == prog_.aux.size()) prog_.aux.push_back(parts);
  return number_value(emit(opcode::basket, vtype::number, {}, {}, k, module, n), false);
}

}  // namespace sluice
