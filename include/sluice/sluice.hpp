// Sluice's embedding API: the only header a C++ host includes. An engine owns series and host
// functions and compiles rule text into programs; a program runs over history (batch) or
// streams (a session the host feeds observations). No exception escapes for bad rule text or
// bad data: problems come back as diagnostics and status values. Implementation types stay
// behind pointers, so the library can change without breaking hosts. See docs/embedding.md.
#pragma once
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/export.h"
#include "sluice/push_status.hpp"
#include "sluice/version.hpp"

namespace sluice::api {

// The library's version, "MAJOR.MINOR.PATCH" (the headers' is SLUICE_VERSION_STRING).
SLUICE_API const char* version() noexcept;

// --- Time ---------------------------------------------------------------------------------

// Seconds since 1970-01-01 00:00 UTC; a daily observation sits at midnight.
using timestamp = std::int64_t;
// Milliseconds since 1970-01-01 00:00 UTC: Sluice's own resolution (docs/embedding.md, "Time
// resolution"). Every call taking a timestamp has a _ms twin (push_ms, advance_to_ms, ...);
// both kinds mix freely in one session. A timestamp t is the timestamp_ms t * 1000; a time
// with milliseconds reads as a timestamp rounded down to its second.
using timestamp_ms = std::int64_t;

// A calendar day (proleptic Gregorian).
struct date {
  int year = 1970;
  unsigned month = 1;
  unsigned day = 1;
};

// Midnight UTC of d; throws std::invalid_argument when d is not a calendar date (month 13,
// February 30).
SLUICE_API timestamp to_timestamp(date d);
SLUICE_API date to_date(timestamp t) noexcept;
// "2026-01-08", or "2026-01-08 00:05" when the time of day is not midnight, with seconds
// ("2026-01-08 00:05:30") when it is not a whole minute.
SLUICE_API std::string format_timestamp(timestamp t);
// Parses "2026-01-08"; nullopt when it is not a valid date.
SLUICE_API std::optional<timestamp> parse_date(std::string_view iso);
// The same in milliseconds. format_timestamp_ms adds ".250" to the seconds when the time is
// not a whole second ("2026-01-08 00:05:30.250"); read_csv and `sluice watch` read it back.
SLUICE_API timestamp_ms to_timestamp_ms(date d);
SLUICE_API date to_date_ms(timestamp_ms t) noexcept;
SLUICE_API std::string format_timestamp_ms(timestamp_ms t);

// A calendar span (lag, staleness): days or months (a week is 7 days, a year 12 months).
struct period {
  enum class unit : std::uint8_t { days, months };
  std::int64_t count = 0;
  unit kind = unit::days;
};
constexpr period days(std::int64_t n) { return {n, period::unit::days}; }
constexpr period weeks(std::int64_t n) { return {7 * n, period::unit::days}; }
constexpr period months(std::int64_t n) { return {n, period::unit::months}; }
constexpr period years(std::int64_t n) { return {12 * n, period::unit::months}; }

// --- Data -----------------------------------------------------------------------------------

// The observations of one series column, ascending in time.
struct series_data {
  std::vector<timestamp> times;  // rounded down to the second
  std::vector<double> values;
  std::vector<timestamp_ms> times_ms;  // the same times with their milliseconds
};

// Reads one column of a CSV file with Sluice's loader (FRED, Yahoo, CoinGecko, ... formats;
// empty cells are no observation). `column` empty: the file's default column. On failure
// returns nullopt and, when `error` is given, says why.
SLUICE_API std::optional<series_data> read_csv(const std::string& path,
                                               std::string_view column = {},
                                               std::string* error = nullptr);

// --- Results --------------------------------------------------------------------------------

// The outcome of a call that can fail: ok, or a message saying why not.
struct [[nodiscard]] status {
  bool ok = true;
  std::string message;
  explicit operator bool() const { return ok; }
};

// One problem with rule text (or data): where, what, a hint, and the rendered form
// ("file:line:col: error: message", the source line, a caret, "note: ...").
struct diagnostic {
  std::string file;
  unsigned line = 0;    // 1-based; 0 when the problem has no position
  unsigned column = 0;  // 1-based byte column
  bool is_error = true;  // false: a warning
  std::string message;
  std::string note;
  std::string rendered;
};

struct named_value {
  std::string name;
  double value = 0;  // NaN when missing (na)
  std::string text;  // exact mode: the exact decimal ("2612.48", "na"); empty otherwise
};

// One rule firing.
struct event {
  timestamp time = 0;        // rounded down to the second
  timestamp_ms time_ms = 0;  // the same time with its milliseconds
  std::size_t point = 0;  // position on the timeline (0 = first point)
  std::string rule;
  std::vector<std::string> actions;   // "watch alts for 90d", "signal stage3", "alert"
  std::vector<named_value> values;    // the series the condition referenced, at `time`
  std::vector<std::string> messages;  // alert texts, interpolated
  // The rule's position in program::rules(). Events with the same rule_index carry the same
  // rule name, actions and value names (in the same order), so a host can group events by it
  // without comparing text (the Python package builds its columns this way).
  std::size_t rule_index = 0;
};

// --- Engine ---------------------------------------------------------------------------------

// Bounds for untrusted rule text; defaults are safe for text typed by strangers. Exceeding one
// is a diagnostic, never a crash or an unbounded allocation.
struct engine_options {
  bool allow_files = false;  // may `load`/`use` read files?
  // When allowed: paths are relative to it and may not leave it; empty: the current directory
  // (resolved at each compile). Only regular files are read; errors never quote them.
  std::string root_dir;
  std::size_t max_source_bytes = 1 << 20;
  std::size_t max_rules = 1000;
  unsigned max_expansion_depth = 32;    // nested def expansions
  std::int64_t max_window_bars = 100'000;
  std::int64_t max_window_days = 50 * 366;
  std::size_t max_state_bytes = 64u << 20;  // estimated run state (windows, registers)
  // Bounded compiles (docs/embedding.md, "Compile cost"). Repeated def calls with the same
  // arguments are shared; distinct expansions past this bound are refused with a diagnostic.
  std::size_t max_def_expansions = 20'000;
  // A compile running longer stops with a diagnostic; zero: no time bound.
  std::chrono::milliseconds max_compile_time{10'000};
  // Set (from any thread) to stop compiles in flight on this engine with a diagnostic.
  // The host owns the flag and keeps it alive while the engine compiles.
  const std::atomic<bool>* cancel = nullptr;
  // With allow_files, an error inside a `use`d file shows only its position (the file's text
  // stays private from the rule author). A host compiling its user's own files (the CLI,
  // `sluice watch`) sets this to show the full diagnostic, source line and all.
  bool quote_file_errors = false;
};

// How a registered series is read: as `load NAME from ... lag L stale S` would.
struct series_options {
  std::optional<period> lag;    // publication delay (default none)
  std::optional<period> stale;  // default: the larger of 7 days and 4x the median spacing
};

// A pure numeric function callable from rule text. Called from the threads that run programs,
// possibly several at once: it must be thread-safe. NaN means na.
using host_function = std::function<double(std::span<const double>)>;

struct run_options {
  std::optional<timestamp> from;  // firings before this are not reported (warm-up still runs)
  std::optional<timestamp> to;    // the timeline ends here
  std::optional<timestamp_ms> from_ms, to_ms;  // the same in milliseconds; they win when set
  bool exact = false;  // decimal arithmetic (34 digits) instead of double (docs/exact.md)
};

struct run_result {
  bool ok = false;                      // false: data was missing (see diagnostics)
  std::vector<event> events;
  std::vector<diagnostic> diagnostics;  // data problems (missing series, unreadable files)
  std::size_t points = 0;               // timeline points evaluated
  // Host-function failures: per function the program calls (in registration order), the
  // calls that threw (C: reported failure) or returned an infinity; each gave na at its
  // point (docs/embedding.md, "Host functions").
  std::vector<std::pair<std::string, std::size_t>> host_function_failures;
  // ---- per-rule counters (docs/embedding.md, "Counters") ----
  // Per rule, in rule order (program::rules()): the events it gave, and the time spent on
  // its instructions, measured per block of points (a rule's share of expressions common to
  // several rules counts for the first rule that uses them). Their sum is at most
  // evaluation_time: the wall time of the whole run (data alignment and events included).
  std::vector<std::pair<std::string, std::size_t>> firings;
  std::vector<std::pair<std::string, std::chrono::nanoseconds>> rule_evaluation_time;
  std::chrono::nanoseconds evaluation_time{0};
};

// What a push did with an observation: push_status, in sluice/push_status.hpp.
SLUICE_API const char* to_string(push_status s) noexcept;

struct stream_options {
  std::optional<timestamp> from;  // firings before this are not reported
  std::optional<timestamp_ms> from_ms;  // the same in milliseconds; wins when set
  // Staleness per series for this session, overriding the engine's rule (docs/embedding.md).
  std::vector<std::pair<std::string, period>> stale;
  // Decimal arithmetic (34 digits) as run_options::exact; push_decimal() then reads values
  // exactly, and push() takes each double's shortest round-trip text (docs/exact.md).
  bool exact = false;
  // At most this many accepted observations may wait ahead of the clock (pushed, not yet
  // evaluated by advance_to); one more is refused with push_status::pending_full, so a host
  // that stops advancing cannot grow a session without bound. 0: no bound.
  std::size_t max_pending = 0;
  // Start warm: the session first evaluates, silently (no callback, no counted firings), the
  // history the engine held for the program's series when it was compiled (registered
  // series, and the files `load` reads), exactly as a batch run would; its clock then stands
  // at the last of those observations and pushes continue after it (earlier ones are late).
  // program::history_needed() says how much history that must be for the first firings to
  // be trusted (docs/embedding.md, "Warm sessions").
  bool warm_from_registered = false;
  // Time each rule's evaluation (session_counters::rule_evaluation_time). Off by default: a
  // session evaluating one point per advance_to reads a clock per rule per point.
  bool time_rules = false;
};

// What a session has seen (session::counters()): one count per push outcome, the firings per
// rule and the time spent evaluating, for a host's metrics.
struct session_counters {
  std::size_t pushes[static_cast<std::size_t>(last_push_status) + 1] = {};  // by push_status
  std::size_t count(push_status s) const { return pushes[static_cast<std::size_t>(s)]; }
  std::vector<std::pair<std::string, std::size_t>> firings;  // per rule, in rule order
  std::size_t pending = 0;  // accepted observations waiting ahead of the clock now
  // Wall time inside advance_to() and finish(), the event callbacks included.
  std::chrono::nanoseconds evaluation_time{0};
  // Host-function failures so far, as run_result::host_function_failures (a warm start's
  // included).
  std::vector<std::pair<std::string, std::size_t>> host_function_failures;
  // With stream_options::time_rules, per rule in rule order: the time spent on its
  // instructions, as run_result::rule_evaluation_time (at most evaluation_time in all; a
  // warm start's history is not counted, as in evaluation_time); empty without.
  std::vector<std::pair<std::string, std::chrono::nanoseconds>> rule_evaluation_time;
};

// ---- history needed (program::history_needed; docs/embedding.md, "Warm sessions") -------
// How much history of one series a program needs before its results can be trusted: a
// point is trusted when `bars` - 1 timeline points precede it (bars = 1: none) and the
// earliest of those lies at least `days` days plus `months` months after the start of the
// series' data. Windows, lookbacks (`lag(x, 1 bars)`, `pct(x, 4w)`), nested windows (they
// add up), the rising edge a rule fires on (one point) and the series' publication lag all
// count. Bars count timeline points: with one series, its observations.
struct history_need {
  std::string series;  // a series the program reads ("btc"; its fields count as the series)
  std::int64_t bars = 1;
  std::int64_t days = 0;
  std::int64_t months = 0;
  // Some value at a point depends on every earlier point, however long ago: ema and rsi
  // (decaying averages), drawdown's peak, rebase's and basket's anchors, a new high without
  // a window, a rule's cooldown or `once`. The need above then gives defined values, but
  // results equal to a run from the data's start only when the history starts there.
  bool unbounded = false;
};
// ---- end of history needed ----

using event_callback = std::function<void(const event&)>;

// ---- forward stats, explanations and load reports (the Python package's needs) ----------

// One row of the forward-return table: a rule (or "baseline": every timeline point), a
// series it watches, a horizon, and the returns X(t + h) / X(t) - 1 after its events.
struct horizon_summary {
  std::string rule;
  std::string watched;
  std::string horizon;       // as the rules write it: "30d", "3mo", "20 bars"
  std::size_t count = 0;     // events whose return at this horizon is defined
  std::size_t pending = 0;   // events whose horizon passes the end of the data
  std::size_t no_data = 0;   // events at which the watched series has no value (at t or t + h)
  double mean = 0, median = 0, hit_rate = 0, worst = 0;  // NaN when count == 0
  double max_drawdown = 0, max_runup = 0;  // deepest / highest inside the horizon; NaN when count == 0
  std::size_t episodes = 0;  // runs of counted events whose horizons overlap
};

// One event's forward return at one horizon (the rows behind a horizon_summary).
struct event_return {
  std::string rule;
  std::string watched;
  std::string horizon;
  timestamp time = 0;     // the event's date
  std::string status;     // "ok", "pending" (t + h after the data), "no_data"
  double ret = 0;         // X(t + h) / X(t) - 1; NaN unless ok
  double max_drawdown = 0, max_runup = 0;  // NaN unless ok
  timestamp_ms time_ms = 0;  // the event's time in milliseconds (time is rounded down)
};

struct stats_result {
  run_result run;                     // the events the stats are about
  std::vector<horizon_summary> rows;  // per rule and watched series, then the baselines
  std::vector<event_return> events;   // per rule, watched series, horizon and event
  std::vector<std::string> warnings;  // too few events, overlapping horizons (as the CLI's)
};

struct explanation {
  bool ok = false;
  std::string text;   // the condition as a tree with each part's value (see sluice explain)
  std::string error;  // when !ok: the unknown rule, the missing data
};

// What Sluice's CSV loader made of a file: nothing dropped silently.
struct load_report {
  struct rejected_row {
    std::size_t line = 0;  // 1-based line in the file
    std::string reason;
  };
  std::string path;
  std::size_t rows_read = 0;      // data rows (header excluded)
  std::size_t rows_used = 0;      // rows that became observations
  std::size_t missing_cells = 0;  // empty, `.`, null or NaN cells: no observation
  std::vector<rejected_row> rejected;
  std::vector<std::string> notes;  // "rows were in descending date order; sorted", ...
  std::string text;                // one line per rejected row and note, as the CLI prints
};

// read_csv, also filling `report` (when given) whenever the file could be parsed.
SLUICE_API std::optional<series_data> read_csv(const std::string& path, std::string_view column,
                                               std::string* error, load_report* report);

// The publication lag the series catalogue gives a series name or file stem ("tga",
// "wtregen", "fred:WTREGEN"; docs/data.md), which `sluice run --data` and `sluice watch`
// apply to the files of a data folder; nullopt when the catalogue does not know it or its
// lag is zero.
SLUICE_API std::optional<period> catalogue_lag(std::string_view name);
// ---- end of forward stats, explanations and load reports -------------------------------

class program;

namespace detail {
struct program_impl;
struct session_impl;
struct engine_impl;
struct parts_access;
}  // namespace detail

// An incremental run: push observations, advance the clock, events arrive through the
// callback as rules fire. Not thread-safe itself; use one session per thread.
class SLUICE_API session {
 public:
  session(session&&) noexcept;
  session& operator=(session&&) noexcept;
  ~session();

