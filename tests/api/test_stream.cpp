// Streaming sessions through the public API: the same events as a batch run (example data,
// real data, random interleavings of pushes), and memory that does not grow with the stream.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "sluice/sluice.hpp"
#include "support/skip.hpp"

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct observation {
  std::string series;
  sluice::timestamp time;
  double value;
};

// Every observation of the columns `p` reads, from the data registered under those names.
std::vector<observation> observations_for(const sluice::program& p,
                                          const std::map<std::string, sluice::series_data>& data) {
  std::vector<observation> all;
  for (const std::string& name : p.series()) {
    const auto& d = data.at(name);
    for (std::size_t i = 0; i < d.times.size(); ++i) all.push_back({name, d.times[i], d.values[i]});
  }
  return all;
}

bool same_number(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

void require_same_events(const std::vector<sluice::event>& batch,
                         const std::vector<sluice::event>& stream) {
  REQUIRE(stream.size() == batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    INFO("event " << i << ": " << sluice::format_timestamp(batch[i].time) << " " << batch[i].rule);
    CHECK(stream[i].time == batch[i].time);
    CHECK(stream[i].point == batch[i].point);
    CHECK(stream[i].rule == batch[i].rule);
    CHECK(stream[i].actions == batch[i].actions);
    CHECK(stream[i].messages == batch[i].messages);
    REQUIRE(stream[i].values.size() == batch[i].values.size());
    for (std::size_t v = 0; v < batch[i].values.size(); ++v) {
      CHECK(stream[i].values[v].name == batch[i].values[v].name);
      CHECK(same_number(stream[i].values[v].value, batch[i].values[v].value));
      CHECK(stream[i].values[v].text == batch[i].values[v].text);
    }
  }
}

// Pushes every observation in time order, advancing the clock at each new time.
std::vector<sluice::event> stream_in_order(const sluice::program& p, std::vector<observation> obs,
                                           const sluice::stream_options& options = {}) {
  std::vector<sluice::event> events;
  sluice::session s = p.stream([&](const sluice::event& e) { events.push_back(e); }, options);
  std::stable_sort(obs.begin(), obs.end(),
                   [](const observation& a, const observation& b) { return a.time < b.time; });
  for (std::size_t i = 0; i < obs.size(); ++i) {
    if (i > 0 && obs[i].time != obs[i - 1].time) s.advance_to(obs[i - 1].time);
    REQUIRE(s.push(obs[i].series, obs[i].time, obs[i].value) == sluice::push_status::accepted);
  }
  s.finish();
  return events;
}

// Pushes the series in a random interleaving (each series in its own time order), advancing the
// clock now and then to the latest time every series has reached.
std::vector<sluice::event> stream_interleaved(const sluice::program& p,
                                              const std::vector<observation>& obs, unsigned seed,
                                              const sluice::stream_options& options = {}) {
  std::map<std::string, std::vector<observation>> queues;
  for (const observation& o : obs) queues[o.series].push_back(o);
  std::vector<std::string> names;
  std::map<std::string, std::size_t> next;
  for (auto& [name, q] : queues) {
    std::stable_sort(q.begin(), q.end(),
                     [](const observation& a, const observation& b) { return a.time < b.time; });
    names.push_back(name);
    next[name] = 0;
  }
  std::vector<sluice::event> events;
  sluice::session s = p.stream([&](const sluice::event& e) { events.push_back(e); }, options);
  std::mt19937 rng(seed);
  std::size_t left = obs.size();
  while (left > 0) {
    // A burst of pushes from one random series that still has data.
    const std::string& name = names[rng() % names.size()];
    auto& q = queues[name];
    for (std::size_t burst = 1 + rng() % 20; burst > 0 && next[name] < q.size(); --burst, --left) {
      const observation& o = q[next[name]++];
      REQUIRE(s.push(o.series, o.time, o.value) == sluice::push_status::accepted);
    }
    if (rng() % 4 != 0) continue;
    // Every series has pushed everything dated before its next unpushed observation.
    std::optional<sluice::timestamp> watermark;
    for (const auto& [n, queue] : queues)
      if (next[n] < queue.size() && (!watermark || queue[next[n]].time - 1 < *watermark))
        watermark = queue[next[n]].time - 1;
    if (watermark) s.advance_to(*watermark);
  }
  s.finish();
  return events;
}

std::map<std::string, sluice::series_data> load_folder(
    sluice::engine& eng, const std::vector<std::pair<std::string, std::string>>& files) {
  std::map<std::string, sluice::series_data> data;
  for (const auto& [name, path] : files) {
    std::string error;
    auto d = sluice::read_csv(path, "", &error);
    INFO(error);
    REQUIRE(d);
    REQUIRE(eng.add_series(name, d->times, d->values));
    data[name] = std::move(*d);
  }
  return data;
}

void check_stream_equals_batch(const sluice::program& p,
                               const std::map<std::string, sluice::series_data>& data,
                               std::size_t min_events, bool exact = false) {
  sluice::run_options batch_options;
  batch_options.exact = exact;
  const sluice::run_result batch = p.run(batch_options);
  REQUIRE(batch.ok);
  REQUIRE(batch.events.size() >= min_events);
  sluice::stream_options options;
  options.exact = exact;
  const auto obs = observations_for(p, data);
  SECTION("in time order") { require_same_events(batch.events, stream_in_order(p, obs, options)); }
  SECTION("random interleavings") {
    for (unsigned seed : {1u, 2u, 3u}) {
      INFO("seed " << seed);
      require_same_events(batch.events, stream_interleaved(p, obs, seed, options));
    }
  }
}

// examples/rotation.sluice on examples/data, in double or in exact mode.
void check_rotation_example(bool exact) {
  const std::string dir = std::string(SLUICE_SOURCE_DIR) + "/examples/data/";
  sluice::engine eng;
  std::vector<std::pair<std::string, std::string>> files;
  for (const char* name : {"alts", "btc", "hy_spread", "russell", "spx", "tga"})
    files.emplace_back(name, dir + name + ".csv");
  const auto data = load_folder(eng, files);
  const std::string source = read_text(std::string(SLUICE_SOURCE_DIR) + "/examples/rotation.sluice");
  const sluice::compile_result r = eng.compile(source, "rotation.sluice");
  INFO(r.rendered());
  REQUIRE(r.ok());
  check_stream_equals_batch(r.value(), data, 5, exact);
}

}  // namespace

