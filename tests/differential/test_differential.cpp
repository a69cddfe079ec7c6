// Differential tests: random programs over random data, run by the VM (batch driver, many
// block sizes) and by the reference evaluator; firings, event values and every rule's
// condition at every point must agree. A disagreement is shrunk and printed as a rule
// file plus CSV text. SLUICE_DIFF_ITERATIONS=N and SLUICE_DIFF_SEED=S for longer runs.
// Exact mode runs the same check with both in decimal (vm<decimal>, the reference over
// decimal), where event values must agree to the last digit; SLUICE_DIFF_EXACT_ITERATIONS=N.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <tuple>
#include <type_traits>

#include "interpreter/compile/compiler.hpp"
#include "interpreter/numeric/decimal.hpp"
#include "interpreter/reference/explain.hpp"
#include "interpreter/reference/reference_eval.hpp"
#include "interpreter/run/run.hpp"
#include "interpreter/vm/vm.hpp"
#include "support/differential_gen.hpp"

namespace sluice::testing {
namespace {

// Serves generated series from memory, by series name.
class memory_provider : public series_provider {
 public:
  explicit memory_provider(const std::map<std::string, observations>& data) : data_(data) {}
  bool fetch(const series_spec& spec, const std::string& field, observations& out,
             diagnostics& diags) override {
    auto it = data_.find(spec.name);
    if (it == data_.end() || !field.empty()) {
      diags.error(spec.name, {}, "no data");
      return false;
    }
    out = it->second;
    return true;
  }