  // `series` is a name the program reads ("btc", or "btc.volume" for a field). NaN is no
  // observation (missing_value); an infinite value is refused (invalid_value).
  [[nodiscard]] push_status push(std::string_view series, timestamp t, double value);
  // The value as decimal text ("2612.48", "-0.5", "2.6e3"): exact in an exact session.
  [[nodiscard]] push_status push_decimal(std::string_view series, timestamp t, std::string_view text);
  // The same with the time in milliseconds: two ticks 250 ms apart are two observations.
  [[nodiscard]] push_status push_ms(std::string_view series, timestamp_ms t, double value);
  [[nodiscard]] push_status push_decimal_ms(std::string_view series, timestamp_ms t,
                                            std::string_view text);
  // Promises that every observation dated <= t has been pushed, and evaluates every timeline
  // point <= t. Returns the number of points evaluated. Callback rules (docs/embedding.md):
  // an exception from the callback propagates after the session is consistent (points not
  // yet evaluated stay pending, the clock stays at the last point evaluated, events not yet
  // delivered come first next time); calling advance_to() or finish() from inside the
  // callback throws std::logic_error. On a moved-from session push returns no_session and
  // every other call throws std::logic_error.
  std::size_t advance_to(timestamp t);
  std::size_t advance_to_ms(timestamp_ms t);  // advance_to with the time in milliseconds
  // End of data: evaluates every pending point.
  std::size_t finish();

