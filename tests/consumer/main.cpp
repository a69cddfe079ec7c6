// A minimal host built against the installed package: series from memory, a host function,
// a batch run and a stream that must agree.
#include <sluice/sluice.hpp>

#include <cstdio>
#include <vector>

int main() {
  std::printf("sluice %s (headers %s)\n", sluice::version(), SLUICE_VERSION_STRING);
  sluice::engine engine;
  std::vector<sluice::timestamp> times;
  std::vector<double> prices;
  for (int i = 0; i < 60; ++i) {
    times.push_back(sluice::to_timestamp({2024, 1, 1}) + i * 86400);
    prices.push_back(100 + (i % 20));  // a saw tooth: breaks 110 every 20 days
  }
  if (!engine.add_series("price", times, prices)) return 1;
  if (!engine.add_function("half", 1, [](std::span<const double> a) { return a[0] / 2; })) return 1;
  const sluice::compile_result r =
      engine.compile("rule \"breakout\": when half(price) breaks 55 then alert \"{price} on {date}\"");
  if (!r) {
    std::fputs(r.rendered().c_str(), stderr);
    return 1;
  }
  const sluice::run_result batch = r.value().run();
  std::size_t streamed = 0;
  sluice::session s = r.value().stream([&](const sluice::event& e) {
    std::printf("%s %s: %s\n", sluice::format_timestamp(e.time).c_str(), e.rule.c_str(),
                e.messages.at(0).c_str());
    ++streamed;
  });
  for (std::size_t i = 0; i < times.size(); ++i) {
    if (s.push("price", times[i], prices[i]) != sluice::push_status::accepted) return 1;
    s.advance_to(times[i]);
  }
  std::printf("%zu events in batch, %zu streamed\n", batch.events.size(), streamed);
  return batch.ok && batch.events.size() == 3 && streamed == 3 ? 0 : 1;
}