 private:
  const std::map<std::string, observations>& data_;
};

std::map<std::string, observations> observations_of(const gen_program& g) {
  std::map<std::string, observations> out;
  for (const gen_series& s : g.series) {
    observations& obs = out[s.name];
    for (std::size_t i = 0; i < s.times.size(); ++i)
      if (s.values[i]) {
        obs.times.push_back(s.times[i]);
        obs.values.push_back(*s.values[i]);
      }
  }
  return out;
}

// The data in the run's number type, read through the provider as run_batch reads it
// (exact mode: each double's shortest text, parsed as a decimal).
template <class Num>
std::map<std::string, series_values<Num>> values_of(const std::map<std::string, observations>& data) {
  std::map<std::string, series_values<Num>> out;
  memory_provider provider(data);
  for (const auto& [name, obs] : data) {
    series_spec spec;
    spec.name = name;
    diagnostics diags;
    REQUIRE(fetch_series(provider, spec, "", out[name], diags));
  }
  return out;
}

bool same_number(const event_value& got, double want) {
  const double a = got.value;
  if (std::isnan(a) || std::isnan(want)) return std::isnan(a) && std::isnan(want);
  return a == want || std::fabs(a - want) <= 1e-9 * std::max(std::fabs(a), std::fabs(want));
}
// Exact mode: the same decimal digits (both evaluate each operation correctly rounded).
bool same_number(const event_value& got, const decimal& want) { return got.text == format_number(want); }

const char* truth_name(std::uint8_t v) { return v == 1 ? "true" : v == 0 ? "false" : "na"; }

struct outcome {
  bool compiled = false;
  std::string problem;       // empty: the VM and the reference agree
  std::size_t firings = 0;   // how many the reference found
};

// The VM's condition register of every rule at every point, from one block holding the
// whole timeline (inputs aligned by the driver's own align_values()).
template <class Num>
std::vector<std::vector<std::uint8_t>> vm_conditions(const program& p,
                                                     const std::map<std::string, series_values<Num>>& data,
                                                     const std::vector<time_point>& timeline,
                                                     std::optional<time_point> from) {
  std::vector<std::vector<Num>> columns;
  for (const input_spec& in : p.inputs) {
    const series_values<Num>& obs = data.at(p.series[in.series].name);
    const series_spec& spec = p.series[in.series];
    columns.push_back(align_values(obs.times, obs.values, timeline, in.shift, spec.lag,
                                   spec.stale ? *spec.stale : default_staleness(obs.times)));
  }
  std::vector<const Num*> inputs;
  for (const auto& c : columns) inputs.push_back(c.data());
  vm<Num> machine(p, std::max<std::size_t>(1, timeline.size()));
  if (from) machine.set_report_from(*from);  // signals are firings, which --from decides
  std::vector<firing> fired;
  machine.execute({timeline.size(), timeline.data(), 0}, inputs.data(), fired);
  std::vector<std::vector<std::uint8_t>> out;
  for (const compiled_rule& r : p.rules) {
    const std::uint8_t* c = machine.condition(r.condition);
    out.emplace_back(c, c + timeline.size());
  }
  return out;
}

// Num = double: the double VM against the double reference; Num = decimal: exact mode.
template <class Num>
outcome check(const gen_program& g, std::size_t block) {
  outcome result;
  compile_options options;
  for (const gen_series& s : g.series)
    if (!s.loaded) {
      host_series h;
      h.name = s.name;
      options.host.push_back(h);
    }
  diagnostics diags;
  auto p = compile_source("diff.sluice", rule_file(g), options, diags);
  if (!p) {
    for (const diagnostic& d : diags.items())
      result.problem += fmt::format("{}:{}: {}\n", d.pos.line, d.pos.column, d.message);
    return result;
  }
  result.compiled = true;
  const auto data = observations_of(g);
  const auto values = values_of<Num>(data);

  basic_reference_evaluator<Num> ref(
      *p,
      [&](std::uint32_t series, const std::string& field) -> const series_values<Num>* {
        auto it = values.find(p->series[series].name);
        return it == values.end() || !field.empty() ? nullptr : &it->second;
      },
      g.from, g.to);
  const std::vector<time_point>& timeline = ref.timeline();
  const auto firings = ref.firings();
  result.firings = firings.size();

  // 1. Every rule's condition at every point.
  const auto conds = vm_conditions(*p, values, timeline, g.from);
  for (std::uint32_t r = 0; r < p->rules.size(); ++r)
    for (std::size_t t = 0; t < timeline.size(); ++t) {
      const auto v = ref.eval(p->rules[r].module, p->rules[r].condition_node, t);
      if (v.truth != conds[r][t]) {
        result.problem = fmt::format("rule {} condition at {}: vm {}, reference {}", p->rules[r].name,
                                     format_time(timeline[t]), truth_name(conds[r][t]), truth_name(v.truth));
        return result;
      }
    }

  // 2. Events through the batch driver, in blocks of `block` and of 1024.
  for (std::size_t size : {block, std::size_t{1024}}) {
    memory_provider provider(data);
    run_options run;
    run.from = g.from;
    run.to = g.to;
    run.block_size = size;
    run.exact = !std::is_same_v<Num, double>;
    diagnostics run_diags;
    const run_result r = run_batch(*p, provider, run, run_diags);
    if (!r.ok || r.timeline_points != timeline.size()) {
      result.problem = fmt::format("block {}: run failed or timeline of {} points, reference {}",
                                   size, r.timeline_points, timeline.size());
      return result;
    }
    for (std::size_t i = 0; i < std::max(r.events.size(), firings.size()); ++i) {
      if (i >= r.events.size() || i >= firings.size() || r.events[i].rule != firings[i].second ||
          r.events[i].time != timeline[firings[i].first]) {
        auto show = [&](bool vm_side) {
          if (vm_side) return i < r.events.size() ? fmt::format("{} {}", format_time(r.events[i].time), r.events[i].rule_name) : std::string("nothing");
          return i < firings.size() ? fmt::format("{} {}", format_time(timeline[firings[i].first]), p->rules[firings[i].second].name) : std::string("nothing");
        };
        result.problem = fmt::format("block {}: firing #{}: vm {}, reference {}", size, i + 1, show(true), show(false));
        return result;
      }
      const auto expected = ref.event_values(firings[i].second, firings[i].first);
      const auto& got = r.events[i].values;
      bool same = expected.size() == got.size();
      for (std::size_t k = 0; same && k < got.size(); ++k)
        same = got[k].name == expected[k].first && same_number(got[k], expected[k].second);
      if (!same) {
        std::string vm_text, ref_text;
        for (const auto& v : got)
          vm_text += fmt::format(" {}={}", v.name, v.text.empty() ? format_number(v.value) : v.text);
        for (const auto& [name, value] : expected) ref_text += fmt::format(" {}={}", name, format_number(value));
        result.problem = fmt::format("block {}: event {} {} values: vm{}, reference{}", size,
                                     format_time(r.events[i].time), r.events[i].rule_name, vm_text, ref_text);
        return result;
      }
    }
  }
  return result;
}

// --- shrinking -----------------------------------------------------------------------

using path = std::vector<std::size_t>;

void paths_of(const gexpr& e, path& here, std::vector<path>& out) {
  out.push_back(here);
  for (std::size_t i = 0; i < e.kids.size(); ++i) {
    here.push_back(i);
    paths_of(e.kids[i], here, out);
    here.pop_back();
  }
}

gexpr& at_path(gexpr& e, const path& p) {
  gexpr* cur = &e;
  for (std::size_t i : p) cur = &cur->kids[i];
  return *cur;
}

// Smaller variants of an expression: each subtree replaced by a kid of its type or by a
// plain leaf.
std::vector<gexpr> simpler(const gexpr& e, const std::string& series) {
  std::vector<gexpr> out;
  std::vector<path> paths;
  path here;
  paths_of(e, here, paths);
  for (const path& p : paths) {
    const gexpr& sub = at_path(const_cast<gexpr&>(e), p);
    if (sub.kids.empty()) continue;
    for (const gexpr& k : sub.kids)
      if (k.cond == sub.cond) {
        gexpr copy = e;
        at_path(copy, p) = k;
        out.push_back(std::move(copy));
      }
    gexpr copy = e;
    at_path(copy, p) = sub.cond ? gexpr{true, {series + " > 1"}, {}} : gexpr{false, {series}, {}};
    out.push_back(std::move(copy));
  }
  return out;
}

std::vector<gen_program> candidates(const gen_program& g) {
  std::vector<gen_program> out;
  auto variant = [&](auto change) {
    gen_program c = g;
    change(c);
    out.push_back(std::move(c));
  };
  for (std::size_t i = 0; i < g.rules.size(); ++i) variant([&](gen_program& c) { c.rules.erase(c.rules.begin() + static_cast<std::ptrdiff_t>(i)); });
  for (std::size_t i = 0; i < g.lets.size(); ++i) variant([&](gen_program& c) { c.lets.erase(c.lets.begin() + static_cast<std::ptrdiff_t>(i)); });
  for (std::size_t i = 0; i < g.defs.size(); ++i) variant([&](gen_program& c) { c.defs.erase(c.defs.begin() + static_cast<std::ptrdiff_t>(i)); });
  for (std::size_t i = 0; i < g.series.size(); ++i) variant([&](gen_program& c) { c.series.erase(c.series.begin() + static_cast<std::ptrdiff_t>(i)); });
  if (g.from) variant([](gen_program& c) { c.from.reset(); });
  if (g.to) variant([](gen_program& c) { c.to.reset(); });
  if (!g.settings.empty()) variant([](gen_program& c) { c.settings.clear(); });
  const std::string first = g.series.front().name;
  for (std::size_t i = 0; i < g.rules.size(); ++i) {
    if (!g.rules[i].options.empty()) variant([&](gen_program& c) { c.rules[i].options.clear(); });
    if (g.rules[i].actions != "watch " + first) variant([&](gen_program& c) { c.rules[i].actions = "watch " + first; });
    for (gexpr& e : simpler(g.rules[i].condition, first)) variant([&](gen_program& c) { c.rules[i].condition = e; });
  }
  for (std::size_t i = 0; i < g.lets.size(); ++i)
    for (gexpr& e : simpler(g.lets[i].value, first)) variant([&](gen_program& c) { c.lets[i].value = e; });
  for (std::size_t i = 0; i < g.defs.size(); ++i)
    for (gexpr& e : simpler(g.defs[i].body, first)) variant([&](gen_program& c) { c.defs[i].body = e; });
  for (std::size_t i = 0; i < g.series.size(); ++i) {
    const std::size_t rows = g.series[i].times.size();
    for (std::size_t parts = 2; parts <= 16 && parts <= rows; parts *= 2)
      for (std::size_t k = 0; k < parts; ++k)
        variant([&](gen_program& c) {
          auto& s = c.series[i];
          const auto lo = static_cast<std::ptrdiff_t>(rows * k / parts), hi = static_cast<std::ptrdiff_t>(rows * (k + 1) / parts);
          s.times.erase(s.times.begin() + lo, s.times.begin() + hi);
          s.values.erase(s.values.begin() + lo, s.values.begin() + hi);
        });
    if (!g.series[i].lag.empty()) variant([&](gen_program& c) { c.series[i].lag.clear(); });
    if (!g.series[i].stale.empty()) variant([&](gen_program& c) { c.series[i].stale.clear(); });
  }
  return out;
}

template <class Num>
gen_program shrink(gen_program g, std::size_t block) {
  int budget = 3000;
  for (bool changed = true; changed && budget > 0;) {
    changed = false;
    for (gen_program& c : candidates(g)) {
      if (--budget <= 0 || c.series.empty() || c.rules.empty()) continue;
      const outcome o = check<Num>(c, block);
      if (o.compiled && !o.problem.empty()) {
        g = std::move(c);
        changed = true;
        break;
      }
    }
  }
  return g;
}

std::string report(const gen_program& g, std::size_t block, const std::string& problem) {
  std::string out = fmt::format("{}\n--- diff.sluice (block {}{}{}) ---\n{}", problem, block,
                                g.from ? ", --from " + format_time(*g.from) : "",
                                g.to ? ", --to " + format_time(*g.to) : "", rule_file(g));
  for (const gen_series& s : g.series)
    out += fmt::format("--- {}{}.csv ---\n{}", s.name, s.loaded ? "" : " (host)", csv_text(s));
  return out;
}

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  return text ? std::strtoull(text, nullptr, 10) : fallback;
}

// A counterexample found by the random tests, kept as a fixed case: rules (one per line)
// over series given as (name, loaded?, "YYYY-MM-DD value" rows; no value = empty cell).
gen_program fixed_case(std::vector<std::string> lines,
                       std::vector<std::tuple<std::string, bool, std::vector<std::string>>> series,
                       std::string header = {}) {
  gen_program g;
  g.settings = std::move(header);  // printed first: definitions the rules use
  for (const std::string& line : lines) {
    const std::size_t then = line.find(" then ");
    g.rules.push_back({{true, {line.substr(0, then)}, {}}, line.substr(then + 6), "", true});
  }
  for (auto& [name, loaded, rows] : series) {
    gen_series s;
    s.name = name;
    s.loaded = loaded;
    for (const std::string& row : rows) {
      s.times.push_back(*parse_iso_date(row.substr(0, 10)));
      s.values.push_back(row.size() > 11 ? std::optional<double>(std::stod(row.substr(11))) : std::nullopt);
    }
    g.series.push_back(std::move(s));
  }
  return g;
}

}  // namespace

