// The one limits struct (interpreter/limits.hpp), its two presets and the one mapping from
// the public engine_options (api/engine_limits.cpp). The expected numbers are the documented
// ones, written here by hand: docs/embedding.md's table for an embedding host,
// docs/robustness.md's for the command line.
#define SLUICE_BUILDING_LIBRARY
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>

#include "api/engine_limits.hpp"
#include "interpreter/compile/compiler.hpp"
#include "sluice/sluice.hpp"

using sluice::own_files_limits;
using sluice::api::engine_options;
using sluice::api::detail::embedding_limits;
using sluice::api::detail::limits_of;

TEST_CASE("limits: each engine_options bound reaches its own field", "[unit][limits]") {
  engine_options o;
  o.max_source_bytes = 101;
  o.max_rules = 102;
  o.max_expansion_depth = 103;
  o.max_window_bars = 104;
  o.max_window_days = 105;
  o.max_def_expansions = 106;
  o.max_state_bytes = 107;
  // Every field by name: a bound added to sluice::limits stops this from compiling until
  // the test says where that bound's value comes from.
  const auto [source, nesting, identifier, rules, expansion_depth, use_depth, bars, days,
              instructions, def_expansions, state] = limits_of(o);
  CHECK(source == 101);
  CHECK(rules == 102);
  CHECK(expansion_depth == 103);
  CHECK(bars == 104);
  CHECK(days == 105);
  CHECK(def_expansions == 106);
  CHECK(state == 107);
  // Not named by engine_options: the own-files values.
  CHECK(nesting == own_files_limits.max_nesting);
  CHECK(identifier == own_files_limits.max_identifier);
  CHECK(use_depth == own_files_limits.max_use_depth);
  CHECK(instructions == own_files_limits.max_instructions);
}

TEST_CASE("limits: the embedding preset is engine_options' documented defaults", "[unit][limits]") {
  const sluice::limits l = embedding_limits();
  CHECK(l.max_source_bytes == 1024 * 1024);
  CHECK(l.max_rules == 1000);
  CHECK(l.max_expansion_depth == 32);
  CHECK(l.max_window_bars == 100'000);
  CHECK(l.max_window_days == 50 * 366);
  CHECK(l.max_state_bytes == 64u * 1024 * 1024);
  CHECK(l.max_def_expansions == 20'000);
  CHECK(l.max_nesting == 256);
  CHECK(l.max_identifier == 256);
  CHECK(l.max_use_depth == 16);
  CHECK(l.max_instructions == 2'000'000);
}

TEST_CASE("limits: the command line's preset, and compiles default to it", "[unit][limits]") {
  const sluice::limits& l = own_files_limits;
  CHECK(l.max_source_bytes == 64u * 1024 * 1024);
  CHECK(l.max_rules == 100'000);
  CHECK(l.max_expansion_depth == 64);
  CHECK(l.max_window_bars == 10'000'000);
  CHECK(l.max_window_days == 200 * 366);
  CHECK(l.max_def_expansions == 100'000);
  CHECK(l.max_state_bytes == SIZE_MAX);  // the run-state estimate bounds embedding hosts only
  const sluice::compile_options co;
  CHECK(co.limits.max_source_bytes == l.max_source_bytes);
  CHECK(co.limits.max_rules == l.max_rules);
  CHECK(co.limits.max_def_expansions == l.max_def_expansions);
}

TEST_CASE("limits: untrusted text is bounded at least as tightly as the user's own files",
          "[unit][limits]") {
  const sluice::limits e = embedding_limits();
  const sluice::limits& f = own_files_limits;
  CHECK(e.max_source_bytes <= f.max_source_bytes);
  CHECK(e.max_nesting <= f.max_nesting);
  CHECK(e.max_identifier <= f.max_identifier);
  CHECK(e.max_rules <= f.max_rules);
  CHECK(e.max_expansion_depth <= f.max_expansion_depth);
  CHECK(e.max_use_depth <= f.max_use_depth);
  CHECK(e.max_window_bars <= f.max_window_bars);
  CHECK(e.max_window_days <= f.max_window_days);
  CHECK(e.max_instructions <= f.max_instructions);
  CHECK(e.max_def_expansions <= f.max_def_expansions);
  CHECK(e.max_state_bytes <= f.max_state_bytes);
}

TEST_CASE("limits: engine_options_of is limits_of's inverse", "[unit][limits]") {
  using sluice::api::detail::engine_options_of;
  // Distinct values in every bound engine_options names, the others at the own-files preset
  // (the only values limits_of can give them back with).
  sluice::limits l = own_files_limits;
  l.max_source_bytes = 201;
  l.max_rules = 202;
  l.max_expansion_depth = 203;
  l.max_window_bars = 204;
  l.max_window_days = 205;
  l.max_def_expansions = 206;
  l.max_state_bytes = 207;
  const engine_options o = engine_options_of(l);
  CHECK(o.max_source_bytes == 201);
  CHECK(o.max_rules == 202);
  CHECK(o.max_expansion_depth == 203);
  CHECK(o.max_window_bars == 204);
  CHECK(o.max_window_days == 205);
  CHECK(o.max_def_expansions == 206);
  CHECK(o.max_state_bytes == 207);
  // What limits do not hold keeps engine_options' defaults.
  const engine_options d;
  CHECK(o.allow_files == d.allow_files);
  CHECK(o.root_dir == d.root_dir);
  CHECK(o.max_compile_time == d.max_compile_time);
  CHECK(o.cancel == d.cancel);
  CHECK(o.quote_file_errors == d.quote_file_errors);

  // Both ways round, every field by name (a new bound stops this from compiling).
  const auto [source, nesting, identifier, rules, expansion_depth, use_depth, bars, days,
              instructions, def_expansions, state] = limits_of(o);
  CHECK(source == l.max_source_bytes);
  CHECK(nesting == l.max_nesting);
  CHECK(identifier == l.max_identifier);
  CHECK(rules == l.max_rules);
  CHECK(expansion_depth == l.max_expansion_depth);
  CHECK(use_depth == l.max_use_depth);
  CHECK(bars == l.max_window_bars);
  CHECK(days == l.max_window_days);
  CHECK(instructions == l.max_instructions);
  CHECK(def_expansions == l.max_def_expansions);
  CHECK(state == l.max_state_bytes);

  // The presets: the command line's survives the trip (what `sluice watch` compiles with),
  // and the embedding defaults are engine_options{} again.
  const sluice::limits own = limits_of(engine_options_of(own_files_limits));
  CHECK(own.max_source_bytes == own_files_limits.max_source_bytes);
  CHECK(own.max_rules == own_files_limits.max_rules);
  CHECK(own.max_state_bytes == own_files_limits.max_state_bytes);
  CHECK(own.max_def_expansions == own_files_limits.max_def_expansions);
  const engine_options back = engine_options_of(embedding_limits());
  CHECK(back.max_source_bytes == d.max_source_bytes);
  CHECK(back.max_rules == d.max_rules);
  CHECK(back.max_expansion_depth == d.max_expansion_depth);
  CHECK(back.max_window_bars == d.max_window_bars);
  CHECK(back.max_window_days == d.max_window_days);
  CHECK(back.max_def_expansions == d.max_def_expansions);
  CHECK(back.max_state_bytes == d.max_state_bytes);
}
