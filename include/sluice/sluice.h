/* Sluice's C API: plain C over the C++ embedding API (sluice.hpp), for Python (ctypes), Rust,
 * Go and other languages, and for hosts in C++17 or older. Opaque handles; functions never
 * throw or abort on bad input: they return an error code or NULL, and sluice_last_error()
 * (this thread's last error) says why; compiles report structured diagnostics of their own.
 * Strings passed in are UTF-8 and NUL-terminated; strings handed out stay valid as
 * documented per function. Option structs start with struct_size (set by their _default
 * function); the ABI contract is in docs/embedding.md. */
#ifndef SLUICE_H
#define SLUICE_H

#include <stddef.h>
#include <stdint.h>

#include "sluice/export.h"
#include "sluice/version.hpp" /* SLUICE_VERSION_MAJOR, _MINOR, _PATCH, _STRING (plain C) */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sluice_engine sluice_engine;
typedef struct sluice_program sluice_program;
typedef struct sluice_session sluice_session;
typedef struct sluice_events sluice_events;

/* "MAJOR.MINOR.PATCH" of the library (the header's is SLUICE_VERSION_STRING). */
SLUICE_API const char* sluice_version(void);

/* Midnight UTC of a calendar day, in seconds since 1970-01-01; SLUICE_NO_TIME (and
 * sluice_last_error says why) when it is not a calendar date (month 13, February 30). */
#define SLUICE_NO_TIME INT64_MIN
SLUICE_API int64_t sluice_date(int year, unsigned month, unsigned day);
/* Parses "2026-01-08" into *out; returns 0, or -1 when it is not a date. */
SLUICE_API int sluice_parse_date(const char* iso, int64_t* out);
/* Writes "2026-01-08" (or "2026-01-08 00:05", "2026-01-08 00:05:30") into buf
 * (NUL-terminated, truncated to size);
 * returns the length of the full text. */
SLUICE_API size_t sluice_format_time(int64_t t, char* buf, size_t size);

/* --- engine --- */

/* This thread's last error: the message of the last call made on this thread that failed
 * ("" after a call that succeeded). Never shared between threads; valid until this thread's
 * next call into the library. */
SLUICE_API const char* sluice_last_error(void);

/* Bounds for untrusted rule text; sluice_options_default fills the safe defaults and
 * struct_size. sluice_engine_new refuses (NULL, sluice_last_error() says why) a struct_size
 * it does not know: a host built against a newer header than the library. */
typedef struct sluice_options {
  size_t struct_size;       /* sizeof(sluice_options) */
  int allow_files;          /* 0: `load`/`use` may not read files */
  const char* root_dir;     /* when allowed: the folder they may read (NULL: current dir) */
  size_t max_source_bytes;
  size_t max_rules;
  unsigned max_expansion_depth;
  int64_t max_window_bars;
  int64_t max_window_days;
  size_t max_state_bytes;
  size_t max_def_expansions; /* distinct def expansions per compile (docs/embedding.md) */
  int64_t max_compile_ms;    /* a compile running longer stops with a diagnostic; 0: no bound */
  int quote_file_errors;     /* nonzero: errors inside `use`d files are shown in full (trusted
                                rule authors); 0: only their position */
} sluice_options;

SLUICE_API void sluice_options_default(sluice_options* options);

/* NULL options: the defaults. Returns NULL when out of memory or options->struct_size is
 * wrong (see sluice_last_error). */
SLUICE_API sluice_engine* sluice_engine_new(const sluice_options* options);
SLUICE_API void sluice_engine_free(sluice_engine* engine);
/* The last error of a call this thread made on this engine, "" when none (or when this
 * thread's last call was on another engine). Per thread, like sluice_last_error: two
 * threads compiling on one engine never see each other's errors. */
SLUICE_API const char* sluice_engine_last_error(const sluice_engine* engine);

/* Stops compiles in flight on this engine (from any thread) with a diagnostic while set;
 * cancel 0 clears it so later compiles run. */
SLUICE_API void sluice_engine_cancel(sluice_engine* engine, int cancel);

/* A calendar span (lag, staleness), as sluice::api::period: count days or months (a week
 * is 7 days, a year 12 months). count < 0: not set (the default applies). */
