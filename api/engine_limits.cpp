// The one mapping between engine_options' bounds and the internal limits struct.
#define SLUICE_BUILDING_LIBRARY
#include "api/engine_limits.hpp"

#include "sluice/sluice.hpp"

namespace sluice::api::detail {

sluice::limits limits_of(const engine_options& options) {
  sluice::limits l = own_files_limits;
  l.max_source_bytes = options.max_source_bytes;
  l.max_rules = options.max_rules;
  l.max_expansion_depth = options.max_expansion_depth;
  l.max_window_bars = options.max_window_bars;
  l.max_window_days = options.max_window_days;
  l.max_def_expansions = options.max_def_expansions;
  l.max_state_bytes = options.max_state_bytes;
  return l;
}

engine_options engine_options_of(const sluice::limits& l) {
  engine_options o;
  o.max_source_bytes = l.max_source_bytes;
  o.max_rules = l.max_rules;
  o.max_expansion_depth = l.max_expansion_depth;
  o.max_window_bars = l.max_window_bars;
  o.max_window_days = l.max_window_days;
  o.max_def_expansions = l.max_def_expansions;
  o.max_state_bytes = l.max_state_bytes;
  return o;
}

sluice::limits embedding_limits() { return limits_of(engine_options{}); }

}  // namespace sluice::api::detail
