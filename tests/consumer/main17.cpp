// A C++17 host: it cannot include sluice.hpp (C++20), so it uses the C header, built against
// the installed package with CMAKE_CXX_STANDARD 17. Structured diagnostics, stream options
// and version macros must all be usable from here.
#include <sluice/sluice.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#if __cplusplus != 201703L
#error "this consumer must be compiled as C++17"
#endif

int main() {
  std::printf("C++17 host, headers %d.%d.%d, library %s\n", SLUICE_VERSION_MAJOR,
              SLUICE_VERSION_MINOR, SLUICE_VERSION_PATCH, sluice_version());
  if (std::string(sluice_version()) != SLUICE_VERSION_STRING) return 1;
  sluice_options options;
  sluice_options_default(&options);
  sluice_engine* engine = sluice_engine_new(&options);
  if (!engine) return 1;
  const std::string bad = "x > 1 then watch nope";
  sluice_diagnostics* d = nullptr;
  if (sluice_compile_with(engine, bad.data(), bad.size(), "host.sluice", &d)) return 1;
  const sluice_diagnostic* first = sluice_diagnostics_get(d, 0);
  if (!first || first->line != 1 || first->severity != SLUICE_SEVERITY_ERROR) return 1;
  std::printf("diagnostic %s:%u:%u: %s\n", first->file, first->line, first->column, first->message);
  sluice_diagnostics_free(d);

  std::vector<int64_t> times;
  std::vector<double> values;
  for (unsigned i = 0; i < 10; ++i) {
    times.push_back(sluice_date(2024, 1, 1 + i));
    values.push_back(i);
  }
  sluice_series_options so;
  sluice_series_options_default(&so);
  so.stale = sluice_period{1, SLUICE_MONTHS};
  if (sluice_engine_add_series_with(engine, "x", times.data(), values.data(), times.size(), &so) !=
      0)
    return 1;
  const std::string good = "rule \"up\": when x > 4 then alert \"{x}\"";
  sluice_program* program =
      sluice_compile_with(engine, good.data(), good.size(), "host.sluice", nullptr);
  if (!program) return 1;
  int events = 0;
  sluice_stream_options o;
  sluice_stream_options_default(&o);
  sluice_session* s = sluice_program_stream_with_options(
      program, [](const sluice_event*, void* user) { ++*static_cast<int*>(user); }, &events, &o);
  for (std::size_t i = 0; i < times.size(); ++i)
    if (sluice_session_push(s, "x", times[i], values[i]) != SLUICE_PUSH_ACCEPTED) return 1;
  sluice_session_finish(s);
  sluice_session_free(s);
  sluice_program_free(program);
  sluice_engine_free(engine);
  std::printf("%d event(s)\n", events);
  return events == 1 ? 0 : 1;
}
