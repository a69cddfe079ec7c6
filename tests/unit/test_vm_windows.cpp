// Window instructions whose batch form differs from their streaming form: new_high and
// new_low take a whole block at once (vm_extremes.cpp; bar and calendar windows), and so does stdev over bars
// (vm_averages.cpp), where a block of one point steps the window point by point. Both forms
// must give the same answer at every point, for windows shorter and longer than a block and
// with na runs and ties: new highs/lows what a brute-force scan of the window gives, stdev
// the same bits as the stepwise form and a two-pass sum's value.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "interpreter/compile/compiler.hpp"
#include "interpreter/run/run.hpp"
#include "interpreter/vm/vm.hpp"

namespace {

using namespace sluice;

// A walk on a 0.5 grid (so equal values, which are not new highs, are common) that turns
// every few hundred points, with runs of na, a leading one included.
std::vector<double> walk_with_gaps(std::mt19937_64& rng, std::size_t n) {
  std::vector<double> x(n);
  double level = 100, drift = 0.1;
  std::size_t gap_left = 40;
  for (std::size_t i = 0; i < n; ++i) {
    if (rng() % 300 == 0) drift = -drift;
    if (gap_left == 0 && rng() % 700 == 0) gap_left = 1 + rng() % 300;
    level += drift + static_cast<double>(static_cast<int>(rng() % 7) - 3) * 0.5;
    x[i] = gap_left > 0 ? std::nan("") : level;
    if (gap_left > 0) --gap_left;
  }
  // Short gaps that end just before a block of 37 or of 1024 starts.
  for (const std::size_t block_start : {37 * 60, 37 * 61 + 2, 1024 * 3, 1024 * 5 + 1})
    for (std::size_t i = block_start - 3; i < block_start; ++i) x[i] = std::nan("");
  return x;
}

// new_high (new_low) over the w bars before each point, straight from the definition in
// opcodes.hpp and semantics.md: na where the value is na, before the first defined value
// is w bars back, or where the prior w points hold no defined value.
std::vector<std::uint8_t> brute_force(const std::vector<double>& x, std::size_t w, bool high) {
  std::vector<std::uint8_t> out(x.size(), c_na);
  std::size_t first_defined = x.size();
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i])) continue;
    if (first_defined == x.size()) first_defined = i;
    if (first_defined + w > i) continue;
    bool any = false;
    double extreme = 0;
    for (std::size_t j = i - w; j < i; ++j) {
      if (std::isnan(x[j])) continue;
      if (!any || (high ? x[j] > extreme : x[j] < extreme)) extreme = x[j];
      any = true;
    }
    if (any) out[i] = (high ? x[i] > extreme : x[i] < extreme) ? c_true : c_false;
  }
  return out;
}

// A program over one host series `x` holding one rule.
std::shared_ptr<const program> compile_over_x(const std::string& rule) {
  compile_options options;
  host_series series;
  series.name = std::string("x");  // (assigning the literal trips a false -Wrestrict in GCC 12)
  options.host.push_back(series);
  diagnostics diags;
  return compile_source("windows.sluice", rule, options, diags);
}

// One point a day.
std::vector<time_point> daily(std::size_t n) {
  std::vector<time_point> times(n);
  for (std::size_t i = 0; i < n; ++i) times[i] = static_cast<time_point>(i) * ms_per_day;
  return times;
}

// Runs `x` (at `times`, one point a day when empty) through the VM in blocks of `block`;
// after each block, collect(machine, size) reads what it needs from the registers.
template <class Collect>
void run_in_blocks(const program& p, const std::vector<double>& x, std::size_t block,
                   Collect collect, std::vector<time_point> times = {}) {
  if (times.empty()) times = daily(x.size());
  vm<double> machine(p, block);
  std::vector<firing> fired;
  for (std::size_t at = 0; at < x.size(); at += block) {
    const std::size_t size = std::min(block, x.size() - at);
    const double* input = x.data() + at;
    machine.execute({size, times.data() + at, static_cast<std::int64_t>(at)}, &input, fired);
    collect(machine, size);
  }
}

// The rule's condition at every point.
std::vector<std::uint8_t> condition_in_blocks(const program& p, const std::vector<double>& x,
                                              std::size_t block,
                                              const std::vector<time_point>& times = {}) {
  std::vector<std::uint8_t> out;
  run_in_blocks(
      p, x, block,
      [&](const vm<double>& machine, std::size_t size) {
        const std::uint8_t* c = machine.condition(p.rules[0].condition);
        out.insert(out.end(), c, c + size);
      },
      times);
  return out;
}

