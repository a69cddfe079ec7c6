// What a push did with an observation: the one list of push outcomes, shared by the
// library's streaming sessions, the C++ API (sluice.hpp) and the C API's SLUICE_PUSH_*
// constants (checked against it at compile time). Values are part of the C ABI: new
// outcomes are added at the end. See docs/embedding.md, "When a point is evaluated".
#pragma once
#include <cstdint>

namespace sluice::api {

enum class push_status : std::uint8_t {
  accepted,
  unknown_series,  // the program reads no such series: ignored
  missing_value,   // NaN: not an observation (like an empty CSV cell): ignored
  duplicate,       // same time as the series' previous push: the first value is kept
  out_of_order,    // earlier than the series' previous push: rejected
  late,            // dated at or before the clock: its point was promised complete; rejected
  invalid_number,  // push_decimal: the text is not a decimal number: rejected
  invalid_value,   // infinite (or a decimal out of range): not a market value; rejected
  no_session,      // the session was moved from (C: a NULL session): nothing was pushed
  pending_full,    // stream_options::max_pending observations wait for the clock: rejected
};

// The last outcome: the C API's range check of a status number uses it.
inline constexpr push_status last_push_status = push_status::pending_full;

}  // namespace sluice::api