  std::optional<timestamp> clock() const;  // rounded down to the second
  std::optional<timestamp_ms> clock_ms() const;
  std::size_t points() const;                // timeline points evaluated so far
  std::size_t state_bytes() const;           // window state + retained observations
  std::size_t retained_observations() const;
  std::vector<std::string> series() const;   // the names push() accepts
  session_counters counters() const;

 private:
  friend class program;
  explicit session(std::unique_ptr<detail::session_impl> impl);
  detail::session_impl& live() const;
  std::unique_ptr<detail::session_impl> impl_;
};

// A compiled program: immutable, cheap to copy, safe to share across threads (each thread
// runs its own run() or session).
class SLUICE_API program {
 public:
  [[nodiscard]] run_result run(const run_options& options = {}) const;
  [[nodiscard]] session stream(event_callback on_event, const stream_options& options = {}) const;

  std::vector<std::string> rules() const;   // rule names, in file order
  std::vector<std::string> series() const;  // the series (columns) it reads
  std::string disassemble() const;           // the bytecode, per rule
  // ---- history needed (docs/embedding.md, "Warm sessions") ----
  // Per series the program reads, in series() order of first use, how much of its history
  // the program needs before its first firing can be trusted (history_need), derived from
  // the compiled windows, lookbacks and lags.
  [[nodiscard]] std::vector<history_need> history_needed() const;
  // ---- end of history needed ----

