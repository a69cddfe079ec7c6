/* The C API from plain C, built against the installed package. */
#include <sluice/sluice.h>

#include <stdio.h>
#include <string.h>

int main(void) {
  const char* rules = "x crosses above 1 then watch x";
  int64_t times[3];
  double values[3] = {0, 2, 3};
  sluice_engine* engine = sluice_engine_new(NULL);
  sluice_program* program;
  sluice_events* events;
  size_t count;
  for (int i = 0; i < 3; ++i) times[i] = sluice_date(2024, 1, (unsigned)(i + 1));
  if (!engine || sluice_engine_add_series(engine, "x", times, values, 3, -1, -1) != 0) return 1;
  program = sluice_compile(engine, rules, strlen(rules), "c.sluice");
  if (!program) {
    fputs(sluice_engine_last_error(engine), stderr);
    return 1;
  }
  events = sluice_program_run(program, NULL, NULL);
  count = sluice_events_count(events);
  printf("C API %s: %zu event(s), first: %s\n", sluice_version(), count,
         count ? sluice_events_get(events, 0)->rule : "-");
  sluice_events_free(events);
  sluice_program_free(program);
  sluice_engine_free(engine);
  return count == 1 ? 0 : 1;
}
