// Running `sluice watch --poll CMD`: the command refreshes the data files; its output goes to
// watch's stderr, so that stdout carries only events.
#pragma once
#include <string>

namespace sluice::watch {

// Runs `sh -c command` to its end. True when it exited 0; otherwise `why` says how it ended.
bool run_shell(const std::string& command, std::string& why);

}  // namespace sluice::watch
