/* Sluice's C API: plain C over the C++ embedding API (sluice.hpp), for Python (ctypes), Rust,
 * Go and other languages. Opaque handles; functions never throw or abort on bad input: they
 * return an error code or NULL, and the engine's last error says why. Strings passed in are
 * UTF-8 and NUL-terminated; strings handed out stay valid as documented per function. */
#ifndef SLUICE_H
#define SLUICE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sluice_engine sluice_engine;
typedef struct sluice_program sluice_program;
typedef struct sluice_session sluice_session;
typedef struct sluice_events sluice_events;

/* "MAJOR.MINOR.PATCH" of the library. */
const char* sluice_version(void);

/* Midnight UTC of a calendar day, in seconds since 1970-01-01. */
int64_t sluice_date(int year, unsigned month, unsigned day);
/* Parses "2026-01-08" into *out; returns 0, or -1 when it is not a date. */
int sluice_parse_date(const char* iso, int64_t* out);
/* Writes "2026-01-08" (or "2026-01-08 00:05") into buf (NUL-terminated, truncated to size);
 * returns the length of the full text. */
size_t sluice_format_time(int64_t t, char* buf, size_t size);

/* --- engine --- */

/* Bounds for untrusted rule text; sluice_options_default fills the safe defaults. */
typedef struct sluice_options {
  int allow_files;          /* 0: `load`/`use` may not read files */
  const char* root_dir;     /* when allowed: the folder they may read (NULL: current dir) */
  size_t max_source_bytes;
  size_t max_rules;
  unsigned max_expansion_depth;
  int64_t max_window_bars;
  int64_t max_window_days;
  size_t max_state_bytes;
} sluice_options;

void sluice_options_default(sluice_options* options);

/* NULL options: the defaults. Returns NULL only when out of memory. */
sluice_engine* sluice_engine_new(const sluice_options* options);
void sluice_engine_free(sluice_engine* engine);
/* The last error of a call on this engine (or of a compile), "" when none. Valid until the
 * next call on the engine. */
const char* sluice_engine_last_error(const sluice_engine* engine);

/* A series from memory: n times (seconds, strictly ascending; NaN values are skipped) and
 * values. lag_days / stale_days < 0: the defaults. Returns 0, or -1 (see last error). */
int sluice_engine_add_series(sluice_engine* engine, const char* name, const int64_t* times,
                             const double* values, size_t n, int lag_days, int stale_days);
/* A series read from a CSV file by the host; column NULL or "": the file's default column. */
int sluice_engine_add_series_csv(sluice_engine* engine, const char* name, const char* path,
                                 const char* column);

/* A host function name(arg1..argN): called with `count` values (N, or N * window_bars with a
 * window: argument i's last values at [i * window_bars, (i + 1) * window_bars), oldest first).
 * Must be thread-safe when programs run on several threads. NaN means na. */
typedef double (*sluice_function)(const double* args, size_t count, void* user);
int sluice_engine_add_function(sluice_engine* engine, const char* name, unsigned arity,
                               sluice_function fn, void* user, int64_t window_bars);

/* Compiles rule text (length bytes; name is used in diagnostics, may be NULL). Returns NULL
 * when the text has errors: sluice_engine_last_error() then holds the rendered diagnostics. */
sluice_program* sluice_compile(sluice_engine* engine, const char* source, size_t length,
                               const char* name);

/* --- program: immutable; may be used from several threads at once --- */

void sluice_program_free(sluice_program* program);

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
} sluice_event;

/* Flags of sluice_program_run_with and sluice_program_stream_with. */
enum {
  SLUICE_EXACT = 1 /* 34-digit decimal arithmetic instead of double (docs/exact.md) */
};

/* A batch run over the program's series. from / to: NULL for none. Returns NULL only when out
 * of memory; check sluice_events_ok. */
sluice_events* sluice_program_run(const sluice_program* program, const int64_t* from,
                                  const int64_t* to);
/* The same with flags (SLUICE_EXACT); flags 0 is sluice_program_run. */
sluice_events* sluice_program_run_with(const sluice_program* program, const int64_t* from,
                                       const int64_t* to, unsigned flags);
int sluice_events_ok(const sluice_events* events);
const char* sluice_events_error(const sluice_events* events); /* "" when ok */
size_t sluice_events_count(const sluice_events* events);
const sluice_event* sluice_events_get(const sluice_events* events, size_t index);
void sluice_events_free(sluice_events* events);

/* --- streaming sessions: one thread at a time each --- */

typedef void (*sluice_event_callback)(const sluice_event* event, void* user);

/* Returns NULL only when out of memory. */
sluice_session* sluice_program_stream(const sluice_program* program, sluice_event_callback fn,
                                      void* user);
/* The same with flags (SLUICE_EXACT: values are read as decimals, see
 * sluice_session_push_decimal); flags 0 is sluice_program_stream. */
sluice_session* sluice_program_stream_with(const sluice_program* program,
                                           sluice_event_callback fn, void* user, unsigned flags);
void sluice_session_free(sluice_session* session);

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
  SLUICE_PUSH_NO_SESSION = 8      /* the session is NULL: nothing was pushed */
};
int sluice_session_push(sluice_session* session, const char* series, int64_t time, double value);
/* A value as decimal text ("2612.48"), read exactly in an exact session (in a double
 * session it is parsed to the nearest double). */
int sluice_session_push_decimal(sluice_session* session, const char* series, int64_t time,
                                const char* text);
const char* sluice_push_status_text(int status);
/* Evaluates every timeline point <= t (the host promises all observations <= t are pushed);
 * events arrive through the callback. Returns the points evaluated. */
size_t sluice_session_advance_to(sluice_session* session, int64_t t);
size_t sluice_session_finish(sluice_session* session);
size_t sluice_session_state_bytes(const sluice_session* session);

#ifdef __cplusplus
}
#endif

#endif /* SLUICE_H */
