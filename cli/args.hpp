// Command-line arguments of the `sluice` tool, parsed into one struct. Usage errors
// (exit status 2) carry a message in words.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "cli/output.hpp"
#include "interpreter/time.hpp"

namespace sluice {

struct cli_args {
  std::string command;  // run, check, disasm, report, help, version
  std::string file;
  std::vector<std::string> files;  // repl: rule files loaded into the session
  std::vector<std::string> data_dirs;           // --data DIR
  std::vector<std::pair<std::string, std::string>> series;  // --series name=path
  std::optional<std::string> from, to;
  output_format format = output_format::table;
  bool quiet = false;   // --quiet: no load summary on stderr
  bool stats = false;   // --stats: forward returns after watch events
  bool exact = false;   // --exact: decimal arithmetic (docs/exact.md)
  std::string rule;                // explain: --rule NAME
  std::optional<std::string> at;   // explain: --at DATE
  // issue 15: publication lags, replay date, stats file
  std::vector<std::pair<std::string, std::string>> lags;  // --lag NAME=DURATION
  std::optional<std::string> as_of;  // --as-of DATE: all data cut at DATE
  std::string stats_out;             // --stats-out FILE: stats there instead of stdout
  std::string output;                      // report: -o FILE
  std::optional<std::string> data_block;   // report: --data-block FILE (the JSON alone)
  // issue 21: universes
  std::vector<std::pair<std::string, std::string>> universes;  // --universe NAME=DIR
  unsigned threads = 0;  // --threads N: worker threads for universe programs; 0 = all cores
  std::string error;    // set when the arguments are unusable
};

cli_args parse_args(int argc, char** argv);
std::string usage_text();

// `--lag NAME=DURATION`'s duration: whole days, weeks, months or years (0d, 1d, 2w, 1mo,
// 1y), as `sluice run` and `sluice watch` read it.
std::optional<duration> parse_lag(const std::string& text);

}  // namespace sluice
