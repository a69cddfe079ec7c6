// Compiling expressions, predicates and temporal operators to bytecode (SPEC section 4).
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "interpreter/compiler_internal.hpp"

namespace sluice {

namespace {

// Bounds the compiler's recursion: the parser limits nesting per source, but def
// expansion can stack nestings; past this the expression is rejected, not the stack.
constexpr unsigned max_compile_depth = 1500;

struct depth_guard {
  unsigned& depth;
  explicit depth_guard(unsigned& d) : depth(d) { ++depth; }
  ~depth_guard() { --depth; }
};

const char* type_name(vtype t) {
  switch (t) {
    case vtype::number: return "a number";
    case vtype::condition: return "a condition";
    case vtype::window: return "a duration";
    case vtype::string: return "a string";
    case vtype::date: return "a date";
    case vtype::invalid: break;
  }
  return "nothing";
}

opcode compare_opcode(compare_op op) {
  switch (op) {
    case compare_op::gt: return opcode::gt;
    case compare_op::ge: return opcode::ge;
    case compare_op::lt: return opcode::lt;
    case compare_op::le: return opcode::le;
    case compare_op::eq: return opcode::eq;
    case compare_op::ne: return opcode::ne;
  }
  return opcode::gt;
}

}  // namespace

void compiler::error(std::uint32_t module, node_id n, std::string message, std::string note) {
  error_at(module, at(module, n).range.begin, std::move(message), std::move(note));
}

void compiler::error_at(std::uint32_t module, source_pos pos, std::string message,
                        std::string note) {
  diags_.error(mod(module).source_name, pos, std::move(message), std::move(note));
}

bool compiler::expect(const value& v, vtype t, std::uint32_t module, node_id n, const char* role) {
  if (v.type == t) return true;
  if (v.type == vtype::invalid) return false;  // already reported
  std::string note;
  if (t == vtype::condition && v.type == vtype::number)
    note = "compare it (x > 2600) or use a predicate (x rises over 4w)";
  error(module, n, fmt::format("expected {} {}, found {}", type_name(t), role, type_name(v.type)),
        note);
  return false;
}

bool compiler::check_window(const duration& w, std::uint32_t module, node_id n) {
  const compile_limits& lim = options_.limits;
  if (w.count <= 0) {
    error(module, n, fmt::format("a window must be longer than zero, found {}", format_duration(w)));
    return false;
  }
  const bool too_long = w.is_bars()                          ? w.count > lim.max_window_bars
                        : w.kind == duration::unit::months ? w.count > lim.max_window_days / 30
                                                           : w.count > lim.max_window_days;
  if (too_long) {
    error(module, n,
          fmt::format("window {} is longer than the limit ({} bars or {} days)",
                      format_duration(w), lim.max_window_bars, lim.max_window_days));
    return false;
  }
  return true;
}

value compiler::number_value(reg_index r, bool is_constant) const {
  value v;
  v.type = vtype::number;
  v.reg = r;
  v.constant = is_constant;
  return v;
}

value compiler::condition_value(reg_index r, bool is_constant) const {
  value v;
  v.type = vtype::condition;
  v.reg = r;
  v.constant = is_constant;
  return v;
}

bool is_stateful(opcode op) {
  return op == opcode::lag_bars || op == opcode::lag_time || op == opcode::sma ||
         op == opcode::stdev || op == opcode::highest || op == opcode::lowest ||
         op == opcode::ema || op == opcode::rsi || op == opcode::drawdown ||
         op == opcode::rebase || op == opcode::basket || op == opcode::cross_above ||
         op == opcode::cross_below || op == opcode::new_high || op == opcode::new_low ||
         op == opcode::for_ || op == opcode::within || op == opcode::followed_by ||
         op == opcode::fire || op == opcode::host_call;
}

reg_index compiler::emit(opcode op, vtype out, const std::vector<value>& operands, duration w,
                         std::uint32_t k, std::uint32_t module, node_id origin) {
  reg_index r[3] = {0, 0, 0};
  bool all_constant = true;
  for (std::size_t i = 0; i < operands.size() && i < 3; ++i) {
    r[i] = operands[i].reg;
    all_constant = all_constant && operands[i].constant;
  }
  const bool stateful = is_stateful(op);
  if (op == opcode::input || op == opcode::constant || operands.empty()) all_constant = false;
  if (op == opcode::constant) all_constant = true;
  // Identical instructions over identical operands compute identical columns: share them.
  const std::string key = fmt::format("{}|{}|{}|{}|{}|{}|{}", static_cast<int>(op), r[0], r[1],
                                      r[2], static_cast<int>(w.kind), w.count, k);
  if (op != opcode::fire) {
    auto found = shared_.find(key);
    if (found != shared_.end()) return found->second;
  }
  instruction in;
  in.op = op;
  in.d = out == vtype::number ? prog_.num_registers++ : prog_.cond_registers++;
  in.a = r[0];
  in.b = r[1];
  in.c = r[2];
  in.w = w;
  in.k = k;
  in.s = stateful ? ++prog_.state_slots : 0;
  in.origin = origin;
  in.module = module;
  const bool init = (all_constant && !stateful) || op == opcode::constant;
  (init ? prog_.init_code : prog_.code).push_back(in);
  if (op != opcode::fire) shared_.emplace(key, in.d);
  return in.d;
}

value compiler::constant(double v, std::string text, std::uint32_t module, node_id origin) {
  const auto [found, added] = constant_index_.try_emplace(
      text, static_cast<std::uint32_t>(prog_.constant_text.size()));
  const std::uint32_t k = found->second;
  if (added) {
    prog_.constants.push_back(v);
    prog_.constant_text.push_back(text);
  }
  return number_value(emit(opcode::constant, vtype::number, {}, {}, k, module, origin), true);
}

value compiler::series_value(int series, const std::string& field, duration shift,
                             const std::string& written_name) {
  const std::string key = fmt::format("{}|{}|{}|{}", series, static_cast<int>(shift.kind),
                                      shift.count, field);
  const auto [found, added] =
      input_index_.try_emplace(key, static_cast<std::uint32_t>(prog_.inputs.size()));
  const std::uint32_t k = found->second;
  if (added) prog_.inputs.push_back({static_cast<std::uint32_t>(series), field, shift});
  value v = number_value(emit(opcode::input, vtype::number, {}, {}, k, 0, no_node), false);
  if (shift.count == 0) {
    v.series = series;
    v.field = field;
    if (!collectors_.empty() && !written_name.empty()) {
      collectors_.back().add(field.empty() ? written_name : written_name + "." + field, v.reg);
    }
  }
  return v;
}

// x read at t - w: w bars back, or as-of t - w. A plain series reads its raw observations
// as-of t - w (SPEC 3); any other expression reads its value at the last timeline point at
// or before t - w.
value compiler::lookback(const value& x, duration w, std::uint32_t module, node_id origin) {
  if (w.count == 0) return x;
  if (w.is_calendar() && x.series >= 0)
    return series_value(x.series, x.field, w, {});
  const opcode op = w.is_bars() ? opcode::lag_bars : opcode::lag_time;
  // Never constant: a lookback of a constant is na until the window is covered.
  return number_value(emit(op, vtype::number, {x}, w, 0, module, origin), false);
}

std::optional<duration> compiler::compile_window(std::uint32_t module, node_id n,
                                                 const scope* env, const char* after) {
  const node& nd = at(module, n);
  value v;
  if (nd.kind == node_kind::duration) {
    v.type = vtype::window;
    v.window = nd.dur;
  } else if (nd.kind == node_kind::name) {
    v = resolve_name(module, n, env);
  } else {
    error(module, n, fmt::format("expected a duration like 20d, 4w or 3mo after '{}'", after));
    return std::nullopt;
  }
  if (v.type == vtype::invalid) return std::nullopt;
  if (v.type != vtype::window) {
    error(module, n,
          fmt::format("expected a duration like 20d, 4w or 3mo after '{}', found {}", after,
                      type_name(v.type)));
    return std::nullopt;
  }
  if (!check_window(v.window, module, n)) return std::nullopt;
  return v.window;
}

value compiler::compile(std::uint32_t module, node_id n, const scope* env) {
  depth_guard guard(depth_);
  if (depth_ > max_compile_depth) {
    if (depth_ == max_compile_depth + 1)
      error(module, n, "expression is nested too deeply after expanding definitions");
    return {};
  }
  const node& nd = at(module, n);
  auto operand = [&](std::size_t i, vtype t, const char* role) -> value {
    value v = compile(module, nd.kids[i], env);
    return expect(v, t, module, nd.kids[i], role) ? v : value{};
  };
  auto num_op = [&](opcode op, std::vector<value> xs, duration w = {}) -> value {
    for (const value& x : xs)
      if (x.type != vtype::number) return {};
    bool c = !is_stateful(op);
    for (const value& x : xs) c = c && x.constant;
    return number_value(emit(op, vtype::number, xs, w, 0, module, n), c);
  };
  auto cond_op = [&](opcode op, std::vector<value> xs, duration w = {}) -> value {
    for (const value& x : xs)
      if (x.type == vtype::invalid) return {};
    bool c = !is_stateful(op);
    for (const value& x : xs) c = c && x.constant;
    return condition_value(emit(op, vtype::condition, xs, w, 0, module, n), c);
  };
  auto window_or_default = [&](std::size_t i, const char* after) -> std::optional<duration> {
    if (i >= nd.kids.size() || nd.kids[i] == no_node) return prog_.default_window;
    return compile_window(module, nd.kids[i], env, after);
  };

  switch (nd.kind) {
    case node_kind::number: {
      const std::string text = nd.exponent10 == 0 ? nd.digits
                                                  : fmt::format("{}e{}", nd.digits, nd.exponent10);
      const double v = std::strtod(text.c_str(), nullptr);
      if (!std::isfinite(v)) {
        error(module, n, fmt::format("number {} is out of range", text));
        return {};
      }
      return constant(v, text, module, n);
    }
    case node_kind::duration: {
      value v;
      v.type = vtype::window;
      v.window = nd.dur;
      return v;
    }
    case node_kind::date: {
      value v;
      v.type = vtype::date;
      return v;
    }
    case node_kind::string: {
      value v;
      v.type = vtype::string;
      return v;
    }
    case node_kind::name: return resolve_name(module, n, env);
    case node_kind::field: {
      auto found = symbols_.find(nd.text);
      if (found == symbols_.end()) {
        const std::string near = did_you_mean(nd.text, known_names());
        error(module, n, fmt::format("unknown series '{}'", nd.text),
              near.empty() ? "" : fmt::format("did you mean '{}'?", near));
        return {};
      }
      int series = found->second.series;
      if (found->second.kind == symbol_kind::let) {
        value base = compile_let(found->second, nd.text, module, n);
        series = base.field.empty() ? base.series : -1;
      }
      if (series < 0) {
        error(module, n, fmt::format("'{}' is not a series loaded from a file, so it has no field '{}'",
                                     nd.text, nd.field));
        return {};
      }
      return series_value(series, nd.field, {}, nd.text);
    }
    case node_kind::negate: return num_op(opcode::neg, {operand(0, vtype::number, "after '-'")});
    case node_kind::binary: {
      value a = operand(0, vtype::number, fmt::format("before '{}'", char(nd.op)).c_str());
      value b = operand(1, vtype::number, fmt::format("after '{}'", char(nd.op)).c_str());
      const opcode op = nd.op == '+'   ? opcode::add
                        : nd.op == '-' ? opcode::sub
                        : nd.op == '*' ? opcode::mul
                                       : opcode::div;
      return num_op(op, {a, b});
    }
    case node_kind::call: return compile_call(module, n, env);
    case node_kind::index: {
      value x = operand(0, vtype::number, "before '[...]'");
      const duration w{duration::unit::bars, nd.count};
      if (x.type == vtype::invalid) return {};
      if (nd.count < 0 || nd.count > options_.limits.max_window_bars) {
        error(module, n, fmt::format("x[{}] looks further back than the limit of {} bars",
                                     nd.count, options_.limits.max_window_bars));
        return {};
      }
      return lookback(x, w, module, n);
    }
    case node_kind::compare: {
      value a = operand(0, vtype::number, "on the left of the comparison");
      value b = operand(1, vtype::number, "on the right of the comparison");
      return cond_op(compare_opcode(static_cast<compare_op>(nd.op)), {a, b});
    }
    case node_kind::between: {
      value x = operand(0, vtype::number, "before 'between'");
      value lo = operand(1, vtype::number, "after 'between'");
      value hi = operand(2, vtype::number, "after 'and'");
      return cond_op(opcode::between, {x, lo, hi});
    }
    case node_kind::crosses: {
      const char* word = nd.text == "breaks" ? "'breaks'" : "'crosses'";
      value x = operand(0, vtype::number, fmt::format("before {}", word).c_str());
      value y = operand(1, vtype::number, fmt::format("after {}", word).c_str());
      const auto dir = static_cast<direction>(nd.op);
      return cond_op(dir == direction::up ? opcode::cross_above : opcode::cross_below, {x, y});
    }
    case node_kind::change: {
      // rises: x(t) - x(t-w) > 0; by 5%: x(t)/x(t-w) - 1 >= 0.05; by 100: x(t) - x(t-w) >= 100.
      value x = operand(0, vtype::number, fmt::format("before '{}'", nd.text).c_str());
      const bool has_by = nd.kids.size() > 1 && nd.kids[1] != no_node;
      value by = has_by ? operand(1, vtype::number, "after 'by'") : value{};
      std::optional<duration> w = window_or_default(2, "over");
      if (x.type == vtype::invalid || !w || (has_by && by.type == vtype::invalid)) return {};
      const bool up = static_cast<direction>(nd.op) == direction::up;
      value past = lookback(x, *w, module, n);
      if (!has_by) return cond_op(up ? opcode::gt : opcode::lt, {x, past});
      const bool relative = at(module, nd.kids[1]).kind == node_kind::number &&
                            at(module, nd.kids[1]).is_percent;
      value moved = relative ? num_op(opcode::sub, {num_op(opcode::div, {x, past}),
                                                    constant(1, "1", module, n)})
                             : num_op(opcode::sub, {x, past});
      if (up) return cond_op(opcode::ge, {moved, by});
      return cond_op(opcode::le, {moved, num_op(opcode::neg, {by})});
    }
    case node_kind::perform: {
      value x = operand(0, vtype::number, fmt::format("before '{}'", nd.text).c_str());
      value y = operand(1, vtype::number, fmt::format("after '{}'", nd.text).c_str());
      std::optional<duration> w = window_or_default(2, "over");
      if (x.type == vtype::invalid || y.type == vtype::invalid || !w) return {};
      const value one = constant(1, "1", module, n);
      value px = num_op(opcode::sub, {num_op(opcode::div, {x, lookback(x, *w, module, n)}), one});
      value py = num_op(opcode::sub, {num_op(opcode::div, {y, lookback(y, *w, module, n)}), one});
      const bool up = static_cast<direction>(nd.op) == direction::up;
      return cond_op(up ? opcode::gt : opcode::lt, {px, py});
    }
    case node_kind::new_extreme: {
      value x = operand(0, vtype::number, "before 'hits new'");
      duration w{duration::unit::bars, 0};  // no window: all prior history
      if (nd.kids.size() > 1 && nd.kids[1] != no_node) {
        auto given = compile_window(module, nd.kids[1], env, "over");
        if (!given) return {};
        w = *given;
      }
      const bool high = static_cast<direction>(nd.op) == direction::up;
      return cond_op(high ? opcode::new_high : opcode::new_low, {x}, w);
    }
    case node_kind::not_: return cond_op(opcode::not_, {operand(0, vtype::condition, "after 'not'")});
    case node_kind::and_:
    case node_kind::or_: {
      const char* word = nd.kind == node_kind::and_ ? "'and'" : "'or'";
      value a = operand(0, vtype::condition, fmt::format("before {}", word).c_str());
      value b = operand(1, vtype::condition, fmt::format("after {}", word).c_str());
      return cond_op(nd.kind == node_kind::and_ ? opcode::and_ : opcode::or_, {a, b});
    }
    case node_kind::for_:
    case node_kind::within: {
      const char* word = nd.kind == node_kind::for_ ? "for" : "within";
      value c = operand(0, vtype::condition, fmt::format("before '{}'", word).c_str());
      auto w = compile_window(module, nd.kids[1], env, word);
      if (!w) return {};
      return cond_op(nd.kind == node_kind::for_ ? opcode::for_ : opcode::within, {c}, *w);
    }
    case node_kind::followed_by: {
      value a = operand(0, vtype::condition, "before 'followed by'");
      value b = operand(1, vtype::condition, "after 'followed by'");
      auto w = compile_window(module, nd.kids[2], env, "within");
      if (!w) return {};
      return cond_op(opcode::followed_by, {a, b}, *w);
    }
  }
  return {};
}

}  // namespace sluice
