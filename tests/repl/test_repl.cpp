// `sluice repl` driven by piped scripts: golden transcripts in tests/repl/ (NAME.in is the
// input, NAME.out the expected stdout + stderr). A `# args: ...` line in NAME.in gives the
// command-line arguments (default `--data examples/data`), `# exit: N` the exit status
// (default 0). Runs from the source folder with HOME set to a scratch folder.
// The .out files are written and checked by hand: this test never writes them, so a change
// in the REPL's output cannot pass by regenerating its own expectation.
#include <sys/wait.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string header(const std::string& text, const std::string& key, const std::string& fallback) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("# " + key + ":", 0) == 0) {
      std::string v = line.substr(key.size() + 3);
      while (!v.empty() && v.front() == ' ') v.erase(v.begin());
      return v;
    }
  return fallback;
}

struct outcome {
  std::string output;
  int status = -1;
};

// Runs `sluice repl ARGS < input` in the source folder; stdout and stderr together.
outcome run_repl(const std::string& args, const fs::path& input) {
  const fs::path home = fs::temp_directory_path() / "sluice_repl_test_home";
  fs::create_directories(home);
  const std::string command = "cd '" SLUICE_SOURCE_DIR "' && HOME='" + home.string() +
                              "' NO_COLOR=1 '" SLUICE_BINARY "' repl " + args + " < '" +
                              input.string() + "' 2>&1";
  outcome o;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) o.output.append(buffer, n);
  const int status = pclose(pipe);
  o.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

}  // namespace

TEST_CASE("repl golden transcripts", "[repl]") {
  const fs::path dir = fs::path(SLUICE_SOURCE_DIR) / "tests" / "repl";
  std::vector<fs::path> inputs;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".in") inputs.push_back(entry.path());
  std::sort(inputs.begin(), inputs.end());
  REQUIRE(!inputs.empty());
  for (const fs::path& in : inputs) {
    const std::string text = slurp(in);
    const outcome o = run_repl(header(text, "args", "--data examples/data"), in);
    fs::path expected_file = in;
    expected_file.replace_extension(".out");
    INFO(in.filename().string());
    CHECK(o.status == std::stoi(header(text, "exit", "0")));
    CHECK(o.output == slurp(expected_file));
  }
}

TEST_CASE("repl script mode reports failures in its exit status", "[repl]") {
  const fs::path in = fs::temp_directory_path() / "sluice_repl_failing.in";
  std::ofstream(in) << "russel\n";
  const outcome o = run_repl("--data examples/data", in);
  CHECK(o.status == 1);
  CHECK(o.output.find("did you mean 'russell'?") != std::string::npos);
  CHECK(o.output.find("sluice>") == std::string::npos);  // no prompts on a script
}

TEST_CASE("repl script mode writes no history", "[repl]") {
  const fs::path in = fs::temp_directory_path() / "sluice_repl_history.in";
  std::ofstream(in) << "russell\n";
  const fs::path history = fs::temp_directory_path() / "sluice_repl_test_home" / ".sluice_history";
  fs::remove(history);
  const outcome o = run_repl("--data examples/data", in);
  CHECK(o.status == 0);
  CHECK(!fs::exists(history));
}

TEST_CASE("repl :explain names the rule's own file and line", "[repl]") {
  // Only the parts the REPL owns: explain's tree itself is tested with `sluice explain`.
  const fs::path in = fs::temp_directory_path() / "sluice_repl_explain.in";
  std::ofstream(in) << ":explain risk-on rotation 2025-10-16\n:explain risk-on rotaton\n";
  const outcome o = run_repl("--data examples/data examples/rotation.sluice", in);
  CHECK(o.status == 1);  // the second line names no rule
  CHECK(o.output.find("\"risk-on rotation\" (examples/rotation.sluice:22) at 2025-10-16") !=
        std::string::npos);
  CHECK(o.output.find("tga falls over 4w: false") != std::string::npos);
  CHECK(o.output.find("did you mean \"risk-on rotation\"?") != std::string::npos);
}
