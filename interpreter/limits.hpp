// Every bound Sluice puts on untrusted rule text, in one struct read by the parser and the
// compiler (and checked against the run-state estimate by the embedding API). These
// defaults are the command line's, where the rules are the user's own files; the embedding
// API's stricter defaults are its public engine_options (include/sluice/sluice.hpp), turned
// into this struct in one place (api/engine.cpp, limits_of). Calendar bounds count a month
// as max_days_per_month (time.hpp), the one month length.
#pragma once
#include <cstddef>
#include <cstdint>

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
  // A run's estimated state (compile/state_estimate.hpp); checked by the embedding API.
  std::size_t max_state_bytes = 64u << 20;
};

// The parser's and the compiler's views are the same struct.
using parse_limits = limits;
using compile_limits = limits;

}  // namespace sluice
