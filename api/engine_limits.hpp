// The embedding API's bounds as the one internal limits struct (interpreter/limits.hpp).
// The public engine_options (include/sluice/sluice.hpp) writes the embedding defaults once;
// limits_of is the one mapping from it, and embedding_limits() is the preset it gives.
// Library sources only: they define SLUICE_BUILDING_LIBRARY first (see api_internal.hpp).
#pragma once
#ifndef SLUICE_BUILDING_LIBRARY
#error "engine_limits.hpp is for the library's own sources"
#endif
#include "interpreter/limits.hpp"
#include "sluice/sluice.hpp"

namespace sluice::api::detail {

// Every bound engine_options names, onto its field of sluice::limits; the bounds it does
// not name (nesting, identifier length, `use` depth, instruction count) keep the
// own-files preset's values.
sluice::limits limits_of(const engine_options& options);

// The preset for untrusted text in an embedding host: limits_of(engine_options{}).
sluice::limits embedding_limits();

}  // namespace sluice::api::detail
