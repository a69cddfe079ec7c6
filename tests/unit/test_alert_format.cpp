// `{expr:FORMAT}` specs of alert text: what each spec prints, and where a bad one is wrong.
// Expected strings were produced by Python's format(value, spec) (the mini-language this
// subset follows) and checked by hand, not copied from Sluice's own output.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "interpreter/numeric/alert_format.hpp"

using namespace sluice;

namespace {

std::string formatted(double value, std::string_view spec) {
  std::size_t offset = 0;
  std::string why;
  const auto f = parse_number_format(spec, offset, why);
  REQUIRE(f);
  return format_with(value, *f);
}

// The offset of the first byte that does not fit, or npos when the spec is good.
std::size_t bad_at(std::string_view spec) {
  std::size_t offset = 0;
  std::string why;
  return parse_number_format(spec, offset, why) ? std::string::npos : offset;
}

}  // namespace

TEST_CASE("alert formats print as Python's format() does", "[alert_format]") {
  CHECK(formatted(2612.4, ".0f") == "2612");
  CHECK(formatted(2.5, ".0f") == "2");  // ties to even, as fmt and Python round
  CHECK(formatted(-7.311053314, ".1f") == "-7.3");
  CHECK(formatted(-0.07311053314, "+.1%") == "-7.3%");
  CHECK(formatted(0.0731, "+.1%") == "+7.3%");
  CHECK(formatted(1234567.891, ",.2f") == "1,234,567.89");
  CHECK(formatted(1234567.891, ",.0f") == "1,234,568");
  CHECK(formatted(1e20, ",.0f") == "100,000,000,000,000,000,000");
  CHECK(formatted(3.14159, ".3") == "3.14");
  CHECK(formatted(3.14159, "e") == "3.141590e+00");
  CHECK(formatted(12, ".2e") == "1.20e+01");
  CHECK(formatted(0.000123, "g") == "0.000123");
  CHECK(formatted(42, "8.1f") == "    42.0");
  CHECK(formatted(42, "+8.1f") == "   +42.0");
  CHECK(formatted(5, " .1f") == " 5.0");
  CHECK(formatted(-0.004, ".2f") == "-0.00");
  CHECK(formatted(0, "+.1f") == "+0.0");
  CHECK(formatted(1234.5, ",%") == "123,450.000000%");
}

TEST_CASE("na and infinities print as Sluice prints them, whatever the format", "[alert_format]") {
  CHECK(formatted(std::numeric_limits<double>::quiet_NaN(), ".2f") == "na");
  CHECK(formatted(std::numeric_limits<double>::infinity(), "+.1%") == "inf");
}

TEST_CASE("a bad format is refused at the byte that does not fit", "[alert_format]") {
  CHECK(bad_at(".2f") == std::string::npos);
  CHECK(bad_at("") == 0);     // `{x:}`
  CHECK(bad_at(".f") == 1);   // no digits after '.'
  CHECK(bad_at(".2q") == 2);  // unknown type
  CHECK(bad_at(".2ff") == 3);
  CHECK(bad_at("<10") == 0);  // alignment is not part of the subset
  CHECK(bad_at(".99f") == 2);  // precision past 30
  CHECK(bad_at("999f") == 2);  // width past 100
  CHECK(bad_at(",e") == 2);    // thousands only group 'f' and '%'
}
