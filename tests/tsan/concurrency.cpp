// Built with -fsanitize=thread (SLUICE_TSAN=ON, run by scripts/test in build-tsan/): one compiled
// program shared by several threads, each with its own batch run or streaming session, all of
// which must report the events a single-threaded run reports. TSan fails the test on any race.
#include <sluice/sluice.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

struct fingerprint {
  std::size_t events = 0;
  double sum = 0;  // times and values of all events
  bool operator==(const fingerprint&) const = default;
};

void add(fingerprint& f, const sluice::event& e) {
  ++f.events;
  f.sum += static_cast<double>(e.time % 100000);
  for (const auto& v : e.values)
    if (v.value == v.value) f.sum += v.value;
}

}  // namespace

int main() {
  const std::string data = std::string(SLUICE_SOURCE_DIR) + "/examples/data/";
  sluice::engine engine;
  std::vector<std::string> names{"alts", "btc", "hy_spread", "russell", "spx", "tga"};
  for (const std::string& n : names)
    if (!engine.add_series_csv(n, data + n + ".csv")) return 1;
  // A host function called from every thread at once.
  std::atomic<long> calls{0};
  engine.add_function("bump", 1, [&](std::span<const double> a) {
    calls.fetch_add(1, std::memory_order_relaxed);
    return a[0] + 1;
  });
  const sluice::compile_result r = engine.compile(R"(
use liquidity
russell breaks 2600 and tga falls then watch alts
rule "cascade": when cascade() followed by crypto_bid() within 90d then watch alts cooldown 30d
rule "bumped": when bump(btc) hits new high over 1y then watch btc
)");
  if (!r) {
    std::fputs(r.rendered().c_str(), stderr);
    return 1;
  }
  const sluice::program program = r.value();  // copies share the compiled code

  fingerprint expected;
  for (const auto& e : program.run().events) add(expected, e);

  // The observations, for the streaming threads.
  struct obs {
    sluice::timestamp t;
    std::string name;
    double v;
  };
  std::vector<obs> feed;
  for (const std::string& n : program.series()) {
    auto d = sluice::read_csv(data + n + ".csv");
    if (!d) return 1;
    for (std::size_t i = 0; i < d->times.size(); ++i) feed.push_back({d->times[i], n, d->values[i]});
  }
  std::stable_sort(feed.begin(), feed.end(), [](const obs& a, const obs& b) { return a.t < b.t; });

  constexpr int threads = 4;
  std::vector<fingerprint> got(threads);
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&, i] {
      const sluice::program mine = program;  // a copy per thread, same shared code
      if (i % 2 == 0) {
        for (const auto& e : mine.run().events) add(got[i], e);
        return;
      }
      sluice::session s = mine.stream([&](const sluice::event& e) { add(got[i], e); });
      for (std::size_t k = 0; k < feed.size(); ++k) {
        if (k > 0 && feed[k].t != feed[k - 1].t) s.advance_to(feed[k - 1].t);
        (void)s.push(feed[k].name, feed[k].t, feed[k].v);  // the events are compared below
      }
      s.finish();
    });
  }
  for (auto& t : pool) t.join();

  bool ok = expected.events > 0 && calls.load() > 0;
  for (int i = 0; i < threads; ++i) {
    std::printf("thread %d (%s): %zu events\n", i, i % 2 ? "stream" : "batch", got[i].events);
    ok = ok && got[i] == expected;
  }
  std::printf("expected %zu events; %s\n", expected.events, ok ? "OK" : "MISMATCH");
  return ok ? 0 : 1;
}