TEST_CASE("VM and reference evaluator agree on past counterexamples", "[differential]") {
  const std::vector<gen_program> cases = {
      // A lookback of a constant was folded into the run-once init code (read before it
      // was computed): `5 rises over 22 days` held at the first point.
      fixed_case({"5 rises over 22 days then watch rut"}, {{"rut", true, {"2021-01-15 3"}}}),
      // Welford downdates left a tiny deviation in a flat window: a ratio over it was a
      // huge number instead of na.
      fixed_case({"stdev(b, 3w) narrows by 10% over 12d then watch b"},
                 {{"b", false,
                   {"2020-03-14 8.75", "2020-03-21 0", "2020-03-28 0", "2020-04-04 0",
                    "2020-05-16 0.5", "2020-05-23 1", "2020-05-30 0"}}}),
      // ... and unequal deviations for two windows with the same spread.
      fixed_case({"2.5 trails stdev(b, 8 bars) then watch d"},
                 {{"b", false, {"2020-05-04 14.25", "2020-05-11 15.25", "2020-06-01 16.25", "2020-06-08 17.25"}},
                  {"d", false,
                   {"2020-05-08 0", "2020-05-12 0", "2020-05-13 1", "2020-05-14 2", "2020-05-15 2",
                    "2020-05-18 2.5", "2020-06-02 5", "2020-06-03 5", "2020-06-04 6", "2020-06-05 5.5",
                    "2020-06-10 5", "2020-06-11 5", "2020-06-12 4.75", "2020-06-15 4.25",
                    "2020-06-16 3.25"}}}),
      // A def called in an argument of a call of the same def was taken for recursion.
      fixed_case({"double(double(a)) > 8 then watch a"},
                 {{"a", false, {"2021-01-04 1", "2021-01-05 3", "2021-01-06 2"}}},
                 "def double(x) = x * 2"),
  };
  for (const gen_program& g : cases) {
    for (std::size_t block : {std::size_t{1}, std::size_t{7}}) {
      const outcome o = check<double>(g, block);
      INFO(report(g, block, o.problem));
      REQUIRE(o.compiled);
      CHECK(o.problem.empty());
      const outcome exact = check<decimal>(g, block);
      INFO("exact mode: " << report(g, block, exact.problem));
      CHECK(exact.problem.empty());
    }
  }
}

