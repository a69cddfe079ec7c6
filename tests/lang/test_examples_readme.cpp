// examples/README.md shows real sessions: every "$ sluice ..." line inside a fenced block
// is run from the repository root and its output must be the rest of the block. The
// numbers in those blocks were checked against the episodes the data generator places
// (scripts/generate_example_data.py); this test keeps the page and the tool in step.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "support/golden_support.hpp"

namespace fs = std::filesystem;
using namespace sluice::testing;

namespace {

struct session {
  std::string command;  // after "$ sluice "
  std::string output;
};

std::vector<session> sessions_in(const std::string& page) {
  std::vector<session> out;
  std::istringstream lines(page);
  std::string line;
  bool in_block = false;
  session* current = nullptr;
  while (std::getline(lines, line)) {
    if (line.rfind("```", 0) == 0) {
      in_block = !in_block;
      current = nullptr;
      continue;
    }
    if (!in_block) continue;
    if (line.rfind("$ sluice ", 0) == 0) {
      out.push_back({line.substr(9), {}});
      current = &out.back();
    } else if (current) {
      current->output += line + "\n";
    }
  }
  return out;
}

std::string run_from_root(const std::string& arguments) {
  const std::string command = "cd '" SLUICE_SOURCE_DIR "' && NO_COLOR=1 '" SLUICE_BINARY "' " +
                              arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[4096];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  const int status = pclose(pipe);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  return output;
}

}  // namespace

TEST_CASE("the sessions shown in examples/README.md are what sluice prints", "[examples]") {
  const std::string page = read_text(fs::path(SLUICE_SOURCE_DIR) / "examples/README.md");
  const std::vector<session> sessions = sessions_in(page);
  REQUIRE(sessions.size() >= 4);
  // Sessions on the shared real downloads (../shared/data/real) run only where they are.
  const bool real_data = fs::is_directory(fs::path(SLUICE_SOURCE_DIR) / "../shared/data/real");
  std::size_t skipped = 0;
  for (const session& s : sessions) {
    INFO("$ sluice " << s.command);
    if (!real_data && s.command.find("../shared/data/real") != std::string::npos) {
      ++skipped;
      continue;
    }
    CHECK(run_from_root(s.command) == s.output);
  }
  if (skipped) WARN(skipped << " sessions on ../shared/data/real skipped: the real data is absent");
}
