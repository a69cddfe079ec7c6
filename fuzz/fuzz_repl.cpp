// Fuzz target: REPL input, one logical input per line (as a user types them), through
// `sluice repl`'s session: statements, expressions, :commands, replacement of earlier
// definitions, probes and runs over two small CSV series. Output goes to /dev/null.
// One session serves every input (repl_session::reset between them). Each statement
// recompiles the whole session, so an input's cost grows with the square of its lines: only
// its first max_lines lines are typed (inputs stay fast, and a session of 8 lines already
// has definitions, replacements, rules and commands interacting).
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "cli/repl_session.hpp"

using namespace sluice;

namespace {

// The session reads files for `load`, `use "..."` and `:load`. Lines that could name a
// file outside the source tree (absolute paths, `..`) or load a whole file (`:load`, which
// could pick a 17 MB fuzz binary) are skipped: reading /dev/zero finds nothing about Sluice.
bool reads_outside(std::string_view line) {
  return line.find("\"/") != std::string_view::npos || line.find("..") != std::string_view::npos ||
         line.find(":load") != std::string_view::npos;
}

constexpr int max_lines = 8;

std::FILE* sink() {
  static std::FILE* null = std::fopen("/dev/null", "w");
  return null;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // One session per process, reset after each input: the series files are read once, and
  // every input still starts from an empty session (the same input always does the same).
  // Resetting at the end rather than the start frees within the input what it built, so
  // libFuzzer sees as many frees as allocations and does not rerun the input for a heap-wide
  // leak check (it did for almost every input: 12% of the time).
  static repl_session session = [] {
    std::vector<host_series> host;
    for (const char* name : {"a", "b"}) {
      host_series h;
      h.name = name;
      h.path = std::string(SLUICE_SOURCE_DIR) + "/tests/lang/data/" + name + ".csv";
      host.push_back(std::move(h));
    }
    return repl_session(host, false, sink(), sink());
  }();
  std::size_t begin = 0;
  for (int typed = 0; typed < max_lines && begin <= text.size() && !session.quit_requested();
       ++typed) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(begin, end - begin);
    if (!reads_outside(line)) {
      const std::size_t word = line.find_last_of(' ') + 1;  // npos + 1 == 0: the whole line
      (void)repl_session::incomplete(line);
      (void)session.complete(line.substr(0, word), line.substr(word));
      (void)session.handle(line);
    }
    begin = end + 1;
  }
  session.reset();
  return 0;
}
