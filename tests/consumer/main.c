/* The C API from plain C, built against the installed package. */
#include <sluice/sluice.h>

#include <stdio.h>
#include <string.h>

static void count_event(const sluice_event* event, void* user) {
  (void)event;
  ++*(size_t*)user;
}

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
  if (count != 1) return 1;

  /* The history the rule needs: the crossing compares with the previous point and the rule
   * fires on a rising edge, one point before that: 3 bars of x, no calendar span. */
  {
    sluice_history_need need;
    if (sluice_program_history_count(program) != 1 ||
        sluice_program_history_needed(program, 0, &need) != 0 || strcmp(need.series, "x") != 0 ||
        need.bars != 3 || need.days != 0 || need.months != 0 || need.unbounded) {
      fputs("history_needed: not 3 bars of x\n", stderr);
      return 1;
    }
  }
  /* A warm session: days 1-3 (the crossing on day 2) are evaluated silently; x then dips to 0
   * and crosses again on day 5: one event. */
  {
    sluice_stream_options options;
    sluice_session* session;
    size_t warm_events = 0;
    sluice_stream_options_default(&options);
    options.warm_from_registered = 1;
    session = sluice_program_stream_with_options(program, count_event, &warm_events, &options);
    if (!session || sluice_session_push(session, "x", times[2], 9) != SLUICE_PUSH_LATE ||
        sluice_session_push(session, "x", sluice_date(2024, 1, 4), 0) != SLUICE_PUSH_ACCEPTED ||
        sluice_session_push(session, "x", sluice_date(2024, 1, 5), 5) != SLUICE_PUSH_ACCEPTED ||
        sluice_session_finish(session) != 2 || warm_events != 1) {
      fprintf(stderr, "warm session: %zu event(s)\n", warm_events);
      return 1;
    }
    sluice_session_free(session);
  }
  sluice_program_free(program);
  sluice_engine_free(engine);
  return 0;
}
