// examples/README.md shows real sessions: every "$ sluice ..." line inside a fenced block
// is run from the repository root and its output must be the rest of the block. The
// numbers in those blocks were checked against the episodes the data generator places
// (scripts/generate_example_data.py); this test keeps the page and the tool in step.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "support/golden_support.hpp"
#include "support/skip.hpp"

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

// The sessions of examples/README.md, those on the shared real downloads
// (../shared/data/real) or the others.
std::vector<session> readme_sessions(bool on_real_data) {
  const std::string page = read_text(fs::path(SLUICE_SOURCE_DIR) / "examples/README.md");
  std::vector<session> out;
  for (session& s : sessions_in(page))
    if ((s.command.find("../shared/data/real") != std::string::npos) == on_real_data)
      out.push_back(std::move(s));
  return out;
}

}  // namespace

TEST_CASE("the sessions shown in examples/README.md are what sluice prints", "[examples]") {
  const std::vector<session> sessions = readme_sessions(false);
  REQUIRE(sessions.size() >= 4);
  for (const session& s : sessions) {
    INFO("$ sluice " << s.command);
    CHECK(run_from_root(s.command) == s.output);
  }
}

TEST_CASE("the README's sessions on the real downloads are what sluice prints",
          "[examples][real]") {
  const std::vector<session> sessions = readme_sessions(true);
  REQUIRE(!sessions.empty());
  if (!fs::is_directory(fs::path(SLUICE_SOURCE_DIR) / "../shared/data/real"))
    SLUICE_SKIP("../shared/data/real is absent: " << sessions.size() << " sessions not run");
  for (const session& s : sessions) {
    INFO("$ sluice " << s.command);
    CHECK(run_from_root(s.command) == s.output);
  }
}
