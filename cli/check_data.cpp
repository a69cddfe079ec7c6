// Inputs checked against their files, with rule positions (see check_data.hpp).
#include "cli/check_data.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "interpreter/ast.hpp"

namespace sluice {

namespace {

// Where input k is first read in the rule text: `input` instructions carry no source
// node, so the first instruction with one that takes an input-k register as an operand.
const instruction* first_read(const program& p, std::uint32_t k) {
  for (const auto* code : {&p.init_code, &p.code})
    for (const instruction& load : *code) {
      if (load.op != opcode::input || load.k != k) continue;
      for (const auto* users : {&p.init_code, &p.code})
        for (const instruction& in : *users)
          if (in.origin != no_node && in.module < p.modules.size() && p.modules[in.module] &&
              (in.a == load.d || in.b == load.d || in.c == load.d) && &in != &load)
            return &in;
    }
  return nullptr;
}

// The first place the rule text names the series (`name` or `name.field`); else the
// first instruction reading input k; else nowhere (module null).
std::pair<const module_ast*, source_pos> where_read(const program& p, std::uint32_t k,
                                                     const std::string& name, const std::string& field) {
  for (const auto& m : p.modules) {
    if (!m || m->source_name.rfind("<", 0) == 0) continue;  // the prelude and scratch modules
    for (const node& n : m->nodes) {
      const bool bare = field.empty() && n.kind == node_kind::name && n.text == name;
      const bool with_field = !field.empty() && n.kind == node_kind::field && n.text == name &&
                              n.field == field;
      if (bare || with_field) return {m.get(), n.range.begin};
    }
  }
  if (const instruction* read = first_read(p, k)) {
    const module_ast& m = *p.modules[read->module];
    return {&m, m.at(read->origin).range.begin};
  }
  return {nullptr, {}};
}

}  // namespace

bool check_inputs_against_data(const program& p, csv_provider& data, diagnostics& diags) {
  bool ok = true;
  std::vector<std::pair<std::uint32_t, std::string>> seen;
  for (std::uint32_t k = 0; k < p.inputs.size(); ++k) {
    const input_spec& in = p.inputs[k];
    const series_spec& spec = p.series[in.series];
    if (spec.path.empty()) continue;  // host memory: nothing to look up
    const auto key = std::make_pair(in.series, in.field);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    diagnostics found;
    observations obs;
    if (data.fetch(spec, in.field, obs, found)) continue;
    ok = false;
    const std::string name = in.field.empty() ? spec.name : spec.name + "." + in.field;
    const auto [module, pos] = where_read(p, k, spec.name, in.field);
    for (diagnostic d : found.items()) {
      if (module) {
        d.file = module->source_name;
        d.pos = pos;
        d.has_pos = true;
        d.message = fmt::format("series '{}' ({}): {}", name, spec.path, d.message);
      }
      diags.add(std::move(d));
    }
  }
  return ok;
}

}  // namespace sluice
