// `sluice data DIR...`: every series a data folder offers, as `--data DIR` would name
// them, with the coverage line a run prints (file, column, first .. last, frequency,
// observations), the catalogue's publication lag a run would apply, and the columns of
// wide files one per line, so that a folder can be judged before rules are written.
#pragma once
#include <string>
#include <vector>

namespace sluice {

// The listing of one folder; false (with `error` set) when it cannot be read.
bool list_data_folder(const std::string& dir, std::string& listing, std::string& error);

// The command: each folder's listing on stdout; exit status 0, 1 when a file fails to
// load (the listing goes on), 2 when a folder cannot be read or none is given.
int data_command(const std::vector<std::string>& dirs);

}  // namespace sluice
