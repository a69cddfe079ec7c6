// What the public handles of include/sluice/sluice.hpp point at. Only the library's api/
// sources include this; they define SLUICE_BUILDING_LIBRARY first, because the public names
// (sluice::api::program, ...) and the internal ones (sluice::program, ...) meet here.
#pragma once
#ifndef SLUICE_BUILDING_LIBRARY
#error "api_internal.hpp is for the library's own sources"
#endif
#include <memory>
#include <string>
#include <vector>

#include "interpreter/compile/compiler.hpp"
#include "interpreter/data/memory_provider.hpp"
#include "interpreter/program.hpp"
#include "interpreter/run/stream.hpp"
#include "sluice/sluice.hpp"

namespace sluice::api::detail {

struct engine_impl {
  engine_options options;
  series_table series;                         // registered from memory or by the host's CSV
  std::vector<host_series> registrations;      // one per series name, with lag / stale
  std::vector<sluice::host_function> functions;
};

struct program_impl {
  std::shared_ptr<const sluice::program> code;
  std::shared_ptr<const series_table> series;  // the engine's series at compile time
};

struct session_impl {
  std::unique_ptr<stream_session> stream;
};

// Conversions between the public and the internal vocabulary.
sluice::duration to_duration(period p);
api::event to_public(const sluice::event& e);
api::diagnostic to_public(const sluice::diagnostic& d, std::string_view source);

}  // namespace sluice::api::detail
