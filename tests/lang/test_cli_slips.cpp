// The sluice command line forgives what a user copies or half-types: an option name gets a
// did-you-mean, and --from/--to read a date as the CSV loader reads a date cell.
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

namespace {

struct outcome {
  std::string output;  // stdout and stderr together
  int status = -1;
};

outcome sluice(const std::string& arguments) {
  const std::string command = "cd '" SLUICE_SOURCE_DIR "' && NO_COLOR=1 '" SLUICE_BINARY "' " +
                              arguments + " 2>&1";
  outcome o;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) o.output.append(buffer, n);
  const int status = pclose(pipe);
  o.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

TEST_CASE("cli: a mistyped option names the nearest one", "[cli]") {
  const outcome form = sluice("run examples/rotation.sluice --data examples/data --form jsonl");
  CHECK(form.status == 2);
  CHECK(first_line(form.output) == "sluice: unknown option '--form'; did you mean '--format'?");
  const outcome fomrat = sluice("run examples/rotation.sluice --fomrat jsonl");
  CHECK(first_line(fomrat.output) == "sluice: unknown option '--fomrat'; did you mean '--format'?");
  // Nothing near: no suggestion.
  CHECK(first_line(sluice("run x.sluice --zzzzzzzz").output) == "sluice: unknown option '--zzzzzzzz'");
}

TEST_CASE("cli: --from reads the date forms the CSV loader reads", "[cli]") {
  // The same run with --from 2026-01-08 written four ways gives the same output.
  const std::string run = "run examples/rotation.sluice --data examples/data --quiet --from ";
  const outcome iso = sluice(run + "2026-01-08");
  REQUIRE(iso.status == 0);
  for (const char* form : {"2026-1-8", "2026/01/08", "01/08/2026", "20260108"}) {
    INFO(form);
    const outcome o = sluice(run + form);
    CHECK(o.status == 0);
    CHECK(o.output == iso.output);
  }
  const outcome bad = sluice(run + "8th-jan");
  CHECK(bad.status != 0);
  CHECK_THAT(bad.output, Catch::Contains("--from expects a date like 2021-01-15, found '8th-jan'"));
}
