// `use` scoping: the rule file's own definitions shadow imported ones (docs/language.md,
// "Where names come from"), and a used file resolves its `load` and `use` paths relative
// to itself, not to the file that used it. Decoy files make the wrong reading fire on
// another date. Expected dates worked out by hand from the values below.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/golden_support.hpp"

using namespace sluice::testing;

namespace {

void write_series(const std::filesystem::path& file, const std::vector<int>& values) {
  std::string text = "date,value\n";
  for (std::size_t i = 0; i < values.size(); ++i)
    text += "2024-01-0" + std::to_string(i + 1) + "," + std::to_string(values[i]) + "\n";
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

void write_text(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

}  // namespace

TEST_CASE("use: the main file's let shadows the used file's", "[use]") {
  scratch_folder s;
  write_series(s.dir / "a.csv", {1, 2, 4, 6});  // crosses 3 on Jan 3, crosses 5 on Jan 4
  write_text(s.dir / "lib.sluice", "let level = 5\n");
  write_text(s.dir / "main.sluice",
             "use \"lib.sluice\"\nlet level = 3\nrule \"r\": when a crosses above level then watch a\n");
  const golden_run r = run_file(s.dir / "main.sluice", data_folder(s.dir));
  INFO(r.diagnostics);
  REQUIRE(r.ok);
  CHECK(r.events == std::vector<std::string>{"2024-01-03 r"});
}

TEST_CASE("use: an imported let is used when the main file does not define it", "[use]") {
  scratch_folder s;
  write_series(s.dir / "a.csv", {1, 2, 4, 6});
  write_text(s.dir / "lib.sluice", "let level = 5\n");
  write_text(s.dir / "main.sluice",
             "use \"lib.sluice\"\nrule \"r\": when a crosses above level then watch a\n");
  const golden_run r = run_file(s.dir / "main.sluice", data_folder(s.dir));
  INFO(r.diagnostics);
  REQUIRE(r.ok);
  CHECK(r.events == std::vector<std::string>{"2024-01-04 r"});
}

TEST_CASE("use: a used file in a subfolder loads paths relative to itself", "[use]") {
  scratch_folder s;
  write_series(s.dir / "lib" / "x.csv", {1, 4, 4, 4});    // crosses 3 on Jan 2
  write_series(s.dir / "x.csv", {1, 1, 4, 4});              // would cross on Jan 3
  write_text(s.dir / "lib" / "defs.sluice", "load x from \"x.csv\"\nuse \"inner/more.sluice\"\n");
  write_text(s.dir / "lib" / "inner" / "more.sluice", "let level = 3\n");
  write_text(s.dir / "main.sluice",
             "use \"lib/defs.sluice\"\nrule \"r\": when x crosses above level then watch x\n");
  const golden_run r = run_file(s.dir / "main.sluice", {});
  INFO(r.diagnostics);
  REQUIRE(r.ok);
  CHECK(r.events == std::vector<std::string>{"2024-01-02 r"});
}
