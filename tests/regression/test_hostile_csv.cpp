// Hostile CSV shapes from issue 16, each of which used to hang or mislead. Linear-time
// cases rely on CTest's timeout (tests/CMakeLists.txt): their quadratic versions run for
// hours, so no time is asserted here.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "interpreter/data/csv_loader.hpp"

using namespace sluice;

TEST_CASE("CSV: a header of a million columns loads, its one repeated name noted",
          "[hostile][csv]") {
  // Every name was compared with every earlier one (10^12 comparisons): now one hash
  // lookup per column.
  constexpr std::size_t columns = 1'000'000;
  std::string text = "date";
  for (std::size_t c = 0; c + 1 < columns; ++c) text += ",c" + std::to_string(c);
  text += ",C7";  // the same name as c7 once normalized
  text += "\n2024-01-01";
  for (std::size_t c = 0; c < columns; ++c) text += ",1";
  text += "\n";
  const csv_result r = parse_csv(text, "wide.csv");
  REQUIRE(r.table);
  CHECK(r.table->columns.size() == columns);
  CHECK(r.table->times.size() == 1);
  std::vector<std::string> repeated;
  for (const std::string& note : r.table->notes)
    if (note.find("appears") != std::string::npos) repeated.push_back(note);
  REQUIRE(repeated.size() == 1);
  CHECK(repeated[0] == "column name 'c7' appears 2 times; find_column picks the first");
}
