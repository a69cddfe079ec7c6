// What the public handles of include/sluice/sluice.hpp point at. Only the library's api/
// sources include this; they define SLUICE_BUILDING_LIBRARY first, because the public names
// (sluice::api::program, ...) and the internal ones (sluice::program, ...) meet here.
#pragma once
#ifndef SLUICE_BUILDING_LIBRARY
#error "api_internal.hpp is for the library's own sources"
#endif
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/compile/compiler.hpp"
#include "interpreter/data/memory_provider.hpp"
#include "interpreter/program.hpp"
#include "interpreter/run/batch.hpp"
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
  std::uint64_t text_hash = 0;                 // event ids: FNV-1a of the rule text
  std::string file_root;  // files allowed: `load` reads only under it (empty: files off)
};

struct session_impl {
  std::unique_ptr<stream_session> stream;
  std::size_t max_pending = 0;  // stream_options::max_pending
  // Times (ms) of accepted observations ahead of the clock (a min-heap): the pending bound.
  std::priority_queue<time_point, std::vector<time_point>, std::greater<>> pending;
  session_counters counters;  // firings: indexed by the internal event's rule number
  // The program's host functions by index (host_function_failures' names).
  std::vector<std::string> host_function_names;
  bool warming = false;  // evaluating a warm start's history: events are not delivered

  // Counts a push's outcome; refuses it first when the pending bound is reached.
  template <class Push>
  push_status counted_push(time_point t, Push&& push);
  // Times advance_to / finish and drops the pending times the clock has covered.
  template <class Call>
  std::size_t timed(Call&& call);
};

template <class Push>
push_status session_impl::counted_push(time_point t, Push&& push) {
  const std::optional<time_point> clock = stream->clock();
  const bool ahead = !clock || t > *clock;
  push_status s = push_status::pending_full;
  if (!(ahead && max_pending > 0 && pending.size() >= max_pending)) s = push();
  if (s == push_status::accepted && ahead) pending.push(t);
  ++counters.pushes[static_cast<std::size_t>(s)];
  return s;
}

template <class Call>
std::size_t session_impl::timed(Call&& call) {
  const auto start = std::chrono::steady_clock::now();
  struct settle {  // also when the callback throws: the clock may have moved
    session_impl& s;
    std::chrono::steady_clock::time_point start;
    ~settle() {
      s.counters.evaluation_time += std::chrono::steady_clock::now() - start;
      const std::optional<time_point> clock = s.stream->clock();
      while (clock && !s.pending.empty() && s.pending.top() <= *clock) s.pending.pop();
    }
  } after{*this, start};
  return call();
}

// ---- warm sessions and host-function failures (api/warm_start.cpp) ----
// Feeds the history the program's snapshot holds for its series (registered series and
// `load`ed files, read as a batch run reads them) into the session and evaluates it with
// events suppressed; the clock ends at the last observation.
void warm_from_history(const program_impl& p, session_impl& s, bool exact);
// The program's host functions by index, and each one's failures as the VM counted them.
std::vector<std::string> host_function_names(const sluice::program& p);
std::vector<std::pair<std::string, std::size_t>> name_host_failures(
    const std::vector<std::string>& names, const std::vector<std::uint64_t>& failures);
// ---- end of warm sessions and host-function failures ----

// ---- per-rule counters (api/rule_counters.cpp) ----
// A batch run's firings per rule (its events counted) and per-rule times, named.
void count_rules(const sluice::program& p, const sluice::run_result& r, api::run_result& out);
// Per-rule times (vm::rule_nanoseconds) named as `rules` (firings, in rule order); empty
// when the run or session did not time rules.
std::vector<std::pair<std::string, std::chrono::nanoseconds>> name_rule_times(
    const std::vector<std::pair<std::string, std::size_t>>& rules,
    const std::vector<std::int64_t>& nanoseconds);
// ---- end of per-rule counters ----

// Conversions between the public and the internal vocabulary.
// Seconds (timestamp) -> Sluice's milliseconds, saturating beyond +-292 million years (a time
// there is before or after every other); milliseconds -> seconds rounded down.
constexpr time_point from_seconds(timestamp t) {
  constexpr timestamp limit = std::numeric_limits<time_point>::max() / ms_per_second;
  if (t > limit) return std::numeric_limits<time_point>::max();
  if (t < -limit) return std::numeric_limits<time_point>::min();
  return t * ms_per_second;
}
constexpr timestamp to_seconds(time_point t) { return floor_div(t, ms_per_second); }
inline std::optional<time_point> from_ms_or_seconds(std::optional<timestamp_ms> ms,
                                                    std::optional<timestamp> seconds) {
  if (ms) return ms;
  if (seconds) return from_seconds(*seconds);
  return std::nullopt;
}
sluice::duration to_duration(period p);
api::event to_public(const sluice::event& e);
api::diagnostic to_public(const sluice::diagnostic& d, std::string_view source);

// 64-bit FNV-1a: a hash fixed by its definition (not std::hash), so event ids are stable
// across builds and platforms.
constexpr std::uint64_t fnv1a(std::string_view bytes, std::uint64_t h = 14695981039346656037ull) {
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace sluice::api::detail
