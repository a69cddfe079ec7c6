// Golden disassembly: each tests/disasm/*.sluice is compiled against host series russell,
// tga and btc, and `disassemble()` must equal the sibling .expected file byte for byte. The
// expected files were read line by line against the opcode table (interpreter/opcodes.hpp)
// and the source, so a change in what the compiler emits (sharing, folding, windows, state
// slots, operand kinds) shows here as a diff.
#include <catch2/catch.hpp>

#include <filesystem>

#include "interpreter/compile/compiler.hpp"
#include "interpreter/program.hpp"
#include "support/golden_support.hpp"

TEST_CASE("disasm: golden bytecode of tests/disasm/*.sluice", "[disasm]") {
  const std::filesystem::path dir = std::filesystem::path(SLUICE_SOURCE_DIR) / "tests/disasm";
  const auto files = sluice::testing::files_under(dir, ".sluice");
  REQUIRE(files.size() >= 3);
  for (const auto& file : files) {
    INFO(file.filename().string());
    sluice::compile_options options;
    for (const char* name : {"russell", "tga", "btc"}) options.host.push_back({name, "", "", {}, {}});
    sluice::diagnostics diags;
    const auto program = sluice::compile_source(file.filename().string(),
                                                sluice::testing::read_text(file), options, diags);
    REQUIRE(program);
    auto expected = file;
    expected.replace_extension(".expected");
    CHECK(sluice::disassemble(*program) == sluice::testing::read_text(expected));
  }
}

TEST_CASE("opcode table: derived facts agree with what the VM and compiler rely on", "[disasm]") {
  using sluice::opcode;
  // Every opcode that reads a window keeps state (its window's values or a running value).
  for (std::size_t i = 0; i < sluice::opcode_count; ++i) {
    const auto op = static_cast<opcode>(i);
    INFO(sluice::info(op).name);
    if (sluice::has_window(op)) CHECK(sluice::is_stateful(op));
    // A condition-writing instruction is never folded into constants through a numeric path.
    if (sluice::reads_conditions(op)) CHECK(sluice::writes_condition(op));
  }
  CHECK(sluice::operand_count(opcode::between) == 3);
  CHECK(sluice::operand_count(opcode::host_call) == 0);
  CHECK(sluice::writes_condition(opcode::gt));
  CHECK_FALSE(sluice::writes_condition(opcode::host_call));
  CHECK(sluice::info(opcode::fire).state == sluice::state_kind::scalar);
  CHECK(std::string(sluice::info(opcode::followed_by).name) == "followed_by");
}
