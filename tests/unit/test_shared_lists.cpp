// The lists several parts of Sluice read from one home: the grammar's keywords
// (grammar/keywords.hpp, read by REPL completion) and the builtin table
// (interpreter/compile/builtins.hpp, read by the compiler, the reference evaluator and the
// REPL). Expected values are written by hand from grammar.hpp's reserved_word rule and
// docs/language.md's builtin list, so an extraction that drops or garbles a word fails.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "grammar/keywords.hpp"
#include "interpreter/compile/builtins.hpp"

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("reserved words come from the grammar, spelled out", "[unit][keywords]") {
  const std::vector<std::string>& words = sluice::reserved_words();
  // reserved_word in grammar.hpp lists 53 keyword rules, `and` first, `year` last.
  REQUIRE(words.size() == 53);
  CHECK(words.front() == "and");
  CHECK(words.back() == "year");
  for (const char* w : {"then", "followed", "underperforms", "cooldown", "stale", "bar", "months"})
    CHECK(contains(words, w));
  // Names that are not keywords: builtins and settings.
  for (const char* w : {"sma", "window", "horizons", "russell"}) CHECK(!contains(words, w));
  for (const std::string& w : words) {
    INFO(w);
    CHECK(std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; }));
  }
}

TEST_CASE("one builtin table answers every reader", "[unit][builtins]") {
  const std::vector<std::string> names = sluice::builtin_names();
  const std::vector<std::string> expected = {
      "sma", "ema",      "rsi",   "stdev",  "zscore", "highest", "lowest", "change", "pct",
      "lag", "drawdown", "ratio", "rebase", "basket", "min",     "max",    "abs",    "log"};
  CHECK(names.size() == expected.size());
  for (const std::string& n : expected) {
    INFO(n);
    CHECK(contains(names, n));
    CHECK(sluice::is_builtin(n));
  }
  CHECK(!sluice::is_builtin("russell"));
  CHECK(!sluice::is_builtin("SMA"));  // builtins are matched as written
}
