// `sluice fetch SPEC... [--data DIR] [--as NAME] [--timeout S] [--retries N] [--revise]`:
// downloads series into a data folder, one CSV per series, and records each in the
// folder's manifest (docs/data.md, "Providers").
#pragma once
#include <string>
#include <vector>

namespace sluice::fetch {

// `args` are the words after `fetch`. Exit status: 0 every series fetched, 1 some
// failed (each with its reason; their files untouched), 2 usage error.
int fetch_main(const std::vector<std::string>& args);

std::string fetch_usage();

}  // namespace sluice::fetch
