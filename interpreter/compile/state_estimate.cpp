// estimate_state_bytes (see state_estimate.hpp).
#include "interpreter/compile/state_estimate.hpp"

#include "interpreter/vm/vm.hpp"

namespace sluice {

namespace {

// Points a window of w can hold: bars exactly, calendar spans at one point per day.
std::size_t points_in(const duration& w) {
  const auto count = static_cast<std::size_t>(w.count < 0 ? 0 : w.count);
  switch (w.kind) {
    case duration::unit::bars: return count;
    case duration::unit::days: return count + 1;
    case duration::unit::months: return count * static_cast<std::size_t>(max_days_per_month) + 1;
  }
  return count;
}

}  // namespace

std::size_t estimate_state_bytes(const program& p, std::size_t block) {
  std::size_t bytes = (static_cast<std::size_t>(p.num_registers) * sizeof(double) +
                       static_cast<std::size_t>(p.cond_registers)) *
                      block;
  for (const instruction& in : p.code) {
    bytes += state_struct_bytes<double>[static_cast<std::size_t>(in.op)];
    switch (info(in.op).state) {
      case state_kind::ring: bytes += points_in(in.w) * sizeof(double); break;
      case state_kind::host:
        bytes += points_in(in.w) * (p.aux[in.k].size() - 1) * 2 * sizeof(double);
        break;
      case state_kind::entries: bytes += points_in(in.w) * sizeof(window_entry<double>); break;
      case state_kind::none:
      case state_kind::scalar:
        break;  // the state struct, counted above
    }
  }
  // Streaming keeps each series' observations back to its longest calendar lookback.
  for (const input_spec& in : p.inputs) bytes += points_in(in.shift) * 2 * sizeof(double);
  return bytes;
}

}  // namespace sluice
