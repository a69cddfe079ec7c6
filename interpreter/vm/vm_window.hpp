// Window helpers shared by the VM's instruction files (vm_*.cpp).
#pragma once
#include "interpreter/vm/vm.hpp"

namespace sluice {

// Is a window entry still inside the window ending at (t, pos)? Bar windows hold the last
// w points; calendar windows the points u with t - w < u <= t.
template <class Num>
bool inside(const window_entry<Num>& e, const duration& w, time_point horizon, std::int64_t pos) {
  return w.is_bars() ? e.pos > pos - w.count : e.time > horizon;
}

// Warm-up: the window is covered once the operand's first defined point lies at or before
// its start (calendar: t - w; bars: the first of the last w points).
inline bool covered(const first_point& first, const duration& w, time_point horizon,
                    std::int64_t pos) {
  if (!first.seen) return false;
  return w.is_bars() ? first.pos <= pos - w.count + 1 : first.time <= horizon;
}

}  // namespace sluice
