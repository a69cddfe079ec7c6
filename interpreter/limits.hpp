// Every bound Sluice puts on untrusted rule text, in one struct read by the parser and the
// compiler (and by the embedding API, which checks the run-state estimate against it).
// Calendar bounds count a month as max_days_per_month (time.hpp), the one month length.
//
// Two presets, each number written once:
// - own_files_limits (these defaults): the command line's, where the rules are the user's
//   own files.
// - the embedding preset, api::detail::embedding_limits() (api/engine_limits.hpp): what a
//   host gets for untrusted text. Its numbers are the public engine_options' defaults
//   (include/sluice/sluice.hpp, the installed header, which cannot include this one),
//   read through the one mapping limits_of; the bounds engine_options does not name keep
//   the values below. tests/unit/test_limits.cpp pins the mapping.
#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>

namespace sluice {

struct limits {
  // Rule text (grammar/parser): each is reported as an ordinary parse error.
  std::size_t max_source_bytes = 64u << 20;  // larger sources are rejected with one diagnostic
  unsigned max_nesting = 256;                // parentheses / not / unary minus / call nesting
  std::size_t max_identifier = 256;          // longer names are an error, not a crash
  // The compiler (interpreter/compile).
  std::size_t max_rules = 100'000;
  unsigned max_expansion_depth = 64;  // nested def expansions
  unsigned max_use_depth = 16;        // nested `use` files
  std::int64_t max_window_bars = 10'000'000;
  std::int64_t max_window_days = 200 * 366;  // 200 years
  std::size_t max_instructions = 2'000'000;
  // Def expansions compiled (each distinct call once: repeated calls with the same arguments
  // are shared); past this the text is refused, so no definition chain can stall a compile.
  std::size_t max_def_expansions = 100'000;
  // A run's estimated state (compile/state_estimate.hpp). Only the embedding API checks it
  // (against engine_options::max_state_bytes); the user's own files have no such bound.
  std::size_t max_state_bytes = std::numeric_limits<std::size_t>::max();
};

// The command line's preset: the rules are the user's own files.
inline constexpr limits own_files_limits{};

// The parser's and the compiler's views are the same struct.
using parse_limits = limits;
using compile_limits = limits;

}  // namespace sluice
