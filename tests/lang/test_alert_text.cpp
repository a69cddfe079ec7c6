// Alert text with `{expr:FORMAT}` holes, end to end on the example data.
#include <catch2/catch.hpp>

#include <filesystem>

#include "support/golden_support.hpp"

using namespace sluice;
using namespace sluice::testing;

TEST_CASE("alert holes print with their formats", "[alert_format][e2e]") {
  const std::filesystem::path source_dir = SLUICE_SOURCE_DIR;
  compile_options copts;
  copts.host = data_folder(source_dir / "examples/data");
  const std::string source =
      "russell breaks 2600 and tga falls then alert \"{russell:.0f} {pct(tga, 4w) * 100:.1f}% "
      "{tga:,.2f} {pct(tga, 4w):+.1%} {russell * 1000:,.0f} {tga} {rule:}\"\n";
  diagnostics diags;
  auto prog = compile_source("alert.sluice", source, copts, diags);
  // `{rule:}`: an empty format is an error at its '}' (column 152, counted with Python's
  // str.index on the same line).
  REQUIRE(diags.items().size() == 1);
  CHECK(diags.items()[0].pos.column == 152);
  CHECK(diags.items()[0].message ==
        "bad format '' in alert text: expected a format after ':', like .2f, +.1% or ,.0f");

  const std::string good = source.substr(0, source.find(" {rule:}")) + "\"\n";
  diagnostics diags2;
  prog = compile_source("alert.sluice", good, copts, diags2);
  REQUIRE(prog);
  csv_provider data;
  const run_result r = run_batch(*prog, data, {}, diags2);
  REQUIRE(r.events.size() == 1);
  REQUIRE(r.events[0].messages.size() == 1);
  // On 2026-01-08 russell closed at 2612.48 and the TGA was 814.1 against 867.6 four weeks
  // earlier (test_end_to_end.cpp): 814.1 / 867.6 - 1 = -0.06166..., so -6.2 and -6.2%.
  CHECK(r.events[0].messages[0] == "2612 -6.2% 814.10 -6.2% 2,612,480 814.1");
}
