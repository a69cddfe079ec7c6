// run_columns (see run.hpp): a batch run that keeps chosen registers' whole columns instead
// of turning firings into events. The REPL reads an expression's value and path this way.
#include <algorithm>
#include <map>

#include "interpreter/run.hpp"
#include "interpreter/vm.hpp"

namespace sluice {

column_result run_columns(const program& p, series_provider& data, const run_options& options,
                          const std::vector<reg_index>& numbers,
                          const std::vector<reg_index>& conditions, diagnostics& diags) {
  column_result result;
  // 1. The observations behind every input (each series column fetched once).
  std::map<std::pair<std::uint32_t, std::string>, observations> fetched;
  bool ok = true;
  for (const input_spec& in : p.inputs) {
    auto key = std::make_pair(in.series, in.field);
    if (fetched.count(key)) continue;
    observations obs;
    if (!data.fetch(p.series[in.series], in.field, obs, diags)) ok = false;
    fetched.emplace(key, std::move(obs));
  }
  if (!ok) return result;

  // 2. The timeline: the union of their observation dates, up to options.to.
  std::vector<time_point>& timeline = result.timeline;
  for (const auto& [key, obs] : fetched) timeline.insert(timeline.end(), obs.times.begin(), obs.times.end());
  std::sort(timeline.begin(), timeline.end());
  timeline.erase(std::unique(timeline.begin(), timeline.end()), timeline.end());
  if (options.to)
    timeline.erase(std::upper_bound(timeline.begin(), timeline.end(), *options.to), timeline.end());

  // 3. Every input aligned as-of on the timeline.
  std::vector<std::vector<double>> columns;
  for (const input_spec& in : p.inputs) {
    const series_spec& spec = p.series[in.series];
    const observations& obs = fetched.at({in.series, in.field});
    const duration stale = spec.stale ? *spec.stale : default_staleness(obs);
    columns.push_back(align(obs, timeline, in.shift, spec.lag, stale));
  }

  // 4. Blocks through the VM; the requested registers are copied out after each block.
  const std::size_t block = std::max<std::size_t>(1, options.block_size);
  vm<double> machine(p, block);
  if (options.from) machine.set_report_from(*options.from);
  result.numbers.assign(numbers.size(), {});
  result.conditions.assign(conditions.size(), {});
  for (auto& c : result.numbers) c.reserve(timeline.size());
  for (auto& c : result.conditions) c.reserve(timeline.size());
  std::vector<const double*> inputs(columns.size());
  std::vector<firing> fired;
  for (std::size_t start = 0; start < timeline.size(); start += block) {
    const std::size_t n = std::min(block, timeline.size() - start);
    for (std::size_t k = 0; k < columns.size(); ++k) inputs[k] = columns[k].data() + start;
    fired.clear();
    machine.execute({n, timeline.data() + start, static_cast<std::int64_t>(start)}, inputs.data(), fired);
    for (std::size_t k = 0; k < numbers.size(); ++k)
      result.numbers[k].insert(result.numbers[k].end(), machine.number(numbers[k]),
                               machine.number(numbers[k]) + n);
    for (std::size_t k = 0; k < conditions.size(); ++k)
      result.conditions[k].insert(result.conditions[k].end(), machine.condition(conditions[k]),
                                  machine.condition(conditions[k]) + n);
  }
  result.ok = true;
  return result;
}

}  // namespace sluice