// Dates like a market's: mostly consecutive days, weekends, and now and then a gap of weeks
// (longer than the short windows, which then hold nothing).
std::vector<time_point> days_with_gaps(std::mt19937_64& rng, std::size_t n) {
  std::vector<time_point> times(n);
  std::int64_t day = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto roll = rng() % 100;
    day += roll < 75 ? 1 : roll < 97 ? 3 : 10 + static_cast<std::int64_t>(rng() % 30);
    times[i] = day * ms_per_day;
  }
  return times;
}

// new_high (new_low) over a calendar window: the prior points u with t - w <= u < t, na
// where the value is na, before the first defined value is at or before t - w, or where
// the window holds no defined value (semantics.md).
std::vector<std::uint8_t> brute_force_calendar(const std::vector<double>& x,
                                               const std::vector<time_point>& times,
                                               duration w, bool high) {
  std::vector<std::uint8_t> out(x.size(), c_na);
  std::optional<time_point> first_defined;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i])) continue;
    if (!first_defined) first_defined = times[i];
    const time_point horizon = subtract(times[i], w);
    if (*first_defined > horizon) continue;
    bool any = false;
    double extreme = 0;
    for (std::size_t j = 0; j < i; ++j) {
      if (std::isnan(x[j]) || times[j] < horizon) continue;
      if (!any || (high ? x[j] > extreme : x[j] < extreme)) extreme = x[j];
      any = true;
    }
    if (any) out[i] = (high ? x[i] > extreme : x[i] < extreme) ? c_true : c_false;
  }
  return out;
}

// The values of the program's stdev instruction at every point.
std::vector<double> stdev_in_blocks(const program& p, const std::vector<double>& x,
                                    std::size_t block) {
  reg_index reg = 0;
  for (const instruction& in : p.code)
    if (in.op == opcode::stdev) reg = in.d;
  std::vector<double> out;
  run_in_blocks(p, x, block, [&](const vm<double>& machine, std::size_t size) {
    out.insert(out.end(), machine.number(reg), machine.number(reg) + size);
  });
  return out;
}

}  // namespace

TEST_CASE("stdev over bars gives the same bits in blocks of any size, and the two-pass value",
          "[vm]") {
  std::mt19937_64 rng(23);
  for (const std::size_t w : {2, 5, 100, 1500}) {
    const std::vector<double> x = walk_with_gaps(rng, 9000);
    const auto p =
        compile_over_x(fmt::format("rule \"r\": when stdev(x, {} bars) > 3 then watch x\n", w));
    REQUIRE(p);
    const std::vector<double> stepwise = stdev_in_blocks(*p, x, 1);
    std::size_t defined = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (std::isnan(stepwise[i])) continue;
      ++defined;
      std::vector<double> window;  // the defined values among the last w points
      for (std::size_t j = i + 1 - w; j <= i; ++j)
        if (!std::isnan(x[j])) window.push_back(x[j]);
      REQUIRE(window.size() >= 2);
      double mean = 0, squares = 0;  // two passes
      for (const double v : window) mean += v;
      mean /= static_cast<double>(window.size());
      for (const double v : window) squares += (v - mean) * (v - mean);
      const double expected = std::sqrt(squares / static_cast<double>(window.size() - 1));
      INFO(fmt::format("stdev over {} bars at point {}", w, i));
      REQUIRE(std::abs(stepwise[i] - expected) <= 1e-9 * (1 + expected));
    }
    REQUIRE(defined > x.size() / 3);
    for (const std::size_t block : {37, 1024, 4096}) {
      const std::vector<double> got = stdev_in_blocks(*p, x, block);
      for (std::size_t i = 0; i < x.size(); ++i) {
        const bool same = std::isnan(got[i]) ? std::isnan(stepwise[i]) : got[i] == stepwise[i];
        if (!same)
          FAIL(fmt::format("stdev over {} bars, blocks of {}, point {}: {} vs stepwise {}", w,
                           block, i, got[i], stepwise[i]));
      }
    }
  }
}

