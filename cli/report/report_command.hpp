// `sluice report FILE [--data DIR] [--series NAME=PATH] [--from D] [--to D] -o OUT.html`:
// the rules, their events and forward returns as one self-contained HTML page with charts
// (docs/report.md).
#pragma once
#include <string>

#include "cli/args.hpp"
#include "interpreter/program.hpp"

namespace sluice {

// Runs the compiled program and writes the page to args.output. Returns the exit status.
int report_command(const cli_args& args, const std::string& source, const program& p);

}  // namespace sluice