namespace {

// `iterations` random programs from `seed` on, each checked in Num (and shrunk on failure).
template <class Num>
void agree_on_random_programs(std::uint64_t iterations, std::uint64_t seed) {
  std::size_t firing_programs = 0;
  for (std::uint64_t i = 0; i < iterations; ++i) {
    std::mt19937_64 rng(seed + i);
    const gen_program g = generate(rng);
    const std::size_t block = std::uniform_int_distribution<std::size_t>(1, 64)(rng);
    if (std::getenv("SLUICE_DIFF_VERBOSE")) fmt::print("--- seed {}\n{}", seed + i, rule_file(g));
    const outcome o = check<Num>(g, block);
    INFO("seed " << seed + i);
    if (!o.compiled) FAIL("a generated program does not compile:\n" << o.problem << rule_file(g));
    if (!o.problem.empty()) {
      const gen_program small = shrink<Num>(g, block);
      FAIL(report(small, block, check<Num>(small, block).problem));
    }
    firing_programs += o.firings > 0;
  }
  // Agreement on programs that never fire would prove little: most must fire.
  CHECK(firing_programs * 2 >= iterations);
}

}  // namespace

TEST_CASE("VM and reference evaluator agree on random programs", "[differential]") {
  agree_on_random_programs<double>(env_number("SLUICE_DIFF_ITERATIONS", 3000),
                                   env_number("SLUICE_DIFF_SEED", 20240611));
}

