// Warnings for windowless new highs and lows that fire near their data's start (see
// all_time.hpp). The predicate's operand is followed through the bytecode to the inputs it
// reads, so aliases, defs and `let`s resolve as the run resolved them.
#include "cli/all_time.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace sluice {
namespace {

struct writers {
  std::map<reg_index, const instruction*> number, condition;
};

writers writers_of(const program& p) {
  writers w;
  for (const auto* code : {&p.init_code, &p.code})
    for (const instruction& in : *code)
      (writes_condition(in.op) ? w.condition : w.number)[in.d] = &in;
  return w;
}

// Every instruction reachable backwards from a register, each visited once.
template <class Visit>
void walk(const program& p, const writers& w, reg_index reg, bool condition,
          std::set<const instruction*>& seen, Visit&& visit) {
  const auto& table = condition ? w.condition : w.number;
  const auto found = table.find(reg);
  if (found == table.end() || !seen.insert(found->second).second) return;
  const instruction& in = *found->second;
  visit(in);
  const reg_index operands[] = {in.a, in.b, in.c};
  for (int i = 0; i < operand_count(in.op) && i < 3; ++i)
    walk(p, w, operands[i], info(in.op).operands[i] == 'c', seen, visit);
  if (in.op == opcode::basket || in.op == opcode::host_call) {
    const auto& parts = p.aux[in.k];
    for (std::size_t j = in.op == opcode::host_call ? 1 : 0; j < parts.size(); ++j)
      walk(p, w, parts[j], false, seen, visit);
  }
}

// The operand of a `hits new high` instruction as written.
std::string operand_text(const program& p, const instruction& in) {
  if (in.module >= p.modules.size() || in.origin == no_node) return "a series";
  const module_ast& m = *p.modules[in.module];
  if (in.origin >= m.nodes.size() || m.at(in.origin).kids.empty()) return "a series";
  const source_range r = m.at(m.at(in.origin).kids[0]).range;
  if (r.end.offset <= r.begin.offset || r.end.offset > m.source.size()) return "a series";
  return m.source.substr(r.begin.offset, r.end.offset - r.begin.offset);
}

}  // namespace

std::vector<std::string> all_time_warnings(const program& p, const std::vector<event>& events,
                                           const std::vector<input_coverage>& inputs) {
  std::vector<std::string> out;
  const writers w = writers_of(p);
  const duration year{duration::unit::days, 365};
  for (std::uint32_t r = 0; r < p.rules.size(); ++r) {
    // The rule's windowless new highs and lows.
    std::vector<const instruction*> extremes;
    std::set<const instruction*> seen;
    walk(p, w, p.rules[r].condition, true, seen, [&](const instruction& in) {
      if ((in.op == opcode::new_high || in.op == opcode::new_low) && in.w.count == 0)
        extremes.push_back(&in);
    });
    for (const instruction* x : extremes) {
      // The operand begins when the latest of the series it reads begins.
      std::optional<time_point> start;
      std::string series;
      std::set<const instruction*> operand_seen;
      walk(p, w, x->a, false, operand_seen, [&](const instruction& in) {
        if (in.op != opcode::input || in.k >= p.inputs.size()) return;
        const input_spec& spec = p.inputs[in.k];
        const series_spec& s = p.series[spec.series];
        const std::string name = spec.field.empty() ? s.name : s.name + "." + spec.field;
        for (const input_coverage& c : inputs)
          if (c.coverage.name == name && c.coverage.count > 0 &&
              (!start || c.coverage.first > *start)) {
            start = c.coverage.first;
            series = name;
          }
      });
      if (!start) continue;
      for (const event& e : events) {
        if (e.rule != r || e.time >= add(*start, year)) continue;
        const bool high = x->op == opcode::new_high;
        out.push_back(
            fmt::format("rule \"{}\" fired on {} on a new {} of {} without a window, {} after {}'s "
                        "data begins ({}): "
                        "\"all-time\" here means since {}; give a window (hits new {} over 1y) or "
                        "load longer history",
                        p.rules[r].name, format_time(e.time), high ? "high" : "low",
                        operand_text(p, *x), years_between(*start, e.time), series,
                        format_time(*start), format_time(*start), high ? "high" : "low"));
        break;
      }
    }
  }
  return out;
}

}  // namespace sluice