  // --- Event ids (sluice watch, docs/watch.md) ---
  // A stable id of one of this program's events: 32 hex digits hashing the program's rule
  // text, the event's rule name and its time. The same rule text firing the same rule at the
  // same time gives the same id in every run, session and process (alert receivers use it
  // to drop duplicates, e.g. as an HTTP Idempotency-Key). The time is time_ms when it agrees
  // with time (events Sluice delivers), else time; a whole second hashes as it did when
  // times were whole seconds, so ids of such events never changed.
  std::string event_id(const event& e) const;
  // The CSV file (path as the rule text's folder resolves it) and column that a `load`
  // statement of the rule text reads for `series` (a name series() returns: "btc", or
  // "btc.volume" for a field, whose column is the field); nullopt for a series the host
  // registered. `sluice watch` reads these files as history, as `sluice run` does.
  struct series_file {
    std::string path;
    std::string column;  // empty: the file's default value column
  };
  std::optional<series_file> loaded_file(std::string_view series) const;
  // --- end event ids ---

  // ---- forward stats and explain (the Python package's needs; docs/embedding.md) ----
  // A batch run plus the forward returns of every watched series after each rule's events,
  // as `sluice run --stats`. `horizons` empty: the program's `horizons`, else 30d, 60d, 90d.
  // Events and baseline points in [from, to] are counted; returns read the data after `to`.
  stats_result stats(const run_options& options = {}, const std::vector<period>& horizons = {}) const;
  // Why `rule` fired or did not at `at` (the last point on or before it), as `sluice
  // explain`; without `at`, every date it fired. An unknown rule or missing data: !ok.
  explanation explain(std::string_view rule, std::optional<timestamp> at = std::nullopt,
                      bool exact = false) const;
  // As explain, `at` in milliseconds: an event between two whole seconds is explained at
  // its own point, not at the last point on or before the second.
  explanation explain_ms(std::string_view rule, std::optional<timestamp_ms> at = std::nullopt,
                         bool exact = false) const;
  // ---- end of forward stats and explain ----