enum { SLUICE_DAYS = 0, SLUICE_MONTHS = 1 };
typedef struct sluice_period {
  int64_t count;
  int unit; /* SLUICE_DAYS or SLUICE_MONTHS */
} sluice_period;

/* How a registered series is read, as `load NAME from ... lag L stale S`. */
typedef struct sluice_series_options {
  size_t struct_size;  /* sizeof(sluice_series_options) */
  sluice_period lag;   /* default (count < 0): none */
  sluice_period stale; /* default (count < 0): the larger of 7 days and 4x the median spacing */
} sluice_series_options;
SLUICE_API void sluice_series_options_default(sluice_series_options* options);

/* A series from memory: n times (seconds, strictly ascending; NaN values are skipped) and
 * values. lag_days / stale_days < 0: the defaults. Returns 0, or -1 (see last error). */
SLUICE_API int sluice_engine_add_series(sluice_engine* engine, const char* name,
                                        const int64_t* times, const double* values, size_t n,
                                        int lag_days, int stale_days);
/* The same with periods in days or months; options NULL: the defaults. */
SLUICE_API int sluice_engine_add_series_with(sluice_engine* engine, const char* name,
                                             const int64_t* times, const double* values, size_t n,
                                             const sluice_series_options* options);
/* A series read from a CSV file by the host; column NULL or "": the file's default column. */
SLUICE_API int sluice_engine_add_series_csv(sluice_engine* engine, const char* name,
                                            const char* path, const char* column);
/* The same with series options (NULL: the defaults). */
SLUICE_API int sluice_engine_add_series_csv_with(sluice_engine* engine, const char* name,
                                                 const char* path, const char* column,
                                                 const sluice_series_options* options);

/* A host function name(arg1..argN): called with `count` values (N, or N * window_bars with a
 * window: argument i's last values at [i * window_bars, (i + 1) * window_bars), oldest first).
 * Must be thread-safe when programs run on several threads. NaN means na. */
typedef double (*sluice_function)(const double* args, size_t count, void* user);
SLUICE_API int sluice_engine_add_function(sluice_engine* engine, const char* name, unsigned arity,
                                          sluice_function fn, void* user, int64_t window_bars);

/* One problem with rule text or data, as sluice::api::diagnostic. Strings are never NULL. */
enum { SLUICE_SEVERITY_ERROR = 0, SLUICE_SEVERITY_WARNING = 1 };
typedef struct sluice_diagnostic {
  const char* file;
  unsigned line;   /* 1-based; 0 when the problem has no position */
  unsigned column; /* 1-based byte column */
  int severity;    /* SLUICE_SEVERITY_ERROR or SLUICE_SEVERITY_WARNING */
  const char* message;
  const char* note;     /* a hint, "" when none */
  const char* rendered; /* "file:line:col: error: message", the source line, a caret, note */
} sluice_diagnostic;
/* The diagnostics of one compile, owned by the caller: free with sluice_diagnostics_free.
 * Pointers from it are valid until then. */
typedef struct sluice_diagnostics sluice_diagnostics;
SLUICE_API size_t sluice_diagnostics_count(const sluice_diagnostics* diagnostics);
/* NULL when index >= count. */
SLUICE_API const sluice_diagnostic* sluice_diagnostics_get(const sluice_diagnostics* diagnostics,
                                                           size_t index);
/* Every diagnostic rendered, one after another ("" when none). */
SLUICE_API const char* sluice_diagnostics_rendered(const sluice_diagnostics* diagnostics);
SLUICE_API void sluice_diagnostics_free(sluice_diagnostics* diagnostics);

/* Compiles rule text (length bytes; name is used in diagnostics, may be NULL). Returns NULL
 * when the text has errors. diagnostics (may be NULL) receives this compile's own
 * diagnostics, errors or the warnings of a success: safe when several threads compile on
 * one engine at once. */
SLUICE_API sluice_program* sluice_compile_with(sluice_engine* engine, const char* source,
                                               size_t length, const char* name,
                                               sluice_diagnostics** diagnostics);
