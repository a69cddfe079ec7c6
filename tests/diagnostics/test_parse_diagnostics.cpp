// Golden parse diagnostics: each tests/diagnostics/parse_*.sluice is parsed and its rendered
// diagnostics must equal the sibling .expected file byte for byte.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "grammar/parser.hpp"

namespace {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("parser: golden parse diagnostics", "[parser]") {
  const std::filesystem::path dir = std::filesystem::path(SLUICE_SOURCE_DIR) / "tests/diagnostics";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    if (name.rfind("parse_", 0) == 0 && entry.path().extension() == ".sluice")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE_FALSE(files.empty());
  for (const auto& file : files) {
    INFO(file.filename().string());
    const std::string source = slurp(file);
    sluice::diagnostics diags;
    const sluice::module_ast m = sluice::parse_module(file.filename().string(), source, diags);
    std::string rendered;
    for (const auto& d : diags.items()) rendered += sluice::render(d, m.source);
    auto expected_path = file;
    expected_path.replace_extension(".expected");
    CHECK(rendered == slurp(expected_path));
  }
}

TEST_CASE("the caret stands under the character after multibyte text", "[parser]") {
  // `"€ café"` is 9 characters but 12 bytes: the caret pads by characters.
  const std::string source = "rule \"€ café\": when x > then watch x\n";
  sluice::diagnostics diags;
  sluice::parse_module("utf8.sluice", source, diags);
  REQUIRE(diags.items().size() == 1);
  const std::string rendered = sluice::render(diags.items()[0], source, false);
  const std::size_t caret_line = rendered.rfind('\n', rendered.size() - 2);
  const std::string caret = rendered.substr(caret_line + 1);
  // The error is at `then` (the missing number after '>'), character 26 of the line.
  const std::size_t then_chars = std::string("rule \"€ café\": when x > ").size() - 3;
  CHECK(caret == "  " + std::string(then_chars, ' ') + "^\n");
}
