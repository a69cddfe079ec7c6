// Compiling expressions, predicates and temporal operators to bytecode (SPEC section 4).
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "interpreter/compile/compiler_internal.hpp"

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

}  // namespace

void compiler::error(std::uint32_t module, node_id n, std::string message, std::string note) {
  error_at(module, at(module, n).range.begin, std::move(message), std::move(note));
}

void compiler::error_at(std::uint32_t module, source_pos pos, std::string message,
                        std::string note) {
  diags_.error(mod(module).source_name, pos, std::move(message), std::move(note));
}

std::string role::text() const {
  if (argument > 0) return fmt::format("as argument {} of {}", argument, word);
  return word.empty() ? std::string(words) : fmt::format("{} {}", words, word);
}

bool compiler::expect(const value& v, vtype t, std::uint32_t module, node_id n, const role& r) {
  if (v.type == t) return true;
  if (v.type == vtype::invalid) return false;  // already reported
  std::string note;
  if (t == vtype::condition && v.type == vtype::number)
    note = "compare it (x > 2600) or use a predicate (x rises over 4w)";
  error(module, n, fmt::format("expected {} {}, found {}", type_name(t), r.text(), type_name(v.type)),
        note);
  return false;
}

bool compiler::check_window(const duration& w, std::uint32_t module, node_id n) {
  const compile_limits& lim = options_.limits;
  if (w.count <= 0) {
    error(module, n, fmt::format("a window must be longer than zero, found {}", format_duration(w)));
    return false;
  }
  const bool too_long =
      w.is_bars()                          ? w.count > lim.max_window_bars
      : w.kind == duration::unit::months ? w.count > lim.max_window_days / max_days_per_month
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

reg_index compiler::emit(opcode op, vtype out, const std::vector<value>& operands, duration w,
                         std::uint32_t k, std::uint32_t module, node_id origin) {
  reg_index r[3] = {0, 0, 0};
  bool all_constant = true;
  for (std::size_t i = 0; i < operands.size() && i < 3; ++i) {
    r[i] = operands[i].reg;
    all_constant = all_constant && operands[i].constant;
  }
  // Stateful instructions (windows, lookbacks, edges, rules) are never constant, even over
  // constant operands, so that nothing computed from them is folded into the init code.
  const bool stateful = is_stateful(op);
  if (op == opcode::input || op == opcode::constant || operands.empty()) all_constant = false;
  if (op == opcode::constant) all_constant = true;
  // Identical instructions over identical operands compute identical columns: share them.
  // The key is the fields' bytes: formatted as text it cost more than the rest of emit (a
  // universe's expanded rules emit millions of instructions).
  std::string key;
  auto put = [&key](const auto& field) {
    key.append(reinterpret_cast<const char*>(&field), sizeof field);
  };
  put(op);
  put(r);
  put(w.kind);
  put(w.count);
  put(k);
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
    // A bare whole number is almost always a count of bars written without its unit.
    std::string note;
    if (nd.kind == node_kind::number && nd.exponent10 == 0 && !nd.is_percent &&
        !nd.digits.empty() && nd.digits.find('.') == std::string::npos)
      note = fmt::format("did you mean '{} bars' (or {}d for days)?", nd.digits, nd.digits);
    // `3m` is three million, not three months.
    const std::string& src = modules_[module]->source;
    if (nd.kind == node_kind::number && nd.exponent10 == 6 && nd.range.end.offset > 0 &&
        nd.range.end.offset <= src.size() && (src[nd.range.end.offset - 1] | 0x20) == 'm')
      note = fmt::format("m is million; did you mean {}mo (months)?", nd.digits);
    error(module, n, fmt::format("expected a duration like 20d, 4w or 3mo after '{}'", after),
          std::move(note));
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

// The recursion of the whole compiler goes through here. Each node kind has its own
// function so that a level of recursion costs one small frame, not the frame of a switch
// holding every case's temporaries (about 24 KB a level under AddressSanitizer).
value compiler::compile(std::uint32_t module, node_id n, const scope* env) {
  if (stopped_) return {};  // out of time, cancelled or over budget: reported once already
  depth_guard guard(depth_);
  if (depth_ == 1) too_deep_reported_ = false;  // a new outermost expression
  if (depth_ > max_compile_depth) {
    report_too_deep(module, n);
    return {};
  }
  const node& nd = at(module, n);
  switch (nd.kind) {
    case node_kind::number: return compile_number(module, n);
    case node_kind::duration: {
      value v;
      v.type = vtype::window;
      v.window = nd.dur;
      return v;
    }
    case node_kind::date: return typed(vtype::date);
    case node_kind::string: return typed(vtype::string);
    case node_kind::name: return resolve_name(module, n, env);
    case node_kind::field: return compile_field(module, n);
    case node_kind::negate:
      return numeric(opcode::neg, {operand(module, n, 0, env, vtype::number, "after '-'")},
                     module, n);
    case node_kind::binary:
    case node_kind::and_:
    case node_kind::or_: return compile_chain(module, n, env);
    case node_kind::call: return compile_call(module, n, env);
    case node_kind::index: return compile_index(module, n, env);
    case node_kind::compare:
    case node_kind::between:
    case node_kind::crosses: return compile_comparison(module, n, env);
    case node_kind::change:
    case node_kind::perform: return compile_change(module, n, env);
    case node_kind::new_extreme: return compile_new_extreme(module, n, env);
    case node_kind::not_:
      return logical(opcode::not_, {operand(module, n, 0, env, vtype::condition, "after 'not'")},
                     module, n);
    case node_kind::for_:
    case node_kind::within:
    case node_kind::followed_by: return compile_temporal(module, n, env);
  }
  return {};
}

void compiler::report_too_deep(std::uint32_t module, node_id n) {
  // Once per outermost expression: every node at the cut would repeat it otherwise.
  if (!too_deep_reported_)
    error(module, n,
          fmt::format("expression is nested too deeply (limit {} levels, counting the "
                      "bodies of definitions it uses)",
                      max_compile_depth));
  too_deep_reported_ = true;
}

value compiler::typed(vtype t) {
  value v;
  v.type = t;
  return v;
}

value compiler::operand(std::uint32_t module, node_id parent, std::size_t i, const scope* env,
                        vtype t, const role& r) {
  const node_id kid = at(module, parent).kids[i];
  value v = compile(module, kid, env);
  return expect(v, t, module, kid, r) ? v : value{};
}

value compiler::numeric(opcode op, std::initializer_list<value> xs, std::uint32_t module,
                        node_id n, duration w) {
  bool c = !is_stateful(op);
  for (const value& x : xs) {
    if (x.type != vtype::number) return {};
    c = c && x.constant;
  }
  return number_value(emit(op, vtype::number, xs, w, 0, module, n), c);
}

value compiler::logical(opcode op, std::initializer_list<value> xs, std::uint32_t module,
                        node_id n, duration w) {
  bool c = !is_stateful(op);
  for (const value& x : xs) {
    if (x.type == vtype::invalid) return {};
    c = c && x.constant;
  }
  return condition_value(emit(op, vtype::condition, xs, w, 0, module, n), c);
}

value compiler::compile_number(std::uint32_t module, node_id n) {
  const node& nd = at(module, n);
  const std::string text =
      nd.exponent10 == 0 ? nd.digits : fmt::format("{}e{}", nd.digits, nd.exponent10);
  const double v = std::strtod(text.c_str(), nullptr);
  if (!std::isfinite(v)) {
    error(module, n, fmt::format("number {} is out of range", text));
    return {};
  }
  return constant(v, text, module, n);
}

value compiler::compile_field(std::uint32_t module, node_id n) {
  const node& nd = at(module, n);
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
    error(module, n,
          fmt::format("'{}' is not a series loaded from a file, so it has no field '{}'",
                      nd.text, nd.field));
    return {};
  }
  return series_value(series, nd.field, {}, nd.text);
}

// `a + b + c ...` and `p and q and r ...` parse as left-deep trees as long as the text.
// The left spine is walked in a loop, so a long chain costs one frame per chain, while the
// depth count still grows by one per link as if it had recursed: every later walk over
// the tree (explain, the reference evaluator) recurses and relies on that bound.
value compiler::compile_chain(std::uint32_t module, node_id top, const scope* env) {
  auto is_link = [&](node_id id) {
    const node_kind k = at(module, id).kind;
    return k == node_kind::binary || k == node_kind::and_ || k == node_kind::or_;
  };
  std::vector<node_id> spine{top};  // spine[k] is k levels below top
  while (is_link(at(module, spine.back()).kids[0])) {
    if (depth_ + spine.size() > max_compile_depth) {
      report_too_deep(module, at(module, spine.back()).kids[0]);
      return {};
    }
    spine.push_back(at(module, spine.back()).kids[0]);
  }
  const unsigned base = depth_;  // top's own level
  struct restore_depth {
    unsigned& depth;
    unsigned saved;
    ~restore_depth() { depth = saved; }
  } restore{depth_, base};

  depth_ = base + static_cast<unsigned>(spine.size()) - 1;
  value left = compile(module, at(module, spine.back()).kids[0], env);
  for (std::size_t k = spine.size(); k-- > 0;) {
    depth_ = base + static_cast<unsigned>(k);  // the level of spine[k]
    const node_id link = spine[k];
    const node& nd = at(module, link);
    const bool arithmetic = nd.kind == node_kind::binary;
    const vtype t = arithmetic ? vtype::number : vtype::condition;
    const std::string_view word = !arithmetic                 ? (nd.kind == node_kind::and_ ? "'and'" : "'or'")
                                  : nd.op == '+'             ? "'+'"
                                  : nd.op == '-'             ? "'-'"
                                  : nd.op == '*'             ? "'*'"
                                                             : "'/'";
    if (!expect(left, t, module, nd.kids[0], role{"before", word})) left = {};
    const value right = operand(module, link, 1, env, t, role{"after", word});
    if (arithmetic) {
      const opcode op = nd.op == '+'   ? opcode::add
                        : nd.op == '-' ? opcode::sub
                        : nd.op == '*' ? opcode::mul
                                       : opcode::div;
      left = numeric(op, {left, right}, module, link);
    } else {
      left = logical(nd.kind == node_kind::and_ ? opcode::and_ : opcode::or_, {left, right},
                     module, link);
    }
  }
  return left;
}

value compiler::compile_index(std::uint32_t module, node_id n, const scope* env) {
  const node& nd = at(module, n);
  value x = operand(module, n, 0, env, vtype::number, "before '[...]'");
  const duration w{duration::unit::bars, nd.count};
  if (x.type == vtype::invalid) return {};
  if (nd.count < 0 || nd.count > options_.limits.max_window_bars) {
    error(module, n,
          fmt::format("x[{}] looks further back than the limit of {} bars", nd.count,
                      options_.limits.max_window_bars));
    return {};
  }
  return lookback(x, w, module, n);
}

}  // namespace sluice
