// The disassembler behind `sluice disasm`: one line per instruction, grouped by the rule
// whose compilation emitted it, with the source line each came from.
#include <fmt/format.h>

#include "interpreter/program.hpp"

namespace sluice {

namespace {

std::string source_line(const program& p, const instruction& in) {
  if (in.origin == no_node || in.module >= p.modules.size()) return {};
  const module_ast& m = *p.modules[in.module];
  if (in.origin >= m.nodes.size()) return {};
  const source_range& r = m.nodes[in.origin].range;
  std::string text = m.source.substr(r.begin.offset, r.end.offset - r.begin.offset);
  for (char& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (text.size() > 50) text = text.substr(0, 47) + "...";
  return fmt::format("{}:{}  {}", m.source_name, r.begin.line, text);
}

std::string format_instruction(const program& p, const instruction& in, std::size_t index) {
  const char prefix = writes_condition(in.op) ? 'c' : 'n';
  const char src = reads_conditions(in.op) ? 'c' : 'n';
  std::string operands = fmt::format("{}{}", prefix, in.d);
  const reg_index regs[3] = {in.a, in.b, in.c};
  for (int i = 0; i < operand_count(in.op); ++i) operands += fmt::format(" {}{}", src, regs[i]);
  if (in.op == opcode::constant) operands += fmt::format(" {}", p.constant_text[in.k]);
  if (in.op == opcode::input) {
    const input_spec& inp = p.inputs[in.k];
    operands += fmt::format(" {}{}", p.series[inp.series].name, inp.field.empty() ? "" : "." + inp.field);
    if (inp.shift.count != 0) operands += fmt::format(" @t-{}", format_duration(inp.shift));
  }
  if (in.op == opcode::basket || in.op == opcode::xs_rank || in.op == opcode::xs_mean ||
      in.op == opcode::xs_median || in.op == opcode::xs_breadth)
    for (reg_index r : p.aux[in.k])
      operands += fmt::format(" {}{}", in.op == opcode::xs_breadth ? 'c' : 'n', r);
  if (in.op == opcode::host_call) {
    const std::vector<reg_index>& parts = p.aux[in.k];
    operands += fmt::format(" {}", p.host_functions[parts[0]].name);
    for (std::size_t i = 1; i < parts.size(); ++i) operands += fmt::format(" n{}", parts[i]);
    if (in.w.count > 0) operands += fmt::format(" {}", format_duration(in.w));
  }
  if (has_window(in.op))
    operands += (in.w.is_bars() && in.w.count == 0) ? " all" : fmt::format(" {}", format_duration(in.w));
  if (in.op == opcode::fire) operands += fmt::format(" rule {}", in.k);
  if (in.s != 0) operands += fmt::format(" [s{}]", in.s);
  return fmt::format("{:04}  {:<12} {:<32} ; {}\n", index, info(in.op).name, operands,
                     source_line(p, in));
}

}  // namespace

std::string disassemble(const program& p) {
  std::string out;
  out += fmt::format("; {} series, {} inputs, {} numeric and {} condition registers, {} state slots\n",
                     p.series.size(), p.inputs.size(), p.num_registers, p.cond_registers,
                     p.state_slots);
  for (std::size_t k = 0; k < p.inputs.size(); ++k) {
    const input_spec& in = p.inputs[k];
    const series_spec& s = p.series[in.series];
    out += fmt::format("; input {}: {}{}{} from {}\n", k, s.name, in.field.empty() ? "" : "." + in.field,
                       in.shift.count ? " at t-" + format_duration(in.shift) : "",
                       s.path.empty() ? "the host" : s.path);
  }
  if (!p.init_code.empty()) {
    out += "\n; constants (evaluated once per run)\n";
    for (std::size_t i = 0; i < p.init_code.size(); ++i) out += format_instruction(p, p.init_code[i], i);
  }
  // Instructions are listed under the first rule that needed them (later rules share them).
  std::size_t next = 0;
  for (std::size_t r = 0; r < p.rules.size(); ++r) {
    const compiled_rule& rule = p.rules[r];
    out += fmt::format("\n; rule {} \"{}\" ({})\n", r, rule.name, rule.location);
    while (next < p.code.size()) {
      const instruction& in = p.code[next];
      out += format_instruction(p, in, next);
      ++next;
      if (in.op == opcode::fire && in.k == r) break;
    }
  }
  if (next < p.code.size()) {
    out += "\n; definitions checked but used by no rule\n";
    for (; next < p.code.size(); ++next) out += format_instruction(p, p.code[next], next);
  }
  return out;
}

}  // namespace sluice
