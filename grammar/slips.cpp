// The table of near-misses: other verb forms and synonyms of the predicates, operators from
// other languages, thousands separators, `m` for months and windows without a unit. Each
// entry is what a user typed and what the language spells; slip_note() finds the one at
// an error point.
#include "grammar/slips.hpp"

#include <fmt/format.h>

#include <array>
#include <cstddef>
#include <utility>

namespace sluice::parse_detail {
namespace {

struct slip {
  std::string_view typed;
  std::string_view meant;
};

// Verb forms and synonyms of the predicate words, all lower case.
constexpr std::array<slip, 64> predicate_slips{{
    {"fall", "falls"},         {"fell", "falls"},          {"falling", "falls"},
    {"fallen", "falls"},       {"drop", "falls"},          {"drops", "falls"},
    {"dropped", "falls"},      {"dropping", "falls"},      {"decline", "falls"},
    {"declines", "falls"},     {"declined", "falls"},      {"declining", "falls"},
    {"decrease", "falls"},     {"decreases", "falls"},     {"decreased", "falls"},
    {"decreasing", "falls"},   {"sinks", "falls"},         {"dips", "falls"},
    {"rise", "rises"},         {"rose", "rises"},          {"rising", "rises"},
    {"risen", "rises"},        {"increase", "rises"},      {"increases", "rises"},
    {"increased", "rises"},    {"increasing", "rises"},    {"climbs", "rises"},
    {"climbing", "rises"},     {"gains", "rises"},         {"grows", "rises"},
    {"jumps", "rises"},        {"break", "breaks"},        {"broke", "breaks"},
    {"breaking", "breaks"},    {"broken", "breaks"},       {"breaches", "breaks"},
    {"cross", "crosses"},      {"crossed", "crosses"},     {"crossing", "crosses"},
    {"widen", "widens"},       {"widened", "widens"},      {"widening", "widens"},
    {"narrow", "narrows"},     {"narrowed", "narrows"},    {"narrowing", "narrows"},
    {"outperform", "outperforms"},   {"outperformed", "outperforms"},
    {"outperforming", "outperforms"}, {"beats", "outperforms"},
    {"underperform", "underperforms"}, {"underperformed", "underperforms"},
    {"underperforming", "underperforms"}, {"lead", "leads"}, {"leading", "leads"},
    {"trail", "trails"},       {"trailing", "trails"},     {"hit", "hits"},
    {"hitting", "hits"},       {"exceeds", "above"},       {"exceed", "above"},
    {"tops", "above"},         {"greater", "above"},       {"less", "below"},
    {"under", "below"},
}};

// Operators spelled as in other languages.
constexpr std::array<slip, 6> operator_slips{{
    {"&&", "and"}, {"||", "or"}, {"&", "and"}, {"|", "or"}, {"=<", "<="}, {"=>", ">="},
}};

bool is_ident(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string lower_word(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && is_ident(text[i]); ++i)
    out.push_back(text[i] >= 'A' && text[i] <= 'Z' ? static_cast<char>(text[i] - 'A' + 'a') : text[i]);
  return out;
}

std::string_view skip_blanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  return text;
}

// The last name or number before the error point: the subject of a predicate.
std::string_view last_word(std::string_view before) {
  std::size_t end = before.size();
  while (end > 0 && (before[end - 1] == ' ' || before[end - 1] == '\t')) --end;
  std::size_t begin = end;
  while (begin > 0 && (is_ident(before[begin - 1]) || before[begin - 1] == '.')) --begin;
  return before.substr(begin, end - begin);
}

std::string_view find_predicate(std::string_view word) {
  for (const slip& s : predicate_slips)
    if (s.typed == word) return s.meant;
  return {};
}

// "did you mean 'tga falls'?" when the subject is known, else "did you mean 'falls'?".
std::string mean(std::string_view subject, std::string_view meant) {
  if (subject.empty()) return fmt::format("did you mean '{}'?", meant);
  return fmt::format("did you mean '{} {}'?", subject, meant);
}

}  // namespace

bool is_action_word(std::string_view word) {
  const std::string w = lower_word(word);
  return w == "watch" || w == "alert" || w == "signal";
}

std::string slip_note(std::string_view before, std::string_view here, bool duration_expected) {
  here = skip_blanks(here);
  if (here.empty()) return {};

  // A number where a duration must stand: `over 3m` (m is million) or `over 50`.
  if (duration_expected) {
    if (!is_digit(here.front())) return {};
    std::size_t n = 0;
    while (n < here.size() && (is_digit(here[n]) || here[n] == '_')) ++n;
    const std::string_view count = here.substr(0, n);
    const std::string unit = lower_word(here.substr(n));
    if (unit == "m" || unit == "min" || unit == "mon" || unit == "mth" || unit == "mths")
      return fmt::format("m is million; did you mean {}mo (months)?", count);
    if (unit.empty() && (n == here.size() || here[n] != '.'))
      return fmt::format("did you mean '{} bars' (or {}d for days)?", count, count);
    return {};
  }

  for (const slip& s : operator_slips)
    if (here.substr(0, s.typed.size()) == s.typed)
      return fmt::format("did you mean '{}'? Sluice writes '{}' for '{}'", s.meant, s.meant, s.typed);

  // `let x == 3` / `x = 3`: one '=' defines, two compare. In `let x == 3` the error stands
  // at the second '=' (the first one was the definition's).
  if (here.front() == '=' && !before.empty() && before.back() == '=' &&
      lower_word(skip_blanks(before)) == "let")
    return "did you mean '='? 'let name = value' defines with one '='";
  if (here.front() == '=' && here.substr(0, 2) != "==")
    return "did you mean '=='? a comparison is written 'x == y' (one '=' only defines)";

  // 2,600: a thousands separator after the digits of a number.
  if (here.front() == ',' && here.size() >= 4 && is_digit(here[1]) && is_digit(here[2]) &&
      is_digit(here[3]) && (here.size() == 4 || !is_ident(here[4]) || here[4] == '_') &&
      !before.empty() && is_digit(before.back())) {
    std::size_t d = before.size();
    while (d > 0 && (is_digit(before[d - 1]) || before[d - 1] == '_')) --d;
    std::string number(before.substr(d));
    std::size_t i = 0;
    while (i + 3 < here.size() && here[i] == ',' && is_digit(here[i + 1]) &&
           is_digit(here[i + 2]) && is_digit(here[i + 3])) {
      number += here.substr(i + 1, 3);
      i += 4;
    }
    return fmt::format("did you mean '{}'? numbers are written without thousands separators "
                       "('_' may group digits: 2_600)", number);
  }

  const std::string word = lower_word(here);
  if (word.empty()) return {};
  if (is_action_word(word))
    return fmt::format("did you mean 'then {}'? a rule's actions come after 'then'", word);
  if (const std::string_view meant = find_predicate(word); !meant.empty())
    return mean(last_word(before), meant);
  // `tga is falling`, `russell is above 2600`: predicates are verbs without 'is'.
  if (word == "is" || word == "are" || word == "was" || word == "has") {
    const std::string next = lower_word(skip_blanks(here.substr(word.size())));
    std::string_view meant = find_predicate(next);
    if (meant.empty() && (next == "falls" || next == "rises" || next == "above" ||
                          next == "below" || next == "between" || next == "breaks"))
      meant = next;  // the right word, with an 'is' too many
    if (!meant.empty()) return mean(last_word(before), meant);
  }
  return {};
}

}  // namespace sluice::parse_detail
