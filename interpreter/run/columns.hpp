// run_columns: a batch run that keeps chosen registers' whole columns (the REPL reads an
// expression's path this way).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "interpreter/diagnostics.hpp"
#include "interpreter/program.hpp"
#include "interpreter/run/batch.hpp"
#include "interpreter/run/provider.hpp"

namespace sluice {

// The full columns of chosen registers over a run's timeline (double arithmetic), for tools
// that show an expression's path (the REPL). Numeric columns hold NaN for `na`; condition
// columns hold c_false / c_true / c_na (vm.hpp). Same timeline and alignment as run_batch.
struct column_result {
  bool ok = false;
  std::vector<time_point> timeline;
  std::vector<std::vector<double>> numbers;              // one per requested numeric register
  std::vector<std::vector<std::uint8_t>> conditions;     // one per requested condition register
  // Exact mode (run_options::exact): each numeric column's values as exact decimal text
  // ("2612.48"; "na"), beside their nearest doubles in `numbers`.
  std::vector<std::vector<std::string>> number_texts;
};

column_result run_columns(const program& p, series_provider& data, const run_options& options,
                          const std::vector<reg_index>& numbers,
                          const std::vector<reg_index>& conditions, diagnostics& diags);

}  // namespace sluice