  // ---- per-call publication lags (the Python package's `lags=`; docs/python.md) ----
  // This program with the publication lag of each named series replaced, whatever the
  // catalogue, the host's series_options, `load ... lag` or `set lag` gave it: runs, stats,
  // explanations and sessions of the copy read the series as of t - lag. Names are series
  // (not fields: "tga", not "tga.volume"), any case; the event ids stay the same. A name
  // the program has no series of: nullopt, with `error` (when given) naming it.
  std::optional<program> with_lags(const std::vector<std::pair<std::string, period>>& lags,
                                   std::string* error = nullptr) const;
  // ---- end of per-call publication lags ----

 private:
  friend class engine;
  friend struct detail::parts_access;  // universes in parts (the section at the end)
  explicit program(std::shared_ptr<const detail::program_impl> impl);
  std::shared_ptr<const detail::program_impl> impl_;
};

// The outcome of compile(): a program, or the diagnostics that explain why not. Warnings may
// accompany a program.
class [[nodiscard]] SLUICE_API compile_result {
 public:
  bool ok() const { return program_.has_value(); }
  explicit operator bool() const { return ok(); }
  const program& value() const;  // throws std::logic_error when !ok()
  const std::vector<diagnostic>& diagnostics() const { return diagnostics_; }
  std::string rendered() const;  // all diagnostics, rendered, one after another

