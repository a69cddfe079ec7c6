// Golden files: tests/lang/**/*.sluice run on tests/lang/data, events compared with the
// hand-worked `# expect:` lines; tests/diagnostics/*.sluice compiled, diagnostics compared
// with the sibling .expected file.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "support/golden_support.hpp"

using namespace sluice;
using namespace sluice::testing;

namespace {
const std::filesystem::path source_dir = SLUICE_SOURCE_DIR;
}

TEST_CASE("language golden files produce the hand-worked events", "[golden]") {
  const auto host = data_folder(source_dir / "tests/lang/data");
  const auto files = files_under(source_dir / "tests/lang", ".sluice");
  REQUIRE(files.size() >= 8);
  for (const auto& file : files) {
    DYNAMIC_SECTION(file.lexically_relative(source_dir).string()) {
      const golden_run run = run_file(file, host);
      INFO(run.diagnostics);
      REQUIRE(run.ok);
      CHECK(sorted_lines(run.events) == sorted_lines(expected_events(read_text(file))));
    }
  }
}

TEST_CASE("diagnostic golden files report the expected errors", "[golden]") {
  const auto host = data_folder(source_dir / "tests/lang/data");
  const auto files = files_under(source_dir / "tests/diagnostics", ".sluice");
  REQUIRE(!files.empty());
  for (const auto& file : files) {
    DYNAMIC_SECTION(file.filename().string()) {
      auto expected_path = file;
      expected_path.replace_extension(".expected");
      REQUIRE(std::filesystem::exists(expected_path));
      const golden_run run = run_file(file, host);
      CHECK(run.diagnostics == read_text(expected_path));
    }
  }
}