// Decimal arithmetic costs several times double's, so fewer programs (other seeds than
// the double test's first ones, so that together they cover more).
TEST_CASE("VM and reference evaluator agree on random programs in exact mode",
          "[differential][exact]") {
  agree_on_random_programs<decimal>(env_number("SLUICE_DIFF_EXACT_ITERATIONS", 1000),
                                    env_number("SLUICE_DIFF_SEED", 20240611) + 1000000);
}

// --- explain against the VM ----------------------------------------------------------
// `sluice explain` runs on the reference evaluator; the VM is what `run` reports. On the
// generator's programs, explain's printed verdict (fired or not), the condition's value and
// every number it prints for a part of the condition must be the VM's at that point. A
// part's number comes from the VM by compiling the program again with a probe,
// `let probe__value = PART` and a rule that watches it (as the REPL evaluates an
// expression), so the VM's own register for that expression is read. Parts inside a def's
// body name its parameters and do not compile on their own: those are skipped.

namespace {

// The program's VM over the whole timeline in one block: every rule's condition, the
// firings (no --from), and the values of `watched` registers.
struct vm_run {
  std::vector<std::vector<std::uint8_t>> conditions;
  std::vector<firing> fired;
  std::vector<std::vector<double>> watched;
};

vm_run run_vm(const program& p, const std::map<std::string, series_values<double>>& data,
              const std::vector<time_point>& timeline, const std::vector<reg_index>& watched) {
  std::vector<std::vector<double>> columns;
  for (const input_spec& in : p.inputs) {
    const series_values<double>& obs = data.at(p.series[in.series].name);
    const series_spec& spec = p.series[in.series];
    columns.push_back(align_values(obs.times, obs.values, timeline, in.shift, spec.lag,
                                   spec.stale ? *spec.stale : default_staleness(obs.times)));
  }
  std::vector<const double*> inputs;
  for (const auto& c : columns) inputs.push_back(c.data());
  vm<double> machine(p, std::max<std::size_t>(1, timeline.size()));
  vm_run out;
  machine.execute({timeline.size(), timeline.data(), 0}, inputs.data(), out.fired);
  for (const compiled_rule& r : p.rules) {
    const std::uint8_t* c = machine.condition(r.condition);
    out.conditions.emplace_back(c, c + timeline.size());
  }
  for (reg_index r : watched) {
    const double* v = machine.number(r);
    out.watched.emplace_back(v, v + timeline.size());
  }
  return out;
}

// One line of explain's tree: "  " + 2 spaces per depth + "TEXT: VALUE[ — inputs]".
struct explained_part {
  std::size_t depth = 0;
  std::string text, value;
};

std::vector<explained_part> parts_of(const std::string& explanation) {
  std::vector<explained_part> out;
  std::size_t begin = explanation.find('\n');  // after the verdict line
  while (begin != std::string::npos && begin + 1 < explanation.size()) {
    const std::size_t end = explanation.find('\n', begin + 1);
    std::string line =
        explanation.substr(begin + 1, end == std::string::npos ? end : end - begin - 1);
    begin = end;
    if (line.rfind("  failed: ", 0) == 0 || line.rfind("  ", 0) != 0) continue;
    const std::size_t dash = line.find(" \u2014 ");
    if (dash != std::string::npos) line.resize(dash);
    const std::size_t indent = line.find_first_not_of(' ');
    const std::size_t colon = line.rfind(": ");
    if (indent == std::string::npos || colon == std::string::npos || colon < indent) continue;
    out.push_back({(indent - 2) / 2, line.substr(indent, colon - indent), line.substr(colon + 2)});
  }
  return out;
}

bool same_printed_number(const std::string& printed, double vm_value) {
  if (printed == format_number(vm_value)) return true;
  if (printed == "na" || std::isnan(vm_value)) return false;
  // One ulp apart can print differently at the tenth digit: compare the values instead.
  const double shown = std::stod(printed);
  return std::fabs(shown - vm_value) <= 1e-9 * std::max(std::fabs(shown), std::fabs(vm_value));
}

// The VM's values of PART at every timeline point, or nothing when the probe does not
// compile or reads series that change the timeline.
std::optional<std::vector<double>> probe_values(
    const gen_program& g, const compile_options& options, const std::string& part,
    const std::map<std::string, series_values<double>>& data,
    const std::vector<time_point>& timeline) {
  const std::string source =
      rule_file(g) + fmt::format(
                         "let probe__value = {}\nrule \"probe__rule\": when probe__value == "
                         "probe__value then watch probe__value\n",
                         part);
  diagnostics diags;
  auto p = compile_source("diff.sluice", source, options, diags);
  if (!p || diags.has_errors()) return std::nullopt;
  // A part that is not a number (a window such as `1mo` compiles as a let but has no value)
  // is refused by the reference evaluator: not a number to compare.
  try {
    basic_reference_evaluator<double> probe_ref(
        *p,
        [&](std::uint32_t series, const std::string& field) -> const series_values<double>* {
          auto it = data.find(p->series[series].name);
          return it == data.end() || !field.empty() ? nullptr : &it->second;
        },
        std::nullopt, std::nullopt);
    if (probe_ref.timeline() != timeline) return std::nullopt;
    probe_ref.eval(p->rules.back().module, p->rules.back().condition_node, 0);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  basic_reference_evaluator<double> ref(
      *p,
      [&](std::uint32_t series, const std::string& field) -> const series_values<double>* {
        auto it = data.find(p->series[series].name);
        return it == data.end() || !field.empty() ? nullptr : &it->second;
      },
      std::nullopt, std::nullopt);
  if (ref.timeline() != timeline) return std::nullopt;
  const compiled_action& watch = p->rules.back().actions.front();
  return run_vm(*p, data, timeline, {watch.watched}).watched.front();
}

}  // namespace

TEST_CASE("explain's verdicts, conditions and numbers are the VM's", "[differential][explain]") {
  const std::uint64_t iterations = env_number("SLUICE_EXPLAIN_ITERATIONS", 400);
  const std::uint64_t seed = env_number("SLUICE_DIFF_SEED", 20240611) + 2000000;
  std::size_t verdicts = 0, numbers = 0, fired_checked = 0;
  for (std::uint64_t i = 0; i < iterations; ++i) {
    std::mt19937_64 rng(seed + i);
    const gen_program g = generate(rng);
    INFO("seed " << seed + i << "\n" << rule_file(g));
    compile_options options;
    for (const gen_series& s : g.series)
      if (!s.loaded) {
        host_series h;
        h.name = s.name;
        options.host.push_back(h);
      }
    diagnostics diags;
    auto p = compile_source("diff.sluice", rule_file(g), options, diags);
    REQUIRE(p);
    const auto data = observations_of(g);
    const auto values = values_of<double>(data);
    basic_reference_evaluator<double> ref(
        *p,
        [&](std::uint32_t series, const std::string& field) -> const series_values<double>* {
          auto it = values.find(p->series[series].name);
          return it == values.end() || !field.empty() ? nullptr : &it->second;
        },
        std::nullopt, std::nullopt);
    const std::vector<time_point> timeline = ref.timeline();
    if (timeline.empty()) continue;
    const vm_run machine = run_vm(*p, values, timeline, {});
    std::map<std::string, std::optional<std::vector<double>>> probes;
    for (std::uint32_t r = 0; r < p->rules.size(); ++r) {
      // The points explained: every firing of the rule and three other points.
      std::vector<std::size_t> points;
      for (const firing& f : machine.fired)
        if (f.rule == r && points.size() < 4) points.push_back(f.index);
      for (int k = 0; k < 3; ++k)
        points.push_back(std::uniform_int_distribution<std::size_t>(0, timeline.size() - 1)(rng));
      for (std::size_t t : points) {
        memory_provider provider(data);
        const explanation e =
            explain_rule("diff.sluice", *p, provider, p->rules[r].name, timeline[t], false);
        INFO(p->rules[r].name << " at " << format_time(timeline[t]) << "\n" << e.text << e.error);
        REQUIRE(e.status == 0);
        const std::string verdict = e.text.substr(0, e.text.find('\n'));
        bool vm_fired = false;
        for (const firing& f : machine.fired) vm_fired = vm_fired || (f.rule == r && f.index == t);
        CHECK(verdict.ends_with(": fired") == vm_fired);
        fired_checked += vm_fired;
        const std::vector<explained_part> parts = parts_of(e.text);
        REQUIRE(!parts.empty());
        CHECK(parts[0].depth == 0);
        CHECK(parts[0].value == truth_name(machine.conditions[r][t]));
        ++verdicts;
        for (const explained_part& part : parts) {
          if (part.value == "true" || part.value == "false") continue;
          auto found = probes.find(part.text);
          if (found == probes.end())
            found = probes.emplace(part.text, probe_values(g, options, part.text, values, timeline))
                        .first;
          if (!found->second) continue;  // a condition, or a def's parameter: not a number here
          INFO("part " << part.text << ": explain " << part.value << ", vm "
                       << format_number((*found->second)[t]));
          CHECK(same_printed_number(part.value, (*found->second)[t]));
          ++numbers;
        }
      }
    }
  }
  // The check must have had something to check: firings and numbers among the parts.
  CHECK(fired_checked > iterations / 2);
  CHECK(numbers > verdicts);
}

}  // namespace sluice::testing