/* The same without the handle: on failure sluice_last_error() (and sluice_engine_last_error)
 * hold the rendered diagnostics; on success they are "" (warnings: use sluice_compile_with). */
SLUICE_API sluice_program* sluice_compile(sluice_engine* engine, const char* source, size_t length,
                                          const char* name);

/* --- program: immutable; may be used from several threads at once --- */

SLUICE_API void sluice_program_free(sluice_program* program);

/* Introspection: the rule names in file order and the series (columns) the program reads.
 * Strings are valid while the program lives; NULL when index >= count. */
SLUICE_API size_t sluice_program_rule_count(const sluice_program* program);
SLUICE_API const char* sluice_program_rule(const sluice_program* program, size_t index);
SLUICE_API size_t sluice_program_series_count(const sluice_program* program);
SLUICE_API const char* sluice_program_series(const sluice_program* program, size_t index);

/* One rule firing. Pointers are valid for the duration of a callback, or until the events
 * handle they came from is freed. */
typedef struct sluice_event {
  int64_t time;
  size_t point;  /* position on the timeline */
  const char* rule;
  size_t action_count;
  const char* const* actions;
  size_t value_count;
  const char* const* value_names;
  const double* values; /* NaN: missing */
  size_t message_count;
  const char* const* messages;
  /* Exact runs and sessions (SLUICE_EXACT): each value's exact decimal text ("2612.48",
   * "na"), value_count of them; NULL in double mode. */
  const char* const* value_texts;
  /* Added in 0.1 after value_texts (events are only read through pointers the library hands
   * out, so the struct may grow at its end): the time in milliseconds; `time` is it rounded
   * down to the second. */
  int64_t time_ms;
} sluice_event;

/* Flags of sluice_program_run_with and sluice_program_stream_with. */
enum {
  SLUICE_EXACT = 1, /* 34-digit decimal arithmetic instead of double (docs/exact.md) */
  /* Sessions: time each rule's evaluation (sluice_session_rule_evaluation_ns), as
   * stream_options::time_rules. Batch runs always time their rules. */
  SLUICE_TIME_RULES = 2
};

/* A batch run over the program's series. from / to: NULL for none. Returns NULL only when out
 * of memory; check sluice_events_ok. */
SLUICE_API sluice_events* sluice_program_run(const sluice_program* program, const int64_t* from,
                                             const int64_t* to);
/* The same with flags (SLUICE_EXACT); flags 0 is sluice_program_run. */
SLUICE_API sluice_events* sluice_program_run_with(const sluice_program* program,
                                                  const int64_t* from, const int64_t* to,
                                                  unsigned flags);
SLUICE_API int sluice_events_ok(const sluice_events* events);
SLUICE_API const char* sluice_events_error(const sluice_events* events); /* "" when ok */
/* The run's data problems one by one (sluice_events_error has them rendered). */
SLUICE_API size_t sluice_events_diagnostic_count(const sluice_events* events);
SLUICE_API const sluice_diagnostic* sluice_events_diagnostic(const sluice_events* events,
                                                             size_t index);
SLUICE_API size_t sluice_events_count(const sluice_events* events);
SLUICE_API const sluice_event* sluice_events_get(const sluice_events* events, size_t index);
SLUICE_API void sluice_events_free(sluice_events* events);

/* --- streaming sessions: one thread at a time each --- */

typedef void (*sluice_event_callback)(const sluice_event* event, void* user);

/* Returns NULL only when out of memory. */
SLUICE_API sluice_session* sluice_program_stream(const sluice_program* program,
                                                 sluice_event_callback fn, void* user);
/* The same with flags (SLUICE_EXACT: values are read as decimals, see
 * sluice_session_push_decimal); flags 0 is sluice_program_stream. */
SLUICE_API sluice_session* sluice_program_stream_with(const sluice_program* program,
                                                      sluice_event_callback fn, void* user,
                                                      unsigned flags);

