// Calls of host functions (embedding API) in rule text: checked like builtins (arity, numeric
// arguments), lowered to one host_call instruction whose operand list lives in the aux table.
#include <fmt/format.h>

#include "interpreter/compile/compiler_internal.hpp"

namespace sluice {

value compiler::compile_host_call(std::uint32_t module, node_id n, const scope* env,
                                  std::uint32_t index) {
  const node& nd = at(module, n);
  const host_function& f = options_.functions[index];
  const std::size_t argc = nd.kids.size();
  if (argc != f.arity) {
    error(module, n,
          fmt::format("{} takes {} argument{}, found {}", f.name, f.arity, f.arity == 1 ? "" : "s",
                      argc),
          "a function provided by the host application");
    return {};
  }
  // AUX[k] = {function index, argument registers...}: distinct functions over the same
  // arguments get distinct aux entries, so hash-consing never merges them.
  std::vector<reg_index> operands{index};
  bool ok = true;
  for (std::size_t i = 0; i < argc; ++i) {
    value v = compile(module, nd.kids[i], env);
    ok = expect(v, vtype::number, module, nd.kids[i], role{static_cast<int>(i) + 1, f.name}) &&
         ok;
    operands.push_back(v.reg);
  }
  if (!ok) return {};
  std::uint32_t k = 0;
  for (; k < prog_.aux.size(); ++k)
    if (prog_.aux[k] == operands) break;
  if (k == prog_.aux.size()) prog_.aux.push_back(operands);
  const duration w{duration::unit::bars, f.window};
  return number_value(emit(opcode::host_call, vtype::number, {}, w, k, module, n), false);
}

}  // namespace sluice
