// Universes in parts (include/sluice/sluice.hpp, "universes in parts"; docs/scale.md): one
// universe program evaluated by several hosts that each hold some members' data, with the
// whole run's results. A part is evaluated by the VM over a copy of its program in which
//   - an extra input (a series no rule text can name) puts every point of the whole run's
//     timeline on the part's timeline,
//   - (part_operands) only the code that computes the cross-sections' operands is kept, and
//   - (part_run) each cross-sectional instruction becomes `input` instructions reading the
//     reduced values, given as series observed exactly at the timeline's points;
// and reductions are the VM's own cross_section() over a matrix of every member's operand.
// part_run records firings as columns (point, rule, values), not as events: a part of a
// large universe fires millions of times, and an event with its strings per firing cost
// ten times the evaluation (docs/scale.md, "Measured").
#define SLUICE_BUILDING_LIBRARY
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

#include "api/api_internal.hpp"
#include "interpreter/ascii.hpp"
#include "interpreter/numeric/decimal.hpp"
#include "interpreter/run/alignment.hpp"
#include "interpreter/run/block_size.hpp"
#include "interpreter/run/event_build.hpp"
#include "interpreter/run/run.hpp"
#include "interpreter/vm/cross_section.hpp"
#include "interpreter/vm/vm.hpp"

namespace sluice::api {

namespace detail {
struct parts_access {
  static const program_impl& impl(const program& p) { return *p.impl_; }
};
}  // namespace detail

namespace parts {

namespace {

using detail::parts_access;

// Names of the series this file adds: '\x01' cannot start a name in rule text.
const std::string timeline_series = "\x01timeline";
std::string result_series(std::size_t x, std::size_t member) {
  return fmt::format("\x01xs{}.{}", x, member);
}

const char* op_name(opcode op) {
  switch (op) {
    case opcode::xs_rank:
      return "rank";
    case opcode::xs_mean:
      return "mean";
    case opcode::xs_median:
      return "median";
    case opcode::xs_breadth:
      return "breadth";
    default:
      return "";
  }
}

std::vector<const instruction*> cross_section_code(const sluice::program& p) {
  std::vector<const instruction*> out;
  for (const instruction& in : p.code)
    if (is_cross_section(in.op)) out.push_back(&in);
  return out;
}

// Serves the series this file adds and hands every other request to the program's own data.
class part_provider : public series_provider {
 public:
  explicit part_provider(series_provider& base) : base_(base) {}
  std::map<std::string, observations> added;

  bool fetch(const series_spec& spec, const std::string& field, observations& out,
             diagnostics& diags) override {
    if (auto found = added.find(spec.name); found != added.end()) {
      out = found->second;
      return true;
    }
    return base_.fetch(spec, field, out, diags);
  }
  bool fetch_text(const series_spec& spec, const std::string& field, text_observations& out,
                  diagnostics& diags) override {
    if (added.count(spec.name)) return series_provider::fetch_text(spec, field, out, diags);
    return base_.fetch_text(spec, field, out, diags);
  }

