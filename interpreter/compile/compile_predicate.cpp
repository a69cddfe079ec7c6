// Compiling predicates and temporal operators (SPEC section 4): comparisons, `breaks`,
// `rises ... by ... over`, `outperforms`, `hits new high`, `for`, `within`, `followed by`.
#include <fmt/format.h>

#include "interpreter/compile/compiler_internal.hpp"

namespace sluice {

namespace {

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

std::optional<duration> compiler::window_or_default(std::uint32_t module, node_id n,
                                                    std::size_t i, const scope* env,
                                                    const char* after) {
  const node& nd = at(module, n);
  if (i >= nd.kids.size() || nd.kids[i] == no_node) return prog_.default_window;
  return compile_window(module, nd.kids[i], env, after);
}

value compiler::compile_comparison(std::uint32_t module, node_id n, const scope* env) {
  const node& nd = at(module, n);
  if (nd.kind == node_kind::compare) {
    value a = operand(module, n, 0, env, vtype::number, "on the left of the comparison");
    value b = operand(module, n, 1, env, vtype::number, "on the right of the comparison");
    return logical(compare_opcode(static_cast<compare_op>(nd.op)), {a, b}, module, n);
  }
  if (nd.kind == node_kind::between) {
    value x = operand(module, n, 0, env, vtype::number, "before 'between'");
    value lo = operand(module, n, 1, env, vtype::number, "after 'between'");
    value hi = operand(module, n, 2, env, vtype::number, "after 'and'");
    return logical(opcode::between, {x, lo, hi}, module, n);
  }
  const std::string_view word = nd.text == "breaks" ? "'breaks'" : "'crosses'";
  value x = operand(module, n, 0, env, vtype::number, role{"before", word});
  value y = operand(module, n, 1, env, vtype::number, role{"after", word});
  const auto dir = static_cast<direction>(nd.op);
  return logical(dir == direction::up ? opcode::cross_above : opcode::cross_below, {x, y},
                 module, n);
}

// rises: x(t) - x(t-w) > 0; by 5%: x(t)/x(t-w) - 1 >= 0.05; by 100: x(t) - x(t-w) >= 100.
// outperforms: x's relative change over w is greater than y's.
value compiler::compile_change(std::uint32_t module, node_id n, const scope* env) {
  const node& nd = at(module, n);
  const std::string word = fmt::format("'{}'", nd.text);
  const bool up = static_cast<direction>(nd.op) == direction::up;
  if (nd.kind == node_kind::perform) {
    value x = operand(module, n, 0, env, vtype::number, role{"before", word});
    value y = operand(module, n, 1, env, vtype::number, role{"after", word});
    std::optional<duration> w = window_or_default(module, n, 2, env, "over");
    if (x.type == vtype::invalid || y.type == vtype::invalid || !w) return {};
    const value one = constant(1, "1", module, n);
    value px = numeric(opcode::sub,
                       {numeric(opcode::div, {x, lookback(x, *w, module, n)}, module, n), one},
                       module, n);
    value py = numeric(opcode::sub,
                       {numeric(opcode::div, {y, lookback(y, *w, module, n)}, module, n), one},
                       module, n);
    return logical(up ? opcode::gt : opcode::lt, {px, py}, module, n);
  }
  value x = operand(module, n, 0, env, vtype::number, role{"before", word});
  const bool has_by = nd.kids.size() > 1 && nd.kids[1] != no_node;
  value by = has_by ? operand(module, n, 1, env, vtype::number, "after 'by'") : value{};
  std::optional<duration> w = window_or_default(module, n, 2, env, "over");
  if (x.type == vtype::invalid || !w || (has_by && by.type == vtype::invalid)) return {};
  value past = lookback(x, *w, module, n);
  if (!has_by) return logical(up ? opcode::gt : opcode::lt, {x, past}, module, n);
  const bool relative = at(module, nd.kids[1]).kind == node_kind::number &&
                        at(module, nd.kids[1]).is_percent;
  value moved =
      relative
          ? numeric(opcode::sub,
                    {numeric(opcode::div, {x, past}, module, n), constant(1, "1", module, n)},
                    module, n)
          : numeric(opcode::sub, {x, past}, module, n);
  if (up) return logical(opcode::ge, {moved, by}, module, n);
  return logical(opcode::le, {moved, numeric(opcode::neg, {by}, module, n)}, module, n);
}

value compiler::compile_new_extreme(std::uint32_t module, node_id n, const scope* env) {
  const node& nd = at(module, n);
  value x = operand(module, n, 0, env, vtype::number, "before 'hits new'");
  duration w{duration::unit::bars, 0};  // no window: all prior history
  if (nd.kids.size() > 1 && nd.kids[1] != no_node) {
    auto given = compile_window(module, nd.kids[1], env, "over");
    if (!given) return {};
    w = *given;
  }
  const bool high = static_cast<direction>(nd.op) == direction::up;
  return logical(high ? opcode::new_high : opcode::new_low, {x}, module, n, w);
}

value compiler::compile_temporal(std::uint32_t module, node_id n, const scope* env) {
  const node& nd = at(module, n);
  if (nd.kind == node_kind::followed_by) {
    value a = operand(module, n, 0, env, vtype::condition, "before 'followed by'");
    value b = operand(module, n, 1, env, vtype::condition, "after 'followed by'");
    auto w = compile_window(module, nd.kids[2], env, "within");
    if (!w) return {};
    return logical(opcode::followed_by, {a, b}, module, n, *w);
  }
  const bool is_for = nd.kind == node_kind::for_;
  value c = operand(module, n, 0, env, vtype::condition,
                    role{"before", is_for ? "'for'" : "'within'"});
  auto w = compile_window(module, nd.kids[1], env, is_for ? "for" : "within");
  if (!w) return {};
  return logical(is_for ? opcode::for_ : opcode::within, {c}, module, n, *w);
}

}  // namespace sluice