TEST_CASE("new high and new low over bars match a brute-force scan in blocks of any size", "[vm]") {
  std::mt19937_64 rng(17);
  for (const std::size_t w : {1, 2, 5, 31, 32, 33, 250, 1023, 1024, 1025, 3000}) {
    for (const bool high : {true, false}) {
      const std::vector<double> x = walk_with_gaps(rng, 9000);
      const auto p = compile_over_x(fmt::format(
          "rule \"r\": when x hits new {} over {} bars then watch x\n", high ? "high" : "low", w));
      REQUIRE(p);
      const std::vector<std::uint8_t> expected = brute_force(x, w, high);
      std::size_t decided = 0;
      for (const std::uint8_t v : expected) decided += v != c_na;
      REQUIRE(decided > x.size() / 2);  // the gaps and warm-up leave most points decided
      for (const std::size_t block : {1, 37, 1024, 4096}) {
        INFO(fmt::format("new {} over {} bars, blocks of {}", high ? "high" : "low", w, block));
        const std::vector<std::uint8_t> got = condition_in_blocks(*p, x, block);
        REQUIRE(got.size() == expected.size());
        for (std::size_t i = 0; i < got.size(); ++i) {
          if (got[i] == expected[i]) continue;
          FAIL(fmt::format("point {}: vm {}, brute force {}", i, got[i], expected[i]));
        }
      }
    }
  }
}

TEST_CASE("new high and new low over calendar windows match a brute-force scan in blocks of any size",
          "[vm]") {
  std::mt19937_64 rng(29);
  const std::vector<std::pair<std::string, duration>> windows = {
      {"1d", {duration::unit::days, 1}},     {"3d", {duration::unit::days, 3}},
      {"30d", {duration::unit::days, 30}},   {"4w", {duration::unit::days, 28}},
      {"365d", {duration::unit::days, 365}}, {"3mo", {duration::unit::months, 3}},
      {"2000d", {duration::unit::days, 2000}}};
  for (const auto& [text, w] : windows) {
    for (const bool high : {true, false}) {
      const std::vector<double> x = walk_with_gaps(rng, 6000);
      const std::vector<time_point> times = days_with_gaps(rng, x.size());
      const auto p = compile_over_x(fmt::format(
          "rule \"r\": when x hits new {} over {} then watch x\n", high ? "high" : "low", text));
      REQUIRE(p);
      const std::vector<std::uint8_t> expected = brute_force_calendar(x, times, w, high);
      std::size_t decided = 0;
      for (const std::uint8_t v : expected) decided += v != c_na;
      REQUIRE(decided > x.size() / 3);
      for (const std::size_t block : {1, 37, 1024, 4096}) {
        INFO(fmt::format("new {} over {}, blocks of {}", high ? "high" : "low", text, block));
        const std::vector<std::uint8_t> got = condition_in_blocks(*p, x, block, times);
        REQUIRE(got.size() == expected.size());
        for (std::size_t i = 0; i < got.size(); ++i) {
          if (got[i] == expected[i]) continue;
          FAIL(fmt::format("point {}: vm {}, brute force {}", i, got[i], expected[i]));
        }
      }
    }
  }
}

TEST_CASE("batch runs take blocks of 1,024 to 4,096 points, registers within about 1 MB", "[vm]") {
  const auto small = compile_over_x("rule \"r\": when x hits new high over 20 bars then watch x\n");
  REQUIRE(small);
  CHECK(block_size_for(*small) == 4096);  // a few registers: the largest block
  std::string many;  // ~600 rules of distinct windows: hundreds of registers
  for (int i = 1; i <= 600; ++i)
    many += fmt::format("rule \"r{}\": when sma(x, {} bars) > x then watch x\n", i, i + 1);
  const auto big = compile_over_x(many);
  REQUIRE(big);
  const std::size_t bytes_per_point = big->num_registers * sizeof(double) + big->cond_registers;
  REQUIRE(bytes_per_point * 1024 > (std::size_t{1} << 20));
  CHECK(block_size_for(*big) == 1024);  // never below 1,024, whatever the registers
  std::string some;  // between: 2,048 points keep a block within 1 MB, 4,096 would not
  for (int i = 1; i <= 45; ++i)
    some += fmt::format("rule \"r{}\": when sma(x, {} bars) > x then watch x\n", i, i + 1);
  const auto medium = compile_over_x(some);
  REQUIRE(medium);
  const std::size_t medium_per_point = medium->num_registers * sizeof(double) + medium->cond_registers;
  REQUIRE((medium_per_point > 256 && medium_per_point <= 512));
  CHECK(block_size_for(*medium) == 2048);
  for (const auto& p : {small, medium, big}) {
    const std::size_t block = block_size_for(*p);
    const std::size_t per_point = p->num_registers * sizeof(double) + p->cond_registers;
    CHECK((block == 1024 || block * per_point <= (std::size_t{1} << 20)));
  }
}