 private:
  series_provider& base_;
};

// Adds an input reading the added series `name`; returns its input index. Staleness 0: a
// value is seen only at the point it is given for (a missing one is na, not the previous).
std::uint32_t add_input(sluice::program& q, const std::string& name) {
  series_spec spec;
  spec.name = name;
  spec.stale = duration{duration::unit::days, 0};
  spec.declared_in = "<universe parts>";
  q.series.push_back(std::move(spec));
  input_spec in;
  in.series = static_cast<std::uint32_t>(q.series.size() - 1);
  q.inputs.push_back(in);
  return static_cast<std::uint32_t>(q.inputs.size() - 1);
}

// The part's program with the whole timeline as an extra input.
sluice::program on_timeline(const sluice::program& p, std::span<const timestamp> timeline,
                            part_provider& data) {
  sluice::program q = p;
  add_input(q, timeline_series);
  observations& all = data.added[timeline_series];
  all.times.clear();  // the parts' timelines count seconds (the header's timestamp)
  for (const timestamp t : timeline) all.times.push_back(detail::from_seconds(t));
  all.values.assign(timeline.size(), 0.0);
  return q;
}

void to_public(const diagnostics& diags, std::vector<diagnostic>& out) {
  for (const sluice::diagnostic& d : diags.items()) out.push_back(detail::to_public(d, {}));
}

// Rules over a universe other than U, or universes the rule text declares, cannot be split
// by U's members: refused with a message naming them.
std::string foreign_universe(const sluice::program& p, std::string_view universe) {
  const std::string u = lower(universe);
  for (const compiled_rule& r : p.rules)
    if (!r.universe.empty() && r.universe != u)
      return fmt::format("rule '{}' is over universe '{}', but the parts split universe '{}'",
                         r.name, r.universe, u);
  // A universe the text declares besides U could feed mean/median/breadth: not split.
  for (const auto& m : p.modules)
    for (const statement& st : m->statements)
      if (const auto* us = std::get_if<universe_stmt>(&st.body); us && lower(us->name) != u)
        return fmt::format(
            "the rules declare universe '{}'; only the universe the parts split "
            "('{}') can be used",
            us->name, u);
  return {};
}

// The run's end: the whole timeline's last point (nothing of the part's own series lies
// between it and the host's `to`, since the timeline is the union of every part's).
time_point last_point(std::span<const timestamp> timeline) {
  return timeline.empty() ? std::numeric_limits<time_point>::min()
                          : detail::from_seconds(timeline.back());
}

// The program with only the code that computes registers `numbers` and `conditions`
// (a backward walk over the bytecode; constant code is kept whole). part_operands needs the
// cross-sections' operands only: the rules' other work (most of it) is not done twice.
sluice::program computing_only(const sluice::program& p, const std::vector<reg_index>& numbers,
                               const std::vector<reg_index>& conditions) {
  std::vector<bool> num(p.num_registers, false), cond(p.cond_registers, false);
  auto need = [&](bool condition, reg_index r) {
    auto& wanted = condition ? cond : num;
    if (r < wanted.size()) wanted[r] = true;
  };
  for (reg_index r : numbers) need(false, r);
  for (reg_index r : conditions) need(true, r);
  std::vector<bool> keep(p.code.size(), false);
  for (std::size_t i = p.code.size(); i-- > 0;) {
    const instruction& in = p.code[i];
    const std::size_t rows = in.op == opcode::xs_rank ? p.aux[in.k].size() : 1;
    const auto& written = writes_condition(in.op) ? cond : num;
    bool needed = false;
    for (std::size_t r = 0; r < rows && !needed; ++r)
      needed = in.d + r < written.size() && written[in.d + r];
    if (!needed) continue;
    keep[i] = true;
    const char* kinds = info(in.op).operands;
    const reg_index regs[3] = {in.a, in.b, in.c};
    for (int k = 0; k < 3 && kinds[k] != '\0'; ++k) need(kinds[k] == 'c', regs[k]);
    if (in.op == opcode::basket || is_cross_section(in.op))
      for (reg_index r : p.aux[in.k]) need(in.op == opcode::xs_breadth, r);
    if (in.op == opcode::host_call)
      for (std::size_t j = 1; j < p.aux[in.k].size(); ++j) need(false, p.aux[in.k][j]);
  }
  sluice::program q = p;
  q.code.clear();
  for (std::size_t i = 0; i < p.code.size(); ++i)
    if (keep[i]) q.code.push_back(p.code[i]);
  return q;
}

// Points per VM block for a part: block_size_for's, fewer when the part's many members make
// the register file (registers x points) large. A part of 2,000 members at 1,024 points held
// 1.6 GB of registers; 32 MB blocks evaluate as fast, and fit a cache better.
std::size_t part_block(const sluice::program& q) {
  const std::size_t per_point = std::size_t{q.num_registers} * sizeof(double) + q.cond_registers;
  std::size_t block = block_size_for(q);
  while (block > 64 && block * per_point > (std::size_t{32} << 20)) block /= 2;
  return block;
}

std::string joined(const std::vector<std::string>& texts) {
  std::string out;
  for (std::size_t k = 0; k < texts.size(); ++k) out += (k ? "; " : "") + texts[k];
  return out;
}

// Evaluates `q` block by block, recording the firings of the rules `reported` as columns of
// `out`. Returns false when the inputs could not be prepared (see diags).
template <class Num>
bool run_into_columns(const sluice::program& q, series_provider& data,
                      const sluice::run_options& options, const std::vector<bool>& reported,
                      part_result& out, diagnostics& diags) {
  run_inputs<Num> in;
  if (!prepare_inputs(q, data, options.to, in, diags)) return false;
  const std::span<const time_point> timeline = in.timeline;
  out.points = timeline.size();
  std::vector<bool> alerting(q.rules.size(), false);
  for (std::size_t r = 0; r < q.rules.size(); ++r)
    for (const compiled_action& a : q.rules[r].actions)
      alerting[r] = alerting[r] || a.what == action::kind::alert;
  const std::size_t block = options.block_size ? options.block_size : block_size_for(q);
  vm<Num> machine(q, block);
  if (options.from) machine.set_report_from(*options.from);
  std::vector<const Num*> inputs(in.columns.size());
  std::vector<firing> fired;
  event_value_store values;  // doubles, and in exact mode their exact texts
  std::vector<Num> row;
  for (std::size_t start = 0; start < timeline.size(); start += block) {
    const std::size_t n = std::min(block, timeline.size() - start);
    for (std::size_t k = 0; k < in.columns.size(); ++k) inputs[k] = in.columns[k] + start;
    fired.clear();
    machine.execute({n, timeline.data() + start, static_cast<std::int64_t>(start)}, inputs.data(),
                    fired);
    std::sort(fired.begin(), fired.end(), [](const firing& a, const firing& b) {
      return a.index != b.index ? a.index < b.index : a.rule < b.rule;
    });
    for (const firing& f : fired) {
      if (!reported[f.rule]) continue;
      const compiled_rule& rule = q.rules[f.rule];
      out.event_point.push_back(static_cast<std::uint32_t>(start + f.index));
      out.event_rule.push_back(f.rule);
      row.clear();
      for (const auto& [name, reg] : rule.values) row.push_back(machine.number(reg)[f.index]);
      store_numbers(values, row.data(), row.size());
      if (!alerting[f.rule]) continue;
      auto value_of = [&](reg_index r) { return machine.number(r)[f.index]; };
      const sluice::event e = build_event<Num>(q, f.rule, timeline[start + f.index],
                                               start + f.index, event_values(), value_of);
      out.alert_events.push_back(static_cast<std::uint32_t>(out.event_point.size() - 1));
      out.alerts.push_back(joined(e.messages));
    }
  }
  out.values = std::move(values.numbers);
  out.value_texts = std::move(values.texts);
  return true;
}

void check_sizes(std::size_t have, std::size_t want, const char* what) {
  if (have != want)
    throw std::invalid_argument(fmt::format("{}: {} values given, {} expected", what, have, want));
}

}  // namespace

std::string check_universe(const program& handle, std::string_view universe) {
  return foreign_universe(*parts_access::impl(handle).code, universe);
}

std::vector<cross_section_info> cross_sections(const program& handle) {
  const sluice::program& p = *parts_access::impl(handle).code;
  std::vector<cross_section_info> out;
  for (const instruction* in : cross_section_code(p)) {
    cross_section_info info;
    info.op = op_name(in->op);
    if (in->module < p.modules.size() && in->origin != no_node &&
        in->origin < p.modules[in->module]->nodes.size()) {
      const source_pos at = p.modules[in->module]->at(in->origin).range.begin;
      info.line = at.line;
      info.column = at.column;
    }
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<timestamp> part_timeline(const program& handle, std::optional<timestamp> to,
                                     std::vector<diagnostic>* out) {
  const detail::program_impl& impl = parts_access::impl(handle);
  memory_provider data(impl.series, impl.file_root);
  diagnostics diags;
  run_inputs<double> in;
  std::vector<timestamp> times;
  std::optional<time_point> to_ms;
  if (to) to_ms = detail::from_seconds(*to);
  if (prepare_inputs(*impl.code, data, to_ms, in, diags))
    for (const time_point t : in.timeline) {
      // The parts' shared timeline counts seconds: a point between two seconds would merge
      // into its second, so it is refused rather than silently moved.
      if (t % ms_per_second != 0) {
        diags.add({severity::error,
                   "<run>",
                   {},
                   fmt::format("universes in parts take whole seconds: the data has a point at {}",
                               format_time(t)),
                   {},
                   false});
        times.clear();
        break;
      }
      times.push_back(detail::to_seconds(t));
    }
  if (out) to_public(diags, *out);
  return times;
}

operands part_operands(const program& handle, std::span<const timestamp> timeline) {
  const detail::program_impl& impl = parts_access::impl(handle);
  memory_provider base(impl.series, impl.file_root);
  part_provider data(base);
  const sluice::program q = on_timeline(*impl.code, timeline, data);
  // Each operator's operand registers, member by member: numbers, or conditions (breadth).
  std::vector<reg_index> numbers, conditions;
  const std::vector<const instruction*> code = cross_section_code(q);
  for (const instruction* in : code) {
    auto& into = in->op == opcode::xs_breadth ? conditions : numbers;
    into.insert(into.end(), q.aux[in->k].begin(), q.aux[in->k].end());
  }
  diagnostics diags;
  sluice::run_options ro;
  ro.to = last_point(timeline);
  ro.block_size = part_block(q);
  const column_result columns =
      run_columns(computing_only(q, numbers, conditions), data, ro, numbers, conditions, diags);
  operands out;
  to_public(diags, out.diagnostics);
  out.ok = columns.ok;
  if (!columns.ok) return out;
  out.points = columns.timeline.size();
  std::size_t next_number = 0, next_condition = 0;
  for (const instruction* in : code) {
    const std::size_t members = q.aux[in->k].size();
    out.members = members;
    std::vector<double>& values = out.values.emplace_back();
    values.reserve(members * out.points);
    for (std::size_t m = 0; m < members; ++m) {
      if (in->op == opcode::xs_breadth) {
        for (std::uint8_t c : columns.conditions[next_condition++])
          values.push_back(c == 2 ? std::nan("") : static_cast<double>(c));
      } else {
        const std::vector<double>& column = columns.numbers[next_number++];
        values.insert(values.end(), column.begin(), column.end());
      }
    }
  }
  return out;
}

std::vector<double> reduce_cross_section(std::string_view op, std::span<const double> values,
                                         std::size_t members, std::size_t points) {
  instruction in;
  if (op == "rank")
    in.op = opcode::xs_rank;
  else if (op == "mean")
    in.op = opcode::xs_mean;
  else if (op == "median")
    in.op = opcode::xs_median;
  else if (op == "breadth")
    in.op = opcode::xs_breadth;
  else
    throw std::invalid_argument(fmt::format("unknown cross-sectional operator '{}'", op));
  check_sizes(values.size(), members * points, "reduce_cross_section");
  // A program of this one instruction: member m's operand is register m.
  sluice::program one;
  one.aux.emplace_back(members);
  for (std::size_t m = 0; m < members; ++m) one.aux[0][m] = static_cast<reg_index>(m);
  std::vector<const double*> columns(members);
  for (std::size_t m = 0; m < members; ++m) columns[m] = values.data() + m * points;
  std::vector<std::uint8_t> conditions;
  if (in.op == opcode::xs_breadth) {
    conditions.resize(values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
      conditions[i] = std::isnan(values[i]) ? 2 : values[i] != 0.0;
  }
  std::vector<double> out((in.op == opcode::xs_rank ? members : 1) * points);
  if (points == 0) return out;
  cross_section<double>(in, one, points, {columns.data(), out.data(), conditions.data(), points});
  return out;
}

part_result part_run(const program& handle, const layout& parts_layout,
                     std::span<const timestamp> timeline,
                     const std::vector<std::vector<double>>& results, const run_options& options) {
  const detail::program_impl& impl = parts_access::impl(handle);
  const sluice::program& p = *impl.code;
  part_result out;
  if (std::string foreign = foreign_universe(p, parts_layout.universe); !foreign.empty()) {
    out.diagnostics.push_back({"", 0, 0, true, foreign, "", foreign + "\n"});
    return out;
  }
  memory_provider base(impl.series, impl.file_root);
  part_provider data(base);
  sluice::program q = on_timeline(p, timeline, data);
  // Each cross-sectional instruction becomes inputs reading its given values.
  const std::size_t points = timeline.size();
  check_sizes(results.size(), cross_section_code(p).size(), "part_run: cross-sections");
  std::vector<instruction> code;
  std::size_t x = 0;
  for (const instruction& in : q.code) {
    if (!is_cross_section(in.op)) {
      code.push_back(in);
      continue;
    }
    const std::size_t outputs = in.op == opcode::xs_rank ? q.aux[in.k].size() : 1;
    check_sizes(results[x].size(), outputs * points, "part_run: a cross-section's values");
    for (std::size_t j = 0; j < outputs; ++j) {
      const std::string name = result_series(x, j);
      observations& given = data.added[name];
      for (std::size_t i = 0; i < points; ++i) {
        const double v = results[x][j * points + i];
        if (std::isnan(v)) continue;
        given.times.push_back(detail::from_seconds(timeline[i]));
        given.values.push_back(v);
      }
      instruction read = in;
      read.op = opcode::input;
      read.d = in.d + static_cast<reg_index>(j);
      read.k = add_input(q, name);
      code.push_back(read);
    }
    ++x;
  }
  q.code = std::move(code);

  // Rule numbers in the whole program: file order, a `for each` rule over U taking one
  // number per member of U (this part's members are a run of them from first_member).
  const std::string u = lower(parts_layout.universe);
  std::size_t next = 0;
  std::vector<bool> reported(p.rules.size(), true);
  for (std::size_t r0 = 0; r0 < p.rules.size();) {
    const compiled_rule& first = p.rules[r0];
    if (first.universe.empty()) {
      reported[r0] = parts_layout.plain_rules;
      out.rule_index.push_back(next++);
      ++r0;
      continue;
    }
    std::size_t j = 0;
    for (; r0 < p.rules.size() && p.rules[r0].universe == u &&
           p.rules[r0].condition_node == first.condition_node &&
           p.rules[r0].module == first.module && p.rules[r0].location == first.location;
         ++r0, ++j)
      out.rule_index.push_back(next + parts_layout.first_member + j);
    next += parts_layout.universe_size;
  }
  for (const compiled_rule& rule : p.rules) {
    out.rule_values.emplace_back(rule.value_names.begin(), rule.value_names.end());
    out.rule_actions.push_back(
        joined(std::vector<std::string>(rule.action_texts.begin(), rule.action_texts.end())));
  }

  sluice::run_options ro;
  ro.from = detail::from_ms_or_seconds(options.from_ms, options.from);
  ro.to = last_point(timeline);  // the timeline is already cut at options.to
  ro.exact = options.exact;
  ro.block_size = part_block(q);
  diagnostics diags;
  try {
    out.ok = options.exact ? run_into_columns<decimal>(q, data, ro, reported, out, diags)
                           : run_into_columns<double>(q, data, ro, reported, out, diags);
  } catch (const std::bad_alloc&) {
    out.ok = false;
    diags.add({severity::error, "<run>", {}, "out of memory during the run", {}, false});
  }
  if (out.ok && out.points != timeline.size()) {  // not expected: the timeline is an input
    out.ok = false;
    diags.add({severity::error,
               "<run>",
               {},
               "the part's timeline differs from the one given",
               {},
               false});
  }
  to_public(diags, out.diagnostics);
  return out;
}

}  // namespace parts

}  // namespace sluice::api