/* A session's options, as sluice::api::stream_options. */
typedef struct sluice_stream_options {
  size_t struct_size; /* sizeof(sluice_stream_options) */
  unsigned flags;     /* SLUICE_EXACT */
  int has_from;       /* nonzero: firings before `from` are not reported */
  int64_t from;
  /* Staleness per series for this session, overriding the engine's rule: stale_count
   * names and periods (parallel arrays, copied by the call). */
  size_t stale_count;
  const char* const* stale_series;
  const sluice_period* stale_periods;
  size_t max_pending; /* accepted observations waiting ahead of the clock; 0: no bound */
  /* Added in 0.1 after max_pending (a struct_size ending at max_pending is still accepted):
   * nonzero starts the session warm, as stream_options::warm_from_registered: the history
   * held for the program's series at compile time is evaluated silently first, and pushes
   * continue after its last observation. See sluice_program_history_needed. */
  int warm_from_registered;
} sluice_stream_options;
SLUICE_API void sluice_stream_options_default(sluice_stream_options* options);
/* options NULL: the defaults. Returns NULL when out of memory or the options are invalid
 * (see sluice_last_error). */
SLUICE_API sluice_session* sluice_program_stream_with_options(const sluice_program* program,
                                                              sluice_event_callback fn, void* user,
                                                              const sluice_stream_options* options);
SLUICE_API void sluice_session_free(sluice_session* session);
/* Why the session's last advance_to or finish failed (a call from inside the event
 * callback is refused), "" when it did not. Valid until the next call on the session. */
SLUICE_API const char* sluice_session_last_error(const sluice_session* session);

/* Push results (see docs/embedding.md): the values of sluice::api::push_status
 * (sluice/push_status.hpp), checked against it when the library is built. */
enum {
  SLUICE_PUSH_ACCEPTED = 0,
  SLUICE_PUSH_UNKNOWN_SERIES = 1, /* ignored */
  SLUICE_PUSH_MISSING_VALUE = 2,  /* NaN: ignored */
  SLUICE_PUSH_DUPLICATE = 3,      /* same time as the previous push: first value kept */
  SLUICE_PUSH_OUT_OF_ORDER = 4,   /* rejected */
  SLUICE_PUSH_LATE = 5,           /* at or before the clock: rejected */
  SLUICE_PUSH_INVALID_NUMBER = 6, /* push_decimal: the text is not a decimal number: rejected */
  SLUICE_PUSH_INVALID_VALUE = 7,  /* infinite: not a market value: rejected */
  SLUICE_PUSH_NO_SESSION = 8,     /* the session is NULL: nothing was pushed */
  SLUICE_PUSH_PENDING_FULL = 9    /* max_pending observations wait for the clock: rejected */
};
SLUICE_API int sluice_session_push(sluice_session* session, const char* series, int64_t time,
                                   double value);
/* A value as decimal text ("2612.48"), read exactly in an exact session (in a double
 * session it is parsed to the nearest double). */
SLUICE_API int sluice_session_push_decimal(sluice_session* session, const char* series,
                                           int64_t time, const char* text);
SLUICE_API const char* sluice_push_status_text(int status);
/* Evaluates every timeline point <= t (the host promises all observations <= t are pushed);
 * events arrive through the callback. Returns the points evaluated. */
SLUICE_API size_t sluice_session_advance_to(sluice_session* session, int64_t t);
SLUICE_API size_t sluice_session_finish(sluice_session* session);
SLUICE_API size_t sluice_session_state_bytes(const sluice_session* session);
/* Counters for a host's metrics: pushes that ended with `status` (a SLUICE_PUSH_ value),
 * firings of the rule at `rule_index` (sluice_program_rule order), and nanoseconds spent in
 * advance_to / finish (callbacks included). 0 for a NULL session or an unknown index. */
SLUICE_API size_t sluice_session_push_count(const sluice_session* session, int status);
SLUICE_API size_t sluice_session_firings(const sluice_session* session, size_t rule_index);
SLUICE_API int64_t sluice_session_evaluation_ns(const sluice_session* session);

/* ---- history needed, host-function failures (docs/embedding.md) ---- */

/* How much history of one series a program needs before its first firing can be trusted, as
 * sluice::api::history_need: the first trusted point is the bars-th timeline point from the
 * series' start and at least days + months after it; unbounded: some value depends on all
 * earlier points (ema, drawdown, cooldown, ...). series is valid while the program lives. */