 private:
  friend class engine;
  std::optional<program> program_;
  std::vector<diagnostic> diagnostics_;
};

// Owns the host's series and functions; compiles rule text against them. A program captures
// the series and functions registered at its compile time: registering more later does not
// change programs compiled before. Not thread-safe while being modified; compile() is const.
class SLUICE_API engine {
 public:
  explicit engine(engine_options options = {});
  engine(engine&&) noexcept;
  engine& operator=(engine&&) noexcept;
  ~engine();

  // A series from memory: times strictly ascending after NaN values are dropped (NaN = no
  // observation). Replaces a series of the same name. `name` may be "btc.volume" for a field.
  status add_series(std::string_view name, std::span<const timestamp> times,
                    std::span<const double> values, const series_options& options = {});
  // The same with times in milliseconds.
  status add_series_ms(std::string_view name, std::span<const timestamp_ms> times,
                       std::span<const double> values, const series_options& options = {});
  // A series read from a CSV file by the host (not subject to allow_files: this is the host's
  // own file). `column` empty: the file's default column.
  status add_series_csv(std::string_view name, const std::string& path,
                        std::string_view column = {}, const series_options& options = {});
  // A function callable from rule text as name(arg1, ..., argN). Without a window it is
  // called with the N arguments' current values (na when any is na); with a window of W bars
  // with N*W values, argument i's last W values at [i*W, i*W + W), oldest first, na included,
  // from the W-th timeline point on.
  status add_function(std::string_view name, unsigned arity, host_function fn,
                      std::optional<std::int64_t> window_bars = std::nullopt);

  compile_result compile(std::string_view source, std::string_view name = "<rules>") const;

  const engine_options& options() const;

  // ---- times in integer units (the Python package's datetime64[ns]; docs/python.md) ----
  // add_series with times counted in 1/units_per_second of a second since 1970 UTC
  // (1'000'000'000: nanoseconds, numpy's datetime64[ns]; 1'000: milliseconds), converted as
  // the observations are copied in, so the host makes no converted copy. Sluice's times are
  // milliseconds: a time with a fraction of a millisecond is refused (the status names its
  // index and date), never rounded, so two ticks in one millisecond never become one; so is
  // a time in seconds beyond +-292 million years (int64 milliseconds overflow).
  status add_series_units(std::string_view name, std::span<const std::int64_t> times,
                          std::int64_t units_per_second, std::span<const double> values,
                          const series_options& options = {});
  // ---- end of times in integer units ----