TEST_CASE("stream: stream equals batch on the example rules and data", "[stream]") {
  check_rotation_example(false);
}

TEST_CASE("stream: an exact session equals an exact batch run on the example rules",
          "[stream][exact]") {
  check_rotation_example(true);
}

TEST_CASE("stream: exact sessions decide decimal boundaries from pushed text", "[stream][exact]") {
  // 100 -> 115 is a rise of exactly 15%: in double 115/100 - 1 is 0.1499999999999999.
  sluice::engine eng;
  const sluice::timestamp t0 = sluice::to_timestamp({2024, 1, 1}), day = 86400;
  const std::vector<sluice::timestamp> none_t;
  const std::vector<double> none_v;
  REQUIRE(eng.add_series("x", none_t, none_v));
  const auto r = eng.compile("rule \"up\": when x rises by 15% over 1 bars then watch x");
  INFO(r.rendered());
  REQUIRE(r.ok());
  auto run = [&](bool exact) {
    std::vector<sluice::event> events;
    sluice::stream_options options;
    options.exact = exact;
    sluice::session s = r.value().stream([&](const sluice::event& e) { events.push_back(e); }, options);
    CHECK(s.push_decimal("x", t0, "100.00") == sluice::push_status::accepted);
    CHECK(s.push_decimal("x", t0 + day, "115") == sluice::push_status::accepted);
    CHECK(s.push_decimal("x", t0 + 2 * day, "1,15") == sluice::push_status::invalid_number);
    CHECK(s.push_decimal("y", t0 + 2 * day, "1") == sluice::push_status::unknown_series);
    s.finish();
    return events;
  };
  const auto exact = run(true);
  REQUIRE(exact.size() == 1);
  CHECK(exact[0].time == t0 + day);
  REQUIRE(exact[0].values.size() == 1);
  CHECK(exact[0].values[0].text == "115");
  CHECK(run(false).empty());
}

TEST_CASE("stream: stream equals batch on real data", "[stream]") {
  const std::string dir = std::string(SLUICE_SHARED_DATA) + "/";
  if (!std::filesystem::exists(dir + "rut.csv")) {
    SLUICE_SKIP("no real data in " << dir);
  }
  sluice::engine eng;
  const auto data = load_folder(eng, {{"rut", dir + "rut.csv"},
                                      {"gspc", dir + "gspc.csv"},
                                      {"hy_oas", dir + "hy_oas.csv"},
                                      {"tga", dir + "tga.csv"},
                                      {"btc", dir + "btc.csv"},
                                      {"eth", dir + "eth.csv"},
                                      {"dgs10", dir + "dgs10.csv"}});
  // Every kind of state: crossings, calendar and bar windows, lookbacks of series and of
  // expressions, temporal operators, cooldown, signals, weekly data (tga) with a lag.
  const char* rules = R"(
russell breaks 2000 and tga falls over 4w then watch btc
rule "golden": when golden_cross(spx) then watch russell and alert "spx {spx} on {date}"
rule "credit": when hy_spread narrows by 10% over 3mo followed by russell outperforms spx over 4w within 60d
  then signal credit_ok and watch eth for 90d cooldown 30d
credit_ok within 90d and btc hits new high over 1y then watch btc
rule "rates": when dgs10 rises by 0.5 over 3mo and drawdown(spx) >= 10% for 5 bars then watch spx
rule "momentum": when rsi(eth, 14 bars) > 70 and sma(btc, 4w) > lag(sma(btc, 4w), 7d) then watch eth once
zscore(russell, 100 bars) < -2 or lowest(spx, 20d) > highest(spx, 20 bars)[5] then watch russell
)";
  const sluice::compile_result r = eng.compile(rules, "real.sluice");
  INFO(r.rendered());
  REQUIRE(r.ok());
  check_stream_equals_batch(r.value(), data, 20);
}

