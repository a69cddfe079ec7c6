// Random Sluice programs and data for the differential tests (test_differential.cpp): a
// small tree of text pieces per expression, so that a failing case can be shrunk by
// swapping subtrees, and data series kept as rows so that they can be cut and printed.
#pragma once
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "interpreter/time.hpp"

namespace sluice::testing {

// An expression: parts[0] kids[0] parts[1] kids[1] ... parts[n]; compound kids are
// parenthesised when rendered, so precedence never changes what a tree means.
struct gexpr {
  bool cond = false;
  std::vector<std::string> parts;
  std::vector<gexpr> kids;
};

std::string render(const gexpr& e);

struct gen_series {
  std::string name;
  bool loaded = false;  // `load NAME from "NAME.csv"`; else a host series
  std::string lag, stale;  // load options ("" = none)
  std::vector<time_point> times;
  std::vector<std::optional<double>> values;  // nullopt: an empty cell
};

struct gen_let {
  std::string name;
  gexpr value;
};

struct gen_def {
  std::string name;
  std::vector<std::string> params;
  gexpr body;
};

struct gen_rule {
  gexpr condition;
  std::string actions;  // "watch a and signal sig1"
  std::string options;  // " cooldown 5d once"
  bool short_form = false;
};

struct gen_program {
  std::string settings;  // "set window 3w" or ""
  std::vector<gen_series> series;
  std::vector<gen_let> lets;
  std::vector<gen_def> defs;
  std::vector<gen_rule> rules;
  std::optional<time_point> from, to;
};

std::string rule_file(const gen_program& g);
std::string csv_text(const gen_series& s);

// Builds a random program with its data; deterministic for a given engine state.
gen_program generate(std::mt19937_64& rng);

}  // namespace sluice::testing
