// Files that are not what a rule says they are: a `use` or a `load` of a folder, a `load`
// of a missing file. Each is an error that says what the path is, and a failed load names
// the statement that asked for it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "interpreter/compile/compiler.hpp"
#include "interpreter/run/batch.hpp"
#include "interpreter/run/provider.hpp"

using namespace sluice;
namespace fs = std::filesystem;

namespace {

// A scratch folder holding a folder named like a rule file and one named like a CSV file.
fs::path scratch() {
  const fs::path dir = fs::temp_directory_path() / "sluice_hostile_files";
  fs::create_directories(dir / "rules.sluice");
  fs::create_directories(dir / "prices.csv");
  return dir;
}

compile_options with_files(const fs::path& dir) {
  compile_options options;
  options.allow_files = true;
  options.base_dir = dir.string();
  return options;
}

}  // namespace

TEST_CASE("use of a folder is an error at the use, not an empty module", "[hostile]") {
  const fs::path dir = scratch();
  diagnostics diags;
  compile_source("main.sluice", "use \"rules.sluice\"\n", with_files(dir), diags);
  REQUIRE(diags.items().size() == 1);
  const diagnostic& d = diags.items()[0];
  CHECK(d.message == "'use \"rules.sluice\"' names a folder, not a rule file");
  CHECK(d.pos.line == 1);
  CHECK(d.pos.column == 1);
}

TEST_CASE("load of a folder or a missing file names the load statement", "[hostile]") {
  const fs::path dir = scratch();
  for (const std::string file : {"prices.csv", "missing.csv"}) {
    INFO(file);
    const std::string source = "let unused = 1\nload p from \"" + file +
                               "\"\nrule \"r\": when p > 1 then watch p\n";
    diagnostics diags;
    auto prog = compile_source("main.sluice", source, with_files(dir), diags);
    REQUIRE(prog);
    csv_provider data;
    const run_result r = run_batch(*prog, data, {}, diags);
    CHECK_FALSE(r.ok);
    REQUIRE(diags.items().size() == 1);
    const diagnostic& d = diags.items()[0];
    const std::string path = (dir / file).string();
    CHECK(d.message == (file == "prices.csv"
                            ? "'" + path + "' is a folder, not a CSV file"
                            : "cannot open '" + path + "': No such file or directory"));
    CHECK(d.note == "loaded at main.sluice:2");
  }
}