 private:
  std::unique_ptr<detail::engine_impl> impl_;
};

// ---- universes in parts (sluice.dask; docs/scale.md) ---------------------------------------
// One universe program run in parts (processes or machines, each holding only some members'
// data) with exactly the results of the whole run. Each part compiles the rules with its own
// members as the universe U (the host appends the line `universe U = <its members>` to the
// rule text; parts are runs of consecutive members in universe order), then:
//   1. part_timeline: the observation times its series give; the host takes the union of
//      every part's: that is the whole run's timeline (`N bars` windows and as-of
//      alignment count its points, so every part evaluates on it);
//   2. part_operands: on that timeline, the operand of each cross-sectional operator (rank,
//      top, mean, median, breadth) for each of its members (evaluating only the code those
//      operands need);
//   3. reduce_cross_section (anywhere): one operator across every member's operand, with the
//      engine's own function (absent members excluded, ties to the member listed first, sums
//      in universe order);
//   4. part_run: its rules on the timeline with the operators' values given, its events as
//      columns, each event's rule numbered as in the whole program.
// Double arithmetic only when the rules have cross-sectional operators (operands cross as
// doubles). Rules may not declare universes of their own.
namespace parts {

// A cross-sectional operator of a program, in code order (the same in every part).
struct cross_section_info {
  std::string op;                 // "rank" (also `top K of`), "mean", "median", "breadth"
  unsigned line = 0, column = 0;  // where the rule text writes it
};
SLUICE_API std::vector<cross_section_info> cross_sections(const program& p);

// Empty when the program's rules can be split by the members of `universe`; else why not
// (a rule over another universe, a universe the rule text declares besides it).
SLUICE_API std::string check_universe(const program& p, std::string_view universe);

// The sorted union of the observation times of every series the program reads, cut at `to`.
SLUICE_API std::vector<timestamp> part_timeline(const program& p, std::optional<timestamp> to,
                                                std::vector<diagnostic>* diagnostics);

struct operands {
  bool ok = false;
  std::vector<diagnostic> diagnostics;
  std::size_t members = 0, points = 0;
  // Per cross-section (cross_sections() order): member m's operand at point i in
  // [m * points + i]; NaN where it is na (absent). breadth: 1 true, 0 false, NaN na.
  std::vector<std::vector<double>> values;
};
SLUICE_API operands part_operands(const program& p, std::span<const timestamp> timeline);

// The operator `op` at each of `points` points across `members` operands laid out as
// operands::values (all members of the universe, in universe order): rank gives member m's
// rank (1 = highest, NaN absent) at [m * points + i]; mean, median and breadth one value per
// point. Throws std::invalid_argument for an unknown op or sizes that do not match.
SLUICE_API std::vector<double> reduce_cross_section(std::string_view op,
                                                    std::span<const double> operands,
                                                    std::size_t members, std::size_t points);

struct layout {
  std::string universe;           // U, as the rules name it
  std::size_t universe_size = 0;  // members of U in the whole run
  std::size_t first_member = 0;   // the position in U of this part's first member
  bool plain_rules = false;       // report the rules that are not `for each` (one part does)
};

// A part's events as columns, in the order the whole run lists them (point, then rule): no
// strings per event, since each event's rule, actions and value names are its rule's
// (listed once per rule below). What crosses the network in sluice.dask.
struct part_result {
  bool ok = false;
  std::vector<diagnostic> diagnostics;  // data problems, as run_result's
  std::size_t points = 0;               // timeline points evaluated
  // Per event:
  std::vector<std::uint32_t> event_point;  // its point on the timeline given to part_run
  std::vector<std::uint32_t> event_rule;   // its rule, in this part's program::rules() order
  // Each event's values, event after event: rule_values[event_rule[e]].size() of them, in
  // that order (NaN for na).
  std::vector<double> values;
  std::vector<std::string> value_texts;  // exact mode: each value's exact decimal text
  // The events with alert texts (positions in event_point), and their texts joined by "; ".
  std::vector<std::uint32_t> alert_events;
  std::vector<std::string> alerts;
  // Per rule of this part (program::rules() order): its index in the whole program (rules in
  // file order, each `for each` rule expanded over every member of U), the names of the
  // values its events carry, and its actions joined by "; " ("watch s0001").
  std::vector<std::size_t> rule_index;
  std::vector<std::vector<std::string>> rule_values;
  std::vector<std::string> rule_actions;
};
// `results[x]`: reduce_cross_section's output for cross-section x over the whole universe,
// cut to this part's members for rank ([m * points + i], m counted from the part's first
// member); one value per point for the others. Throws std::invalid_argument when `results`
// do not match the program's cross-sections and the timeline.
SLUICE_API part_result part_run(const program& p, const layout& parts_layout,
                                std::span<const timestamp> timeline,
                                const std::vector<std::vector<double>>& results,
                                const run_options& options = {});

}  // namespace parts
// ---- end of universes in parts ---------------------------------------------------------------

}  // namespace sluice::api

// Hosts write sluice::engine, sluice::program, ... The library's own sources define
// SLUICE_BUILDING_LIBRARY: its internal types of the same names live in namespace sluice.
#ifndef SLUICE_BUILDING_LIBRARY
namespace sluice {
using namespace api;
}  // namespace sluice
#endif
