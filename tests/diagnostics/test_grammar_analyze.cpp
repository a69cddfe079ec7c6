// PEGTL's grammar analysis: no rule of the statement or fragment grammar can loop forever
// without consuming input (e.g. a star<> over something that may match nothing).
#include <catch2/catch.hpp>
#include <tao/pegtl/contrib/analyze.hpp>

#include "grammar/grammar.hpp"

TEST_CASE("grammar: analyze finds no problems", "[parser]") {
  CHECK(tao::pegtl::analyze<sluice::grammar::statement_unit>() == 0);
  CHECK(tao::pegtl::analyze<sluice::grammar::fragment_unit>() == 0);
}