typedef struct sluice_history_need {
  const char* series;
  int64_t bars;
  int64_t days;
  int64_t months;
  int unbounded;
} sluice_history_need;
/* The number of series with a need (one per series the program reads). */
SLUICE_API size_t sluice_program_history_count(const sluice_program* program);
/* Fills *out for the series at index; returns 0, or -1 when index >= count or out is NULL. */
SLUICE_API int sluice_program_history_needed(const sluice_program* program, size_t index,
                                             sluice_history_need* out);

/* A host function that can report failure: returns 0 and writes *result, or nonzero when it
 * failed. A failure (or an infinite result) is na at that point and counted per function
 * (sluice_events_host_failures, sluice_session_host_failures); it never stops a run. */
typedef int (*sluice_checked_function)(const double* args, size_t count, double* result,
                                       void* user);
SLUICE_API int sluice_engine_add_checked_function(sluice_engine* engine, const char* name,
                                                  unsigned arity, sluice_checked_function fn,
                                                  void* user, int64_t window_bars);
/* Calls of host function `name` that failed (reported failure, or returned an infinity) in
 * a run or a session so far; 0 for an unknown name or NULL. */
SLUICE_API size_t sluice_events_host_failures(const sluice_events* events, const char* name);
SLUICE_API size_t sluice_session_host_failures(const sluice_session* session, const char* name);

/* ---- end of history needed, host-function failures ---- */

/* ---- per-rule counters (docs/embedding.md, "Counters") ---- */

/* A batch run's events of the rule at `rule_index` (sluice_program_rule order), the
 * nanoseconds spent on that rule's instructions (shared expressions count for the first
 * rule that uses them), and the run's wall time in all (at least the rules' sum). 0 for
 * NULL or an unknown index. */
SLUICE_API size_t sluice_events_firings(const sluice_events* events, size_t rule_index);
SLUICE_API int64_t sluice_events_rule_evaluation_ns(const sluice_events* events, size_t rule_index);
SLUICE_API int64_t sluice_events_evaluation_ns(const sluice_events* events);
/* A session's nanoseconds on the rule at `rule_index` so far; 0 unless the session was
 * started with SLUICE_TIME_RULES. At most sluice_session_evaluation_ns in all. */
SLUICE_API int64_t sluice_session_rule_evaluation_ns(const sluice_session* session,
                                                     size_t rule_index);

/* ---- end of per-rule counters ---- */

/* ---- millisecond times (docs/embedding.md, "Time resolution") ----
 * Sluice's times are milliseconds since 1970-01-01 UTC; the int64_t times of the functions
 * above are seconds (t seconds are t * 1000 ms). These take milliseconds; both kinds mix
 * freely in one session. */
/* Midnight UTC of a calendar day in milliseconds; SLUICE_NO_TIME when it is not a date. */
SLUICE_API int64_t sluice_date_ms(int year, unsigned month, unsigned day);
/* As sluice_format_time, with ".250" after the seconds when t is not a whole second. */
SLUICE_API size_t sluice_format_time_ms(int64_t t_ms, char* buf, size_t size);
/* As sluice_engine_add_series_with (options NULL: the defaults), times in milliseconds. */
SLUICE_API int sluice_engine_add_series_ms(sluice_engine* engine, const char* name,
                                           const int64_t* times_ms, const double* values, size_t n,
                                           const sluice_series_options* options);
/* As sluice_program_run_with, from / to in milliseconds (NULL for none). */
SLUICE_API sluice_events* sluice_program_run_ms(const sluice_program* program,
                                                const int64_t* from_ms, const int64_t* to_ms,
                                                unsigned flags);
SLUICE_API int sluice_session_push_ms(sluice_session* session, const char* series, int64_t time_ms,
                                      double value);
SLUICE_API int sluice_session_push_decimal_ms(sluice_session* session, const char* series,
                                              int64_t time_ms, const char* text);
SLUICE_API size_t sluice_session_advance_to_ms(sluice_session* session, int64_t t_ms);
/* ---- end of millisecond times ---- */

#ifdef __cplusplus
}
#endif

#endif /* SLUICE_H */
