// Events of single firings (see events.hpp): streaming sessions build them one by one.
#include "interpreter/run/events.hpp"

#include <memory>

#include "interpreter/numeric/decimal.hpp"
#include "interpreter/run/event_build.hpp"
#include "interpreter/vm/vm.hpp"

namespace sluice {

// A single event (streaming sessions) has a store of its own.
template <class Num>
event make_event_of(const program& p, const vm<Num>& machine, const firing& f, time_point t,
                    std::size_t index) {
  const compiled_rule& rule = p.rules[f.rule];
  auto value_of = [&](reg_index r) { return machine.number(r)[f.index]; };
  auto store = std::make_shared<event_value_store>();
  store->names.push_back(rule.value_names);
  std::vector<Num> values;
  for (const auto& [name, reg] : rule.values) values.push_back(value_of(reg));
  store_numbers(*store, values.data(), values.size());
  return build_event<Num>(p, f.rule, t, index, event_values(std::move(store), 0, 0), value_of);
}

event make_event(const program& p, const vm<double>& machine, const firing& f, time_point t,
                 std::size_t index) {
  return make_event_of(p, machine, f, t, index);
}

event make_event(const program& p, const vm<decimal>& machine, const firing& f, time_point t,
                 std::size_t index) {
  return make_event_of(p, machine, f, t, index);
}

}  // namespace sluice
