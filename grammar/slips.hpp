// Near-misses of the rule language ("tga fall", "&&", "2,600", "over 3m", a missing `then`)
// and the "did you mean" note each one gets, added to the parse error where it stands.
#pragma once
#include <string>
#include <string_view>

namespace sluice::parse_detail {

// A note for a parse error whose position is the start of `here` (the statement's text
// from the error point to its end); `before` is the statement's text before that point.
// `duration_expected`: the error is "expected a duration", and only the number-as-window
// slips apply; otherwise only the others do. Empty when no known slip fits, so the error
// stands alone.
std::string slip_note(std::string_view before, std::string_view here, bool duration_expected);

// True when `word` (any case) is an action keyword: watch, alert or signal.
bool is_action_word(std::string_view word);

}  // namespace sluice::parse_detail
