// Bounded compiles: def expansions shared per (def, arguments), and the compile's deadline
// and cancel token. Defs are expanded in place (compiler::expand_def); without sharing, a
// chain of defs that each call the previous one twice costs 2^depth expansions, so 591 bytes
// of text could stall a host for hours.
#include <fmt/format.h>

#include "interpreter/compile/compiler_internal.hpp"

namespace sluice {

// Arguments are compared by shape, with each parameter replaced by the id of the argument
// bound to it: `x` inside f2 and the `btc` the rule passed to f2 get the same id. Ids are
// interned node by node (hash-consing), so `f1(x * x)` chains stay linear too, and each
// (node, scope) pair is computed once.
std::uint64_t compiler::arg_id(std::uint32_t module, node_id n, const scope* env) {
  const node& nd = at(module, n);
  if (env && nd.kind == node_kind::name) {
    auto p = env->params.find(nd.text);
    if (p != env->params.end()) return arg_id(p->second.module, p->second.node, p->second.env);
  }
  const std::string where = fmt::format("{}:{}:{}", module, n, env ? env->id : 0);
  if (auto known = arg_ids_.find(where); known != arg_ids_.end()) return known->second;
  // The module is part of the shape: a name means what its module's scope says it means.
  // Texts are length-prefixed so that no two different nodes print the same shape.
  std::string shape = fmt::format("{}|{}|{}|{}:{}|{}:{}|{}:{}|{}|{}|{}|{}|{}|{}", module,
                                  static_cast<int>(nd.kind), static_cast<int>(nd.op),
                                  nd.text.size(), nd.text, nd.field.size(), nd.field,
                                  nd.digits.size(), nd.digits, nd.exponent10, nd.is_percent,
                                  static_cast<int>(nd.dur.kind), nd.dur.count, nd.time, nd.count);
  // A name that is a parameter in any other role (a field's base, a call's name) stands for
  // its argument as well.
  if (env && !nd.text.empty()) {
    auto p = env->params.find(nd.text);
    if (p != env->params.end())
      shape += fmt::format("|p{}", arg_id(p->second.module, p->second.node, p->second.env));
  }
  for (node_id kid : nd.kids) shape += fmt::format("|{}", kid == no_node ? 0 : arg_id(module, kid, env));
  const std::uint64_t id = interned_args_.emplace(std::move(shape), interned_args_.size() + 1).first->second;
  arg_ids_.emplace(where, id);
  return id;
}

bool compiler::out_of_time(std::uint32_t module, source_pos pos) {
  if (stopped_) return true;
  const bool cancelled = options_.cancel && options_.cancel->load(std::memory_order_relaxed);
  if (!cancelled && (options_.deadline == std::chrono::steady_clock::time_point::max() ||
                     std::chrono::steady_clock::now() < options_.deadline))
    return false;
  stopped_ = true;
  error_at(module, pos,
           cancelled ? "the compile was cancelled here" : "the compile ran out of time here",
           cancelled ? "" : "the host bounds compile time (engine_options::max_compile_time)");
  return true;
}

}  // namespace sluice
