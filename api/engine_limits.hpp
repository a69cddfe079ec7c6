// The embedding API's bounds as the one internal limits struct (interpreter/limits.hpp).
// The public engine_options (include/sluice/sluice.hpp) writes the embedding defaults once;
// limits_of is the one mapping from it, and embedding_limits() is the preset it gives.
// engine_options_of is the inverse, for the command line's own hosts of the API (`sluice
// watch` gives its engine the command line's preset). Not installed: the library's sources
// and the programs linked with sluice_core include it. It declares engine_options instead
// of including sluice/sluice.hpp, so that a program without SLUICE_BUILDING_LIBRARY (whose
// sluice.hpp brings the public names into namespace sluice) can include it ahead of the
// internal headers.
#pragma once
#include "interpreter/limits.hpp"

namespace sluice::api {
struct engine_options;  // include/sluice/sluice.hpp
}  // namespace sluice::api

namespace sluice::api::detail {

// Every bound engine_options names, onto its field of sluice::limits; the bounds it does
// not name (nesting, identifier length, `use` depth, instruction count) keep the
// own-files preset's values.
sluice::limits limits_of(const engine_options& options);

// engine_options with every bound it names taken from l; the rest (files, compile time,
// cancel, quoting) keep their defaults. limits_of(engine_options_of(l)) == l for any l whose
// unnamed bounds are the own-files preset's (tests/unit/test_limits.cpp).
engine_options engine_options_of(const sluice::limits& l);

// The preset for untrusted text in an embedding host: limits_of(engine_options{}).
sluice::limits embedding_limits();

}  // namespace sluice::api::detail
