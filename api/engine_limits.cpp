// The one mapping between engine_options' bounds and the internal limits struct.
#define SLUICE_BUILDING_LIBRARY
#include "api/engine_limits.hpp"

#include "sluice/sluice.hpp"

namespace sluice::api::detail {

// engine_options and limits name their bounds alike: one list serves both directions.
template <class From, class To>
void copy_bounds(const From& from, To& to) {
  to.max_source_bytes = from.max_source_bytes;
  to.max_rules = from.max_rules;
  to.max_expansion_depth = from.max_expansion_depth;
  to.max_window_bars = from.max_window_bars;
  to.max_window_days = from.max_window_days;
  to.max_def_expansions = from.max_def_expansions;
  to.max_state_bytes = from.max_state_bytes;
}

sluice::limits limits_of(const engine_options& options) {
  sluice::limits l = own_files_limits;
  copy_bounds(options, l);
  return l;
}

engine_options engine_options_of(const sluice::limits& l) {
  engine_options o;
  copy_bounds(l, o);
  return o;
}

sluice::limits embedding_limits() { return limits_of(engine_options{}); }

}  // namespace sluice::api::detail
