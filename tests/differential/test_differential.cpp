// Differential tests: random programs over random data, run by the VM (batch driver, many
// block sizes) and by the reference evaluator; firings, event values and every rule's
// condition at every point must agree. A disagreement is shrunk and printed as a rule
// file plus CSV text. SLUICE_DIFF_ITERATIONS=N and SLUICE_DIFF_SEED=S for longer runs.
// Exact mode runs the same check with both in decimal (vm<decimal>, the reference over
// decimal), where event values must agree to the last digit; SLUICE_DIFF_EXACT_ITERATIONS=N.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <tuple>
#include <type_traits>

#include "support/differential_gen.hpp"
#include "interpreter/compile/compiler.hpp"
#include "interpreter/numeric/decimal.hpp"
#include "interpreter/reference/reference_eval.hpp"
#include "interpreter/run/run.hpp"
#include "interpreter/vm/vm.hpp"

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

}  // namespace sluice::testing
