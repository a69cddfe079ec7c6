// Fuzz target: the C API as an untrusting host uses it. The input is rule text, then after
// a line `%%` a script of streaming pushes (5 bytes each: series, time step, value); the
// program is compiled with the safe default options, run in batch over two memory series,
// then streamed with those pushes. Any crash, sanitizer report or leak is a finding.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "sluice/sluice.h"

namespace {

void count_event(const sluice_event* event, void* user) {
  if (event->rule == nullptr) std::abort();
  ++*static_cast<std::size_t*>(user);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t split = input.find("\n%%\n");
  const std::string_view source = input.substr(0, split);
  const std::string_view pushes =
      split == std::string_view::npos ? std::string_view() : input.substr(split + 4);

  // One engine per process with its two series: nothing in it depends on the input, and
  // programs compiled from it are freed each time, so inputs stay independent.
  static sluice_engine* const engine = [] {
    sluice_engine* e = sluice_engine_new(nullptr);
    if (!e) std::abort();
    std::int64_t times[60];
    double values[60];
    for (int i = 0; i < 60; ++i) {
      times[i] = sluice_date(2024, 1, 1) + i * 86400;
      values[i] = i % 9 == 4 ? NAN : 100 + 10 * std::sin(i / 5.0);
    }
    sluice_engine_add_series(e, "a", times, values, 60, -1, -1);
    sluice_engine_add_series(e, "b", times, values + 1, 59, 1, 10);
    return e;
  }();

  sluice_program* program = sluice_compile(engine, source.data(), source.size(), "fuzz.sluice");
  if (!program) {
    if (std::strlen(sluice_engine_last_error(engine)) == 0) std::abort();  // say why
  } else {
    // A quarter of the inputs run exact (decimal) runs and sessions.
    const unsigned flags = size % 4 == 0 ? SLUICE_EXACT : 0;
    sluice_events* events = sluice_program_run_with(program, nullptr, nullptr, flags);
    if (events) {
      for (std::size_t i = 0; i < sluice_events_count(events); ++i)
        if (!sluice_events_get(events, i)) std::abort();
      sluice_events_free(events);
    }
    std::size_t streamed = 0;
    sluice_session* session = sluice_program_stream_with(program, count_event, &streamed, flags);
    std::int64_t t = sluice_date(2024, 1, 1);
    for (std::size_t i = 0; i + 5 <= pushes.size(); i += 5) {
      const auto* p = reinterpret_cast<const std::uint8_t*>(pushes.data() + i);
      t += (static_cast<std::int64_t>(p[1]) - 16) * 3600;  // mostly forward, sometimes back
      const double value = p[2] == 0xff ? NAN : (p[3] << 8 | p[4]) / 16.0;
      if (p[0] & 4) {  // as decimal text: the raw bytes, often not a number
        const std::string text(reinterpret_cast<const char*>(p + 2), 3);
        (void)sluice_session_push_decimal(session, p[0] & 1 ? "a" : "b", t, text.c_str());
      } else {
        (void)sluice_session_push(session, p[0] & 1 ? "a" : "b", t, value);
      }
      if (p[0] & 2) (void)sluice_session_advance_to(session, t);
    }
    (void)sluice_session_finish(session);
    sluice_session_free(session);
    sluice_program_free(program);
  }
  return 0;
}
