// run_columns (see columns.hpp): a batch run that keeps chosen registers' whole columns instead
// of turning firings into events. The REPL reads an expression's value and path this way,
// in double or (run_options::exact) decimal arithmetic.
#include <algorithm>

#include "interpreter/numeric/decimal.hpp"
#include "interpreter/run/alignment.hpp"
#include "interpreter/run/block_size.hpp"
#include "interpreter/run/columns.hpp"
#include "interpreter/vm/vm.hpp"

namespace sluice {

namespace {

template <class Num>
column_result run_columns_of(const program& p, series_provider& data, const run_options& options,
                             const std::vector<reg_index>& numbers,
                             const std::vector<reg_index>& conditions, diagnostics& diags) {
  using T = number_traits<Num>;
  constexpr bool exact = !std::is_same_v<Num, double>;
  column_result result;
  run_inputs<Num> in;
  if (!prepare_inputs(p, data, options.to, in, diags)) return result;
  result.timeline.assign(in.timeline.begin(), in.timeline.end());
  const std::vector<time_point>& timeline = result.timeline;

  // Blocks through the VM; the requested registers are copied out after each block.
  const std::size_t block = options.block_size ? options.block_size : block_size_for(p);
  vm<Num> machine(p, block);
  if (options.from) machine.set_report_from(*options.from);
  result.numbers.assign(numbers.size(), {});
  result.conditions.assign(conditions.size(), {});
  if (exact) result.number_texts.assign(numbers.size(), {});
  for (auto& c : result.numbers) c.reserve(timeline.size());
  for (auto& c : result.conditions) c.reserve(timeline.size());
  std::vector<const Num*> inputs(in.columns.size());
  std::vector<firing> fired;
  for (std::size_t start = 0; start < timeline.size(); start += block) {
    const std::size_t n = std::min(block, timeline.size() - start);
    for (std::size_t k = 0; k < in.columns.size(); ++k) inputs[k] = in.columns[k] + start;
    fired.clear();
    machine.execute({n, timeline.data() + start, static_cast<std::int64_t>(start)}, inputs.data(), fired);
    for (std::size_t k = 0; k < numbers.size(); ++k) {
      const Num* column = machine.number(numbers[k]);
      for (std::size_t i = 0; i < n; ++i) {
        result.numbers[k].push_back(T::to_double(column[i]));
        if constexpr (exact) result.number_texts[k].push_back(column[i].str());
      }
    }
    for (std::size_t k = 0; k < conditions.size(); ++k)
      result.conditions[k].insert(result.conditions[k].end(), machine.condition(conditions[k]),
                                  machine.condition(conditions[k]) + n);
  }
  result.ok = true;
  return result;
}

}  // namespace

column_result run_columns(const program& p, series_provider& data, const run_options& options,
                          const std::vector<reg_index>& numbers,
                          const std::vector<reg_index>& conditions, diagnostics& diags) {
  if (options.exact) return run_columns_of<decimal>(p, data, options, numbers, conditions, diags);
  return run_columns_of<double>(p, data, options, numbers, conditions, diags);
}

}  // namespace sluice
