// `check --data` (and every run): each series column the rules read is looked up in its
// file before anything runs, and a missing file, an unknown column or a wide file used
// bare is reported at the rule text that reads it (file:line:col, did-you-mean over the
// file's columns), not as a bare data error after the fact.
#pragma once
#include "interpreter/diagnostics.hpp"
#include "interpreter/program.hpp"
#include "interpreter/run/provider.hpp"

namespace sluice {

// True when every input of `p` backed by a file resolves; otherwise diagnostics at the
// first place each failing input is read.
bool check_inputs_against_data(const program& p, csv_provider& data, diagnostics& diags);

}  // namespace sluice
