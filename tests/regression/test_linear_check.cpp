// `check` of many rules costs linear work in the text. The position of every `{expr}` hole
// of alert text used to be counted from the top of the file (quadratic: 20k rules took
// 40 s); it is now a binary search in a line index built once. Counted, not timed: the
// parser reports how many source bytes it scanned to compute positions.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <string>

#include "grammar/parser.hpp"
#include "interpreter/compile/compiler.hpp"

using namespace sluice;

namespace {

// `count` rules over host series a and b, each with two alert holes.
std::string many_alert_rules(int count) {
  std::string text;
  for (int i = 0; i < count; ++i)
    text += fmt::format("rule \"R{}\": when a > {} then alert \"R{} {{a}} and {{b - a}}\"\n", i, i, i);
  return text;
}

compile_options two_series() {
  compile_options options;
  for (const char* name : {"a", "b"}) {
    host_series h;
    h.name = name;
    options.host.push_back(h);
  }
  return options;
}

// Source bytes scanned for positions while compiling `source`.
std::uint64_t position_bytes(const std::string& source, diagnostics& diags) {
  const std::uint64_t before = position_work_counters().bytes_scanned;
  compile_source("many.sluice", source, two_series(), diags);
  return position_work_counters().bytes_scanned - before;
}

}  // namespace

TEST_CASE("positions of alert holes cost one pass over the file, however many holes",
          "[hostile][linear]") {
  // The prelude's own modules are indexed in every compile: measured on an empty file.
  diagnostics empty_diags;
  const std::uint64_t prelude = position_bytes("", empty_diags);
  for (const int count : {1'000, 8'000}) {
    INFO(count << " rules");
    const std::string source = many_alert_rules(count);
    diagnostics diags;
    const std::uint64_t scanned = position_bytes(source, diags);
    CHECK_FALSE(diags.has_errors());
    // One line index for the file. Counting each of the 2 * count holes from the top would
    // scan about count * size bytes (4 GB at 8,000 rules).
    CHECK(scanned <= prelude + source.size());
  }
}

TEST_CASE("a bad hole deep in a long file is reported at its own line and column",
          "[hostile][linear]") {
  std::string source = many_alert_rules(5'000);
  source += "rule \"last\": when a > 1 then alert \"x {a +} y\"\n";
  diagnostics diags;
  compile_source("many.sluice", source, two_series(), diags);
  REQUIRE(diags.items().size() == 1);
  const diagnostic& d = diags.items()[0];
  // Line 5001; `{a +}`: the '+' wants an operand at the '}' (column 43, counted by hand:
  // `rule "last": when a > 1 then alert "x {a +` is 42 characters).
  CHECK(d.pos.line == 5'001);
  CHECK(d.pos.column == 43);
}

TEST_CASE("position_of agrees with a count from the top, with and without a BOM", "[parser]") {
  for (const std::string bom : {"", "\xEF\xBB\xBF"}) {
    const std::string source = bom + "let x = 1\r\n\n  rule \"r\": when a > x then watch a\nlast";
    diagnostics diags;
    const module_ast m = parse_module("p.sluice", source, diags);
    std::uint32_t line = 1, column = 1;
    for (std::uint32_t offset = static_cast<std::uint32_t>(bom.size()); offset < source.size();
         ++offset) {
      const source_pos p = position_of(m, offset);
      INFO("offset " << offset);
      CHECK(p.offset == offset);
      CHECK(p.line == line);
      CHECK(p.column == column);
      if (source[offset] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
  }
}