TEST_CASE("stream: stream rejects bad pushes without stopping", "[stream]") {
  sluice::engine eng;
  const sluice::timestamp day = 86400;
  const sluice::timestamp t0 = sluice::to_timestamp({2024, 1, 1});
  const std::vector<sluice::timestamp> times{t0};
  const std::vector<double> values{1};
  REQUIRE(eng.add_series("x", times, values));
  REQUIRE(eng.add_series("y", times, values));
  const auto r = eng.compile("x crosses above y then watch x");
  REQUIRE(r.ok());
  std::vector<sluice::event> events;
  sluice::session s = r.value().stream([&](const sluice::event& e) { events.push_back(e); });
  CHECK(s.push("x", t0, 1) == sluice::push_status::accepted);
  CHECK(s.push("x", t0 - day, 1) == sluice::push_status::out_of_order);
  CHECK(s.push("x", t0, 5) == sluice::push_status::duplicate);
  CHECK(s.push("nope", t0, 1) == sluice::push_status::unknown_series);
  CHECK(s.push("y", t0, std::nan("")) == sluice::push_status::missing_value);
  CHECK(s.push("Y", t0, 2) == sluice::push_status::accepted);  // names ignore case
  CHECK(s.advance_to(t0) == 1);
  CHECK(s.push("x", t0, 3) == sluice::push_status::late);
  CHECK(s.push("x", t0 + day, 3) == sluice::push_status::accepted);
  CHECK(s.push("y", t0 + day, 2) == sluice::push_status::accepted);
  CHECK(s.advance_to(t0 - day) == 0);  // the clock never goes back
  CHECK(s.advance_to(t0 + day) == 1);
  REQUIRE(events.size() == 1);
  CHECK(events[0].time == t0 + day);
  CHECK(events[0].rule == "x crosses above y then watch x");
}

namespace {

// Feeds `bars` hourly bars of a noisy sine to a session and returns the state measured at
// each checkpoint (state_bytes, retained observations).
struct memory_sample {
  std::size_t bars, state_bytes, retained;
};

std::vector<memory_sample> feed_bars(const sluice::program& p, std::vector<std::size_t> checkpoints,
                                     std::size_t& events) {
  sluice::session s = p.stream([&](const sluice::event&) { ++events; });
  std::vector<memory_sample> samples;
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 1);
  const sluice::timestamp start = sluice::to_timestamp({2000, 1, 1});
  std::size_t next = 0;
  for (std::size_t i = 1; next < checkpoints.size(); ++i) {
    const sluice::timestamp t = start + static_cast<sluice::timestamp>(i) * 3600;
    const double v = 100 + 10 * std::sin(static_cast<double>(i) / 500.0) + noise(rng);
    if (s.push("x", t, v) != sluice::push_status::accepted) FAIL("push at step " << i);
    s.advance_to(t);
    if (i == checkpoints[next]) {
      samples.push_back({i, s.state_bytes(), s.retained_observations()});
      ++next;
    }
  }
  return samples;
}

// Cheap but stateful: bar and calendar windows, a calendar lookback of the series (retained
// observations), a crossing, `for` and `within`.
constexpr const char* memory_rules = R"(
rule "cross": when sma(x, 20 bars) crosses above sma(x, 50 bars) then watch x
rule "breakout": when x hits new high over 30d and x rises over 4w for 3 bars then watch x
rule "dip": when lowest(x, 7d) < 95 within 2d then watch x cooldown 30d
)";

void check_steady(const std::vector<memory_sample>& samples) {
  for (const memory_sample& m : samples)
    WARN(m.bars << " bars: state " << m.state_bytes << " bytes, " << m.retained
                << " retained observations");
  const memory_sample& first = samples.front();
  for (const memory_sample& m : samples) {
    // Windows hold a fixed number of points (4w of hourly bars); nothing grows with the stream.
    CHECK(m.retained <= 28 * 24 + 2);
    CHECK(m.state_bytes <= first.state_bytes + first.state_bytes / 4);
  }
}

}  // namespace

TEST_CASE("stream: a session's memory is bounded by the windows (1M bars)", "[stream]") {
  sluice::engine eng;
  REQUIRE(eng.add_series("x", {}, {}));  // declared for streaming: no history
  const auto r = eng.compile(memory_rules);
  INFO(r.rendered());
  REQUIRE(r.ok());
  std::size_t events = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const auto samples = feed_bars(r.value(), {100'000, 500'000, 1'000'000}, events);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  WARN("1M bars in " << ms.count() << " ms, " << events << " events");
  CHECK(events > 100);
  check_steady(samples);
}

TEST_CASE("stream: a session's memory is bounded by the windows (10M bars)", "[stream][.slow]") {
  sluice::engine eng;
  REQUIRE(eng.add_series("x", {}, {}));  // declared for streaming: no history
  const auto r = eng.compile(memory_rules);
  REQUIRE(r.ok());
  std::size_t events = 0;
  check_steady(feed_bars(r.value(), {100'000, 1'000'000, 5'000'000, 10'000'000}, events));
}
