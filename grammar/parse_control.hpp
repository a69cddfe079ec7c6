// The parse control: turns a failed must<> point into a statement_error with the message
// from grammar.hpp's table, and adds the notes and positions that make it precise.
#pragma once
#include <type_traits>

#include "grammar/parse_state.hpp"

namespace sluice::parse_detail {

namespace pegtl = tao::pegtl;
namespace g = grammar;

// ---- control: error messages and positions ------------------------------------------

// Error points where a value or name is expected: if a reserved word stands there, a note
// says so ("let x = high" fails because `high` is a keyword).
template <typename Rule>
inline constexpr bool expects_operand = false;
#define SLUICE_OPERAND_POINT(rule) \
  template <>                      \
  inline constexpr bool expects_operand<g::rule> = true
SLUICE_OPERAND_POINT(paren_inner);
SLUICE_OPERAND_POINT(call_arg);
SLUICE_OPERAND_POINT(minus_operand);
SLUICE_OPERAND_POINT(times_operand);
SLUICE_OPERAND_POINT(divide_operand);
SLUICE_OPERAND_POINT(plus_operand);
SLUICE_OPERAND_POINT(minus_rhs);
SLUICE_OPERAND_POINT(compare_rhs);
SLUICE_OPERAND_POINT(between_low);
SLUICE_OPERAND_POINT(between_high);
SLUICE_OPERAND_POINT(cross_level);
SLUICE_OPERAND_POINT(break_direction);
SLUICE_OPERAND_POINT(break_level);
SLUICE_OPERAND_POINT(by_amount);
SLUICE_OPERAND_POINT(perform_rhs);
SLUICE_OPERAND_POINT(not_operand);
SLUICE_OPERAND_POINT(and_operand);
SLUICE_OPERAND_POINT(or_operand);
SLUICE_OPERAND_POINT(followed_operand);
SLUICE_OPERAND_POINT(over_window);
SLUICE_OPERAND_POINT(for_window);
SLUICE_OPERAND_POINT(within_window);
SLUICE_OPERAND_POINT(let_value);
SLUICE_OPERAND_POINT(def_body);
SLUICE_OPERAND_POINT(set_value);
SLUICE_OPERAND_POINT(watch_name);
SLUICE_OPERAND_POINT(rule_condition);
SLUICE_OPERAND_POINT(fragment_expression);
#undef SLUICE_OPERAND_POINT

// Error points where a duration must stand: a number there may be a window without its
// unit (`over 20`) or with m for months (`over 3m`).
template <typename Rule>
inline constexpr bool expects_duration = false;
#define SLUICE_DURATION_POINT(rule) \
  template <>                       \
  inline constexpr bool expects_duration<g::rule> = true
SLUICE_DURATION_POINT(over_window);
SLUICE_DURATION_POINT(for_window);
SLUICE_DURATION_POINT(within_window);
SLUICE_DURATION_POINT(lag_duration);
SLUICE_DURATION_POINT(stale_duration);
SLUICE_DURATION_POINT(watch_for);
SLUICE_DURATION_POINT(cooldown_duration);
#undef SLUICE_DURATION_POINT

template <typename Rule>
struct control : pegtl::normal<Rule> {
  // An error point is tried with rewinding, so that when it fails the error is reported
  // where it began rather than wherever a partial match stopped.
  template <pegtl::apply_mode A, pegtl::rewind_mode M, template <typename...> class Action,
            template <typename...> class Control, typename ParseInput, typename... States>
  [[nodiscard]] static bool match(ParseInput& in, States&&... st) {
    constexpr auto mode = g::error_message<Rule> != nullptr ? pegtl::rewind_mode::required : M;
    return pegtl::normal<Rule>::template match<A, mode, Action, Control>(in, st...);
  }

  template <typename ParseInput>
  [[noreturn]] static void raise(const ParseInput& in, parse_state& s) {
    static_assert(g::error_message<Rule> != nullptr,
                  "every must<> point needs an entry in grammar.hpp's error table");
    statement_error e{pos_of(in.iterator()), g::error_message<Rule>, {},
                      expects_duration<Rule> ? slip_context::duration : slip_context::grammar};
    const char* here = in.current();
    if constexpr (std::is_same_v<Rule, g::close_paren> || std::is_same_v<Rule, g::call_close>) {
      if (!s.frames.empty())
        e.message += fmt::format(" opened at {}:{}", s.frames.back().open.line,
                                 s.frames.back().open.column);
    } else if constexpr (std::is_same_v<Rule, g::string_close>) {
      e.pos = s.str_pos;  // point at the opening quote: that is where the string begins
    } else if constexpr (std::is_same_v<Rule, g::escaped_char>) {
      if (here < in.end() && *here > ' ' && *here < 0x7f)
        e.message = fmt::format("unknown escape '\\{}' in a string (only \\\" and \\\\ are allowed)", *here);
    } else if constexpr (std::is_same_v<Rule, g::reserved_name>) {
      e.message = fmt::format("'{}' is a reserved word and cannot be used as a name",
                              lower(token_at(here, in.end())));
    }
    if constexpr (expects_operand<Rule>) {
      // `then` is never mistaken for a name; a note about it would only confuse.
      if (at_reserved_word(here, in.end()) && lower(token_at(here, in.end())) != "then")
        e.note = fmt::format("'{}' is a reserved word and cannot be used as a name",
                             lower(token_at(here, in.end())));
    }
    throw e;
  }
};


}  // namespace sluice::parse_detail
