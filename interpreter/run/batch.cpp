// The batch driver (see batch.hpp): timeline first, then blocks through the VM.
#include "interpreter/run/batch.hpp"

#include <algorithm>
#include <memory>
#include <type_traits>

#include "interpreter/numeric/decimal.hpp"
#include "interpreter/number.hpp"
#include "interpreter/run/alignment.hpp"
#include "interpreter/run/block_size.hpp"
#include "interpreter/run/event_build.hpp"
#include "interpreter/vm/vm.hpp"

namespace sluice {

// If w's register is written by a basket instruction, its components: the operand
// registers and their text as written in the rules.
void find_basket_components(const program& p, watched_series& w) {
  for (const instruction& in : p.code) {
    if (in.op != opcode::basket || in.d != w.reg) continue;
    w.component_regs = p.aux[in.k];
    const module_ast* m = in.module < p.modules.size() ? p.modules[in.module].get() : nullptr;
    const node* call =
        m && in.origin != no_node && in.origin < m->nodes.size() ? &m->at(in.origin) : nullptr;
    for (std::size_t j = 0; j < w.component_regs.size(); ++j) {
      std::string name = "component " + std::to_string(j + 1);
      if (call && call->kids.size() == w.component_regs.size()) {
        const source_range r = m->at(call->kids[j]).range;
        if (r.end.offset > r.begin.offset && r.end.offset <= m->source.size())
          name = m->source.substr(r.begin.offset, r.end.offset - r.begin.offset);
      }
      w.component_names.push_back(std::move(name));
    }
    return;
  }
}

namespace {

// Orders a block's firings by (point, rule), as events are listed. The VM appends them
// rule by rule, each rule's in point order, so a stable counting sort by point gives that
// order in two linear passes; std::sort took 15% of W3's run (1.8 million firings).
struct firing_order {
  std::vector<std::uint32_t> starts;  // per point of the block: where its firings go
  std::vector<firing> sorted;
};

void order_firings(std::vector<firing>& fired, std::size_t points, firing_order& o) {
  auto by_point_then_rule = [](const firing& a, const firing& b) {
    return a.index != b.index ? a.index < b.index : a.rule < b.rule;
  };
  if (fired.size() < 2) return;
  const bool rule_order = std::is_sorted(fired.begin(), fired.end(),
                                         [](const firing& a, const firing& b) { return a.rule < b.rule; });
  if (!rule_order || fired.size() * 16 < points) {  // a few firings: sorting is cheaper
    std::sort(fired.begin(), fired.end(), by_point_then_rule);
    return;
  }
  o.starts.assign(points + 1, 0);
  for (const firing& f : fired) ++o.starts[f.index + 1];
  for (std::size_t i = 1; i <= points; ++i) o.starts[i] += o.starts[i - 1];
  o.sorted.resize(fired.size());
  for (const firing& f : fired) o.sorted[o.starts[f.index]++] = f;
  fired.swap(o.sorted);
}

template <class Num>
run_result run_batch_of(const program& p, series_provider& data, const run_options& options,
                        diagnostics& diags) {
  using T = number_traits<Num>;
  run_result result;
  run_inputs<Num> in;
  if (!prepare_inputs(p, data, options.to, in, diags)) return result;
  const std::span<const time_point> timeline = in.timeline;
  const std::vector<const Num*>& column_data = in.columns;
  result.timeline_points = timeline.size();
  if (!timeline.empty()) {
    result.first = timeline.front();
    result.last = timeline.back();
  }

  // Blocks through the VM; firings become events.
  const std::size_t block = options.block_size ? options.block_size : block_size_for(p);
  vm<Num> machine(p, block);
  if (options.from) machine.set_report_from(*options.from);
  if (options.time_rules) machine.time_rules();
  if (options.keep_watched) {
    result.timeline.assign(timeline.begin(), timeline.end());
    for (const compiled_rule& rule : p.rules)
      for (const compiled_action& a : rule.actions) {
        if (a.what != action::kind::watch) continue;
        bool seen = false;
        for (const watched_series& w : result.watched) seen = seen || w.name == a.name;
        if (seen) continue;
        watched_series w;
        w.name = a.name;
        w.reg = a.watched;
        result.watched.push_back(std::move(w));
      }
    for (watched_series& w : result.watched) {
      w.values.reserve(timeline.size());
      find_basket_components(p, w);
      w.components.assign(w.component_regs.size(), {});
      for (auto& c : w.components) c.reserve(timeline.size());
    }
  }
  // Firings are recorded compactly during the run, with the values their events print
  // (registers are overwritten by the next block), and become events once at the end: one
  // allocation of the event list instead of its growth, which cost more than the VM on
  // rules that fire often.
  struct recorded_firing {
    std::size_t index;
    time_point time;
    std::uint32_t rule;
    std::size_t first_value;  // into snapshot, one value per registers_of[rule]
  };
  std::vector<std::vector<reg_index>> registers_of(p.rules.size());
  for (std::size_t r = 0; r < p.rules.size(); ++r) {
    for (const auto& [name, reg] : p.rules[r].values) registers_of[r].push_back(reg);
    for (const compiled_action& a : p.rules[r].actions)
      for (const alert_piece& piece : a.alert)
        if (piece.what == alert_piece::kind::value) registers_of[r].push_back(piece.reg);
  }
  std::vector<recorded_firing> recorded;
  std::vector<Num> snapshot;

  std::vector<const Num*> inputs(column_data.size());
  std::vector<firing> fired;
  firing_order ordering;
  for (std::size_t start = 0; start < timeline.size(); start += block) {
    const std::size_t n = std::min(block, timeline.size() - start);
    for (std::size_t k = 0; k < column_data.size(); ++k) inputs[k] = column_data[k] + start;
    fired.clear();
    machine.execute({n, timeline.data() + start, static_cast<std::int64_t>(start)}, inputs.data(), fired);
    order_firings(fired, n, ordering);
    for (watched_series& w : result.watched) {
      const Num* column = machine.number(w.reg);
      for (std::size_t i = 0; i < n; ++i) w.values.push_back(T::to_double(column[i]));
      for (std::size_t j = 0; j < w.component_regs.size(); ++j) {
        const Num* part = machine.number(w.component_regs[j]);
        for (std::size_t i = 0; i < n; ++i) w.components[j].push_back(T::to_double(part[i]));
      }
    }
    for (const firing& f : fired) {
      recorded.push_back({start + f.index, timeline[start + f.index], f.rule, snapshot.size()});
      for (reg_index r : registers_of[f.rule]) snapshot.push_back(machine.number(r)[f.index]);
    }
  }
  // Every event's values live in one store: each rule's values come first in its
  // registers_of list, so a firing's values start at its first_value in the snapshot.
  auto store = std::make_shared<event_value_store>();
  for (const compiled_rule& rule : p.rules) store->names.push_back(rule.value_names);
  result.events.reserve(recorded.size());
  for (const recorded_firing& f : recorded) {
    const std::vector<reg_index>& regs = registers_of[f.rule];
    auto value_of = [&](reg_index r) {
      const auto at = static_cast<std::size_t>(std::find(regs.begin(), regs.end(), r) - regs.begin());
      return snapshot[f.first_value + at];
    };
    result.events.push_back(
        build_event<Num>(p, f.rule, f.time, f.index, event_values(store, f.rule, f.first_value), value_of));
  }
  if constexpr (std::is_same_v<Num, double>) store->numbers = std::move(snapshot);
  else store_numbers(*store, snapshot.data(), snapshot.size());
  result.host_failures = machine.host_failures();
  result.rule_nanoseconds = machine.rule_nanoseconds();
  result.ok = true;
  return result;
}

}  // namespace

run_result run_batch(const program& p, series_provider& data, const run_options& options,
                     diagnostics& diags) {
  if (options.exact) return run_batch_of<decimal>(p, data, options, diags);
  return run_batch_of<double>(p, data, options, diags);
}

}  // namespace sluice
