// How events are built from firings, for either number type; shared by events.cpp (one
// event per streaming firing) and batch.cpp (every firing of a run into one store).
// Internal to interpreter/run/.
#pragma once
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "interpreter/number.hpp"
#include "interpreter/program.hpp"
#include "interpreter/run/events.hpp"

namespace sluice {

// The driver and the events for either number type (double, or exact mode's decimal).
// `value_of(reg)` is the register's value at the firing point; `values` are the event's
// values, already in their store. The event is built whole, not default-constructed and
// then assigned: an empty action list is itself a shared pointer, and replacing it cost
// two atomic reference counts per event.
template <class Num, class ValueOf>
event build_event(const program& p, std::uint32_t rule_index, time_point t, std::size_t index,
                  event_values values, ValueOf value_of) {
  const compiled_rule& rule = p.rules[rule_index];
  std::vector<std::string> messages;
  for (const compiled_action& a : rule.actions) {
    if (a.what != action::kind::alert) continue;
    std::string message;
    for (const alert_piece& piece : a.alert) {
      switch (piece.what) {
        case alert_piece::kind::text: message += piece.text; break;
        case alert_piece::kind::value:
          message += piece.format ? format_with(number_traits<Num>::to_double(value_of(piece.reg)),
                                                *piece.format)
                                  : format_number(value_of(piece.reg));
          break;
        case alert_piece::kind::date: message += format_time(t); break;
        case alert_piece::kind::rule: message += rule.name; break;
      }
    }
    messages.push_back(std::move(message));
  }
  return event{t, index, rule_index, rule.name, std::move(values), rule.action_texts, std::move(messages)};
}

// Appends values to an event value store: as doubles, and in exact mode as exact text too.
template <class Num>
void store_numbers(event_value_store& store, const Num* values, std::size_t count) {
  using T = number_traits<Num>;
  if constexpr (std::is_same_v<Num, double>) {
    store.numbers.insert(store.numbers.end(), values, values + count);
  } else {
    for (std::size_t k = 0; k < count; ++k) {
      store.numbers.push_back(T::to_double(values[k]));
      store.texts.push_back(format_number(values[k]));
    }
  }
}

}  // namespace sluice
