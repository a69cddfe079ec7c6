// The C API (include/sluice/sluice.h) over the C++ embedding API. Every entry point catches
// everything: no C++ exception may cross into C. Errors go to a thread-local slot (never a
// per-engine string that two compiling threads would race on) and compiles hand back their
// own diagnostics.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sluice/sluice.h"
#include "sluice/sluice.hpp"

namespace {

namespace api = sluice::api;

// The C constants are the C++ enum's values: one list of push outcomes (push_status.hpp).
static_assert(SLUICE_PUSH_ACCEPTED == static_cast<int>(api::push_status::accepted));
static_assert(SLUICE_PUSH_UNKNOWN_SERIES == static_cast<int>(api::push_status::unknown_series));
static_assert(SLUICE_PUSH_MISSING_VALUE == static_cast<int>(api::push_status::missing_value));
static_assert(SLUICE_PUSH_DUPLICATE == static_cast<int>(api::push_status::duplicate));
static_assert(SLUICE_PUSH_OUT_OF_ORDER == static_cast<int>(api::push_status::out_of_order));
static_assert(SLUICE_PUSH_LATE == static_cast<int>(api::push_status::late));
static_assert(SLUICE_PUSH_INVALID_NUMBER == static_cast<int>(api::push_status::invalid_number));
static_assert(SLUICE_PUSH_INVALID_VALUE == static_cast<int>(api::push_status::invalid_value));
static_assert(SLUICE_PUSH_NO_SESSION == static_cast<int>(api::push_status::no_session));
static_assert(SLUICE_PUSH_PENDING_FULL == static_cast<int>(api::push_status::pending_full));
static_assert(SLUICE_PUSH_PENDING_FULL == static_cast<int>(api::last_push_status),
              "a push_status was added without its SLUICE_PUSH_ constant");

// A public event plus the C arrays that point into it.
struct c_event {
  api::event e;
  std::vector<const char*> actions, names, messages;
  std::vector<double> values;
  std::vector<const char*> texts;  // exact mode only
  sluice_event view{};

  c_event(api::event from, bool exact) : e(std::move(from)) {
    for (const auto& a : e.actions) actions.push_back(a.c_str());
    for (const auto& v : e.values) {
      names.push_back(v.name.c_str());
      values.push_back(v.value);
      if (exact) texts.push_back(v.text.c_str());
    }
    for (const auto& m : e.messages) messages.push_back(m.c_str());
    view = {e.time,
            e.point,
            e.rule.c_str(),
            actions.size(),
            actions.data(),
            names.size(),
            names.data(),
            values.data(),
            messages.size(),
            messages.data(),
            exact ? texts.data() : nullptr,
            e.time_ms};
  }
  c_event(const c_event&) = delete;
  c_event& operator=(const c_event&) = delete;
};

// A diagnostic plus its C view.
struct c_diagnostic {
  api::diagnostic d;
  sluice_diagnostic view{};
  explicit c_diagnostic(api::diagnostic from) : d(std::move(from)) {
    view = {d.file.c_str(),    d.line,
            d.column,          d.is_error ? SLUICE_SEVERITY_ERROR : SLUICE_SEVERITY_WARNING,
            d.message.c_str(), d.note.c_str(),
            d.rendered.c_str()};
  }
  c_diagnostic(const c_diagnostic&) = delete;
  c_diagnostic& operator=(const c_diagnostic&) = delete;
};

std::vector<std::unique_ptr<c_diagnostic>> c_diagnostics(const std::vector<api::diagnostic>& from) {
  std::vector<std::unique_ptr<c_diagnostic>> out;
  for (const auto& d : from) out.push_back(std::make_unique<c_diagnostic>(d));
  return out;
}

// This thread's last error and the engine of the call that set it (sluice_last_error,
// sluice_engine_last_error): per thread, so concurrent compiles on one engine do not race.
struct thread_error {
  const sluice_engine* engine = nullptr;
  std::string message;
};
thread_local thread_error t_error;

void set_error(const sluice_engine* e, std::string message) {
  t_error.engine = e;
  t_error.message = std::move(message);
}

}  // namespace

struct sluice_engine {
  std::atomic<bool> cancel{false};  // declared first: the engine's options point at it
  api::engine engine;
  explicit sluice_engine(api::engine_options o) : engine((o.cancel = &cancel, std::move(o))) {}
};

struct sluice_program {
  api::program program;
  std::vector<std::string> rules, series;  // introspection, kept for the C strings
  explicit sluice_program(api::program p)
      : program(std::move(p)), rules(program.rules()), series(program.series()) {}
  // history_needed(), computed at the first ask (a pass over the code), once for all threads.
  mutable std::once_flag history_once;
  mutable std::vector<api::history_need> history;
  const std::vector<api::history_need>& history_needed() const {
    std::call_once(history_once, [&] { history = program.history_needed(); });
    return history;
  }
};

struct sluice_diagnostics {
  std::vector<std::unique_ptr<c_diagnostic>> list;
  std::string rendered;
};

struct sluice_events {
  bool ok = false;
  std::string error;
  std::vector<std::unique_ptr<c_event>> events;
  std::vector<std::unique_ptr<c_diagnostic>> diagnostics;
  std::vector<std::pair<std::string, std::size_t>> host_failures;
  // Per rule (rule order) and the run in all: sluice_events_firings and the times.
  std::vector<std::size_t> firings;
  std::vector<std::int64_t> rule_ns;
  std::int64_t evaluation_ns = 0;
};

struct sluice_session {
  std::optional<api::session> session;
  std::string error;  // of the last advance_to / finish
};

namespace {

// Runs `f` (returning api::status), recording the error for this thread.
template <class F>
int guarded(sluice_engine* e, F&& f) {
  if (!e) {
    set_error(nullptr, "null engine");
    return -1;
  }
  try {
    const api::status s = f();
    set_error(e, s.message);
    return s.ok ? 0 : -1;
  } catch (const std::exception& x) {
    set_error(e, x.what());
  } catch (...) {
    set_error(e, "unknown error");
  }
  return -1;
}

// An option struct's struct_size must be the size this library was built with (0.x: one
// layout per minor version; a later version will also accept the sizes it grew from).
template <class T>
bool size_ok(const T* o, const char* type) {
  if (!o || o->struct_size == sizeof(T)) return true;
  set_error(nullptr, std::string(type) + ".struct_size is " + std::to_string(o->struct_size) +
                         ", this library expects " + std::to_string(sizeof(T)) + " (set it with " +
                         type + "_default)");
  return false;
}

// A C period as the C++ one; nullopt when unset (count < 0). Throws on an unknown unit.
std::optional<api::period> to_period(const sluice_period& p) {
  if (p.count < 0) return std::nullopt;
  if (p.unit == SLUICE_DAYS) return api::days(p.count);
  if (p.unit == SLUICE_MONTHS) return api::months(p.count);
  throw std::invalid_argument("a period's unit is neither SLUICE_DAYS nor SLUICE_MONTHS");
}

api::series_options to_series_options(const sluice_series_options* o) {
  api::series_options opt;
  if (o) {
    opt.lag = to_period(o->lag);
    opt.stale = to_period(o->stale);
  }
  return opt;
}

// advance_to / finish: a refused call (re-entered from the callback) is 0 with its reason in
// sluice_session_last_error.
template <class F>
size_t session_call(sluice_session* s, F&& f) {
  if (!s) return 0;
  try {
    const size_t n = f();
    s->error.clear();
    return n;
  } catch (const std::exception& x) {
    s->error = x.what();
  } catch (...) {
    s->error = "unknown error";
  }
  return 0;
}

// push / push_decimal, in seconds or milliseconds: a refused push is its status; a missing
// session or series name is a status too, never a crash.
template <class F>
int push_call(sluice_session* s, const char* series, F&& push) {
  if (!s) return SLUICE_PUSH_NO_SESSION;
  if (!series) return SLUICE_PUSH_UNKNOWN_SERIES;
  try {
    return static_cast<int>(push());
  } catch (...) {
    return SLUICE_PUSH_UNKNOWN_SERIES;
  }
}

// A formatted time copied into the caller's buffer (cut to fit, always terminated); the
// result is the text's whole length, as snprintf's.
template <class F>
size_t format_into(char* buf, size_t size, F&& format) {
  try {
    const std::string text = format();
    if (buf && size > 0) {
      const size_t n = text.size() < size - 1 ? text.size() : size - 1;
      std::memcpy(buf, text.data(), n);
      buf[n] = '\0';
    }
    return text.size();
  } catch (...) {
    return 0;
  }
}

}  // namespace

extern "C" {

const char* sluice_version(void) { return api::version(); }

const char* sluice_last_error(void) { return t_error.message.c_str(); }

int64_t sluice_date(int year, unsigned month, unsigned day) {
  try {
    set_error(nullptr, "");
    return api::to_timestamp({year, month, day});
  } catch (const std::exception& x) {
    set_error(nullptr, x.what());
    return SLUICE_NO_TIME;
  }
}

int sluice_parse_date(const char* iso, int64_t* out) {
  if (!iso || !out) return -1;
  try {
    auto t = api::parse_date(iso);
    if (!t) return -1;
    *out = *t;
    return 0;
  } catch (...) {
    return -1;
  }
}

size_t sluice_format_time(int64_t t, char* buf, size_t size) {
  return format_into(buf, size, [&] { return api::format_timestamp(t); });
}

void sluice_options_default(sluice_options* o) {
  if (!o) return;
  const api::engine_options d;
  *o = {sizeof(sluice_options),
        d.allow_files ? 1 : 0,
        nullptr,
        d.max_source_bytes,
        d.max_rules,
        d.max_expansion_depth,
        d.max_window_bars,
        d.max_window_days,
        d.max_state_bytes,
        d.max_def_expansions,
        static_cast<int64_t>(d.max_compile_time.count()),
        d.quote_file_errors ? 1 : 0};
}

sluice_engine* sluice_engine_new(const sluice_options* o) {
  try {
    if (!size_ok(o, "sluice_options")) return nullptr;
    if (o && o->max_compile_ms < 0) {
      set_error(nullptr, "sluice_options.max_compile_ms is negative");
      return nullptr;
    }
    api::engine_options opt;
    if (o) {
      opt.allow_files = o->allow_files != 0;
      opt.root_dir = o->root_dir ? o->root_dir : "";
      opt.max_source_bytes = o->max_source_bytes;
      opt.max_rules = o->max_rules;
      opt.max_expansion_depth = o->max_expansion_depth;
      opt.max_window_bars = o->max_window_bars;
      opt.max_window_days = o->max_window_days;
      opt.max_state_bytes = o->max_state_bytes;
      opt.max_def_expansions = o->max_def_expansions;
      opt.max_compile_time = std::chrono::milliseconds(o->max_compile_ms);
      opt.quote_file_errors = o->quote_file_errors != 0;
    }
    set_error(nullptr, "");
    return new sluice_engine(std::move(opt));
  } catch (...) {
    set_error(nullptr, "out of memory");
    return nullptr;
  }
}

void sluice_engine_free(sluice_engine* e) { delete e; }

const char* sluice_engine_last_error(const sluice_engine* e) {
  return e && t_error.engine == e ? t_error.message.c_str() : "";
}

void sluice_engine_cancel(sluice_engine* e, int cancel) {
  if (e) e->cancel.store(cancel != 0);
}

void sluice_series_options_default(sluice_series_options* o) {
  if (o) *o = {sizeof(sluice_series_options), {-1, SLUICE_DAYS}, {-1, SLUICE_DAYS}};
}

int sluice_engine_add_series_with(sluice_engine* e, const char* name, const int64_t* times,
                                  const double* values, size_t n, const sluice_series_options* o) {
  return guarded(e, [&] {
    if (!name || (n > 0 && (!times || !values))) return api::status{false, "null argument"};
    if (!size_ok(o, "sluice_series_options")) return api::status{false, t_error.message};
    return e->engine.add_series(name, std::span(times, n), std::span(values, n),
                                to_series_options(o));
  });
}

int sluice_engine_add_series_csv_with(sluice_engine* e, const char* name, const char* path,
                                      const char* column, const sluice_series_options* o) {
  return guarded(e, [&] {
    if (!name || !path) return api::status{false, "null argument"};
    if (!size_ok(o, "sluice_series_options")) return api::status{false, t_error.message};
    return e->engine.add_series_csv(name, path, column ? column : "", to_series_options(o));
  });
}

int sluice_engine_add_series(sluice_engine* e, const char* name, const int64_t* times,
                             const double* values, size_t n, int lag_days, int stale_days) {
  return guarded(e, [&] {
    if (!name || (n > 0 && (!times || !values))) return api::status{false, "null argument"};
    api::series_options opt;
    if (lag_days >= 0) opt.lag = api::days(lag_days);
    if (stale_days >= 0) opt.stale = api::days(stale_days);
    return e->engine.add_series(name, std::span(times, n), std::span(values, n), opt);
  });
}

int sluice_engine_add_series_csv(sluice_engine* e, const char* name, const char* path,
                                 const char* column) {
  return guarded(e, [&] {
    if (!name || !path) return api::status{false, "null argument"};
    return e->engine.add_series_csv(name, path, column ? column : "");
  });
}

int sluice_engine_add_function(sluice_engine* e, const char* name, unsigned arity,
                               sluice_function fn, void* user, int64_t window_bars) {
  return guarded(e, [&] {
    if (!name || !fn) return api::status{false, "null argument"};
    auto call = [fn, user](std::span<const double> args) { return fn(args.data(), args.size(), user); };
    return e->engine.add_function(name, arity, call,
                                  window_bars > 0 ? std::optional<std::int64_t>(window_bars) : std::nullopt);
  });
}

sluice_program* sluice_compile_with(sluice_engine* e, const char* source, size_t length,
                                    const char* name, sluice_diagnostics** diagnostics) {
  if (diagnostics) *diagnostics = nullptr;
  if (!e) {
    set_error(nullptr, "null engine");
    return nullptr;
  }
  try {
    if (!source) {
      set_error(e, "null source");
      return nullptr;
    }
    const api::compile_result r = e->engine.compile(std::string_view(source, length), name ? name : "<rules>");
    if (diagnostics) {
      auto d = std::make_unique<sluice_diagnostics>();
      d->list = c_diagnostics(r.diagnostics());
      d->rendered = r.rendered();
      *diagnostics = d.release();
    }
    // Warnings of a success are no error: they are in the diagnostics handle only.
    set_error(e, r.ok() ? std::string() : r.rendered());
    if (!r.ok()) return nullptr;
    return new sluice_program(r.value());
  } catch (const std::exception& x) {
    set_error(e, x.what());
  } catch (...) {
    set_error(e, "unknown error");
  }
  return nullptr;
}

sluice_program* sluice_compile(sluice_engine* e, const char* source, size_t length,
                               const char* name) {
  return sluice_compile_with(e, source, length, name, nullptr);
}

size_t sluice_diagnostics_count(const sluice_diagnostics* d) { return d ? d->list.size() : 0; }

const sluice_diagnostic* sluice_diagnostics_get(const sluice_diagnostics* d, size_t i) {
  if (!d || i >= d->list.size()) return nullptr;
  return &d->list[i]->view;
}

const char* sluice_diagnostics_rendered(const sluice_diagnostics* d) {
  return d ? d->rendered.c_str() : "";
}

void sluice_diagnostics_free(sluice_diagnostics* d) { delete d; }

void sluice_program_free(sluice_program* p) { delete p; }

size_t sluice_program_rule_count(const sluice_program* p) { return p ? p->rules.size() : 0; }
const char* sluice_program_rule(const sluice_program* p, size_t i) {
  return p && i < p->rules.size() ? p->rules[i].c_str() : nullptr;
}
size_t sluice_program_series_count(const sluice_program* p) { return p ? p->series.size() : 0; }
const char* sluice_program_series(const sluice_program* p, size_t i) {
  return p && i < p->series.size() ? p->series[i].c_str() : nullptr;
}

sluice_events* sluice_program_run(const sluice_program* p, const int64_t* from, const int64_t* to) {
  return sluice_program_run_with(p, from, to, 0);
}

namespace {
// A batch run's events and diagnostics in their C form; NULL only when out of memory.
sluice_events* run_events(const sluice_program* p, const api::run_options& opt) {
  try {
    auto out = std::make_unique<sluice_events>();
    if (!p) {
      out->error = "null program";
      return out.release();
    }
    api::run_result r = p->program.run(opt);
    out->ok = r.ok;
    for (const auto& d : r.diagnostics) out->error += d.rendered;
    out->diagnostics = c_diagnostics(r.diagnostics);
    out->host_failures = std::move(r.host_function_failures);
    for (const auto& [rule, n] : r.firings) out->firings.push_back(n);
    for (const auto& [rule, t] : r.rule_evaluation_time) out->rule_ns.push_back(t.count());
    out->evaluation_ns = r.evaluation_time.count();
    for (auto& e : r.events) out->events.push_back(std::make_unique<c_event>(std::move(e), opt.exact));
    return out.release();
  } catch (...) {
    return nullptr;
  }
}
}  // namespace

sluice_events* sluice_program_run_with(const sluice_program* p, const int64_t* from,
                                       const int64_t* to, unsigned flags) {
  api::run_options opt;
  if (from) opt.from = *from;
  if (to) opt.to = *to;
  opt.exact = (flags & SLUICE_EXACT) != 0;
  return run_events(p, opt);
}

int sluice_events_ok(const sluice_events* ev) { return ev && ev->ok ? 1 : 0; }
const char* sluice_events_error(const sluice_events* ev) { return ev ? ev->error.c_str() : "null events"; }
size_t sluice_events_count(const sluice_events* ev) { return ev ? ev->events.size() : 0; }

const sluice_event* sluice_events_get(const sluice_events* ev, size_t i) {
  if (!ev || i >= ev->events.size()) return nullptr;
  return &ev->events[i]->view;
}

void sluice_events_free(sluice_events* ev) { delete ev; }

size_t sluice_events_diagnostic_count(const sluice_events* ev) {
  return ev ? ev->diagnostics.size() : 0;
}
const sluice_diagnostic* sluice_events_diagnostic(const sluice_events* ev, size_t i) {
  if (!ev || i >= ev->diagnostics.size()) return nullptr;
  return &ev->diagnostics[i]->view;
}

sluice_session* sluice_program_stream(const sluice_program* p, sluice_event_callback fn, void* user) {
  return sluice_program_stream_with(p, fn, user, 0);
}

sluice_session* sluice_program_stream_with(const sluice_program* p, sluice_event_callback fn,
                                           void* user, unsigned flags) {
  sluice_stream_options o;
  sluice_stream_options_default(&o);
  o.flags = flags;
  return sluice_program_stream_with_options(p, fn, user, &o);
}

void sluice_stream_options_default(sluice_stream_options* o) {
  if (o) *o = {sizeof(sluice_stream_options), 0, 0, 0, 0, nullptr, nullptr, 0, 0};
}

sluice_session* sluice_program_stream_with_options(const sluice_program* p,
                                                   sluice_event_callback fn, void* user,
                                                   const sluice_stream_options* o) {
  if (!p) {
    set_error(nullptr, "null program");
    return nullptr;
  }
  try {
    // A host built before warm_from_registered was added passes the shorter struct: its
    // fields are read, the newer ones keep their defaults.
    sluice_stream_options grown;
    if (o && o->struct_size == offsetof(sluice_stream_options, warm_from_registered)) {
      sluice_stream_options_default(&grown);
      std::memcpy(&grown, o, o->struct_size);
      grown.struct_size = sizeof grown;
      o = &grown;
    }
    if (!size_ok(o, "sluice_stream_options")) return nullptr;
    auto s = std::make_unique<sluice_session>();
    api::stream_options options;
    if (o) {
      options.exact = (o->flags & SLUICE_EXACT) != 0;
      if (o->has_from) options.from = o->from;
      options.max_pending = o->max_pending;
      options.warm_from_registered = o->warm_from_registered != 0;
      options.time_rules = (o->flags & SLUICE_TIME_RULES) != 0;
      if (o->stale_count > 0 && (!o->stale_series || !o->stale_periods)) {
        set_error(nullptr,
                  "sluice_stream_options: stale_count without stale_series and stale_periods");
        return nullptr;
      }
      for (size_t i = 0; i < o->stale_count; ++i) {
        const std::optional<api::period> period = to_period(o->stale_periods[i]);
        if (!o->stale_series[i] || !period) {
          set_error(nullptr, "sluice_stream_options: stale entry " + std::to_string(i) +
                                 " has no series name or a negative count");
          return nullptr;
        }
        options.stale.emplace_back(o->stale_series[i], *period);
      }
    }
    const bool exact = options.exact;
    s->session.emplace(p->program.stream(
        [fn, user, exact](const api::event& e) {
          if (!fn) return;
          const c_event view(e, exact);
          fn(&view.view, user);
        },
        options));
    set_error(nullptr, "");
    return s.release();
  } catch (const std::exception& x) {
    set_error(nullptr, x.what());
  } catch (...) {
    set_error(nullptr, "unknown error");
  }
  return nullptr;
}

void sluice_session_free(sluice_session* s) { delete s; }

const char* sluice_session_last_error(const sluice_session* s) {
  return s ? s->error.c_str() : "null session";
}

int sluice_session_push(sluice_session* s, const char* series, int64_t time, double value) {
  return push_call(s, series, [&] { return s->session->push(series, time, value); });
}

int sluice_session_push_decimal(sluice_session* s, const char* series, int64_t time, const char* text) {
  if (s && series && !text) return SLUICE_PUSH_INVALID_NUMBER;
  return push_call(s, series, [&] { return s->session->push_decimal(series, time, text); });
}

const char* sluice_push_status_text(int status) {
  if (status < SLUICE_PUSH_ACCEPTED || status > SLUICE_PUSH_PENDING_FULL) return "unknown status";
  return api::to_string(static_cast<api::push_status>(status));
}

size_t sluice_session_advance_to(sluice_session* s, int64_t t) {
  return session_call(s, [&] { return s->session->advance_to(t); });
}

size_t sluice_session_finish(sluice_session* s) {
  return session_call(s, [&] { return s->session->finish(); });
}

size_t sluice_session_state_bytes(const sluice_session* s) {
  return s ? s->session->state_bytes() : 0;
}

size_t sluice_session_push_count(const sluice_session* s, int status) {
  if (!s || status < SLUICE_PUSH_ACCEPTED || status > SLUICE_PUSH_PENDING_FULL) return 0;
  try {
    return s->session->counters().count(static_cast<api::push_status>(status));
  } catch (...) {
    return 0;
  }
}

size_t sluice_session_firings(const sluice_session* s, size_t rule_index) {
  if (!s) return 0;
  try {
    const api::session_counters c = s->session->counters();
    return rule_index < c.firings.size() ? c.firings[rule_index].second : 0;
  } catch (...) {
    return 0;
  }
}

int64_t sluice_session_evaluation_ns(const sluice_session* s) {
  if (!s) return 0;
  try {
    return static_cast<int64_t>(s->session->counters().evaluation_time.count());
  } catch (...) {
    return 0;
  }
}

// ---- history needed, host-function failures ----

size_t sluice_program_history_count(const sluice_program* p) {
  if (!p) return 0;
  try {
    return p->history_needed().size();
  } catch (...) {
    return 0;
  }
}

int sluice_program_history_needed(const sluice_program* p, size_t index, sluice_history_need* out) {
  if (!p || !out) return -1;
  try {
    const std::vector<api::history_need>& needs = p->history_needed();
    if (index >= needs.size()) return -1;
    const api::history_need& h = needs[index];
    *out = {h.series.c_str(), h.bars, h.days, h.months, h.unbounded ? 1 : 0};
    return 0;
  } catch (...) {
    return -1;
  }
}

namespace {
// Thrown by the wrapper of a checked C function that reported failure: the VM turns any
// exception from a host function into na and counts it.
struct host_failure {};
}  // namespace

int sluice_engine_add_checked_function(sluice_engine* e, const char* name, unsigned arity,
                                       sluice_checked_function fn, void* user,
                                       int64_t window_bars) {
  return guarded(e, [&] {
    if (!name || !fn) return api::status{false, "null argument"};
    auto call = [fn, user](std::span<const double> args) {
      double result = 0;
      if (fn(args.data(), args.size(), &result, user) != 0) throw host_failure{};
      return result;
    };
    return e->engine.add_function(
        name, arity, call,
        window_bars > 0 ? std::optional<std::int64_t>(window_bars) : std::nullopt);
  });
}

namespace {
size_t failures_of(const std::vector<std::pair<std::string, std::size_t>>& counts,
                   const char* name) {
  if (!name) return 0;
  std::string lower(name);  // function names are case-insensitive, kept in lower case
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  for (const auto& [function, n] : counts)
    if (function == lower) return n;
  return 0;
}
}  // namespace

size_t sluice_events_host_failures(const sluice_events* ev, const char* name) {
  return ev ? failures_of(ev->host_failures, name) : 0;
}

size_t sluice_session_host_failures(const sluice_session* s, const char* name) {
  if (!s) return 0;
  try {
    return failures_of(s->session->counters().host_function_failures, name);
  } catch (...) {
    return 0;
  }
}

// ---- end of history needed, host-function failures ----

// ---- millisecond times (docs/embedding.md, "Time resolution") ----

int64_t sluice_date_ms(int year, unsigned month, unsigned day) {
  try {
    set_error(nullptr, "");
    return api::to_timestamp_ms({year, month, day});
  } catch (const std::exception& x) {
    set_error(nullptr, x.what());
    return SLUICE_NO_TIME;
  }
}

size_t sluice_format_time_ms(int64_t t, char* buf, size_t size) {
  return format_into(buf, size, [&] { return api::format_timestamp_ms(t); });
}

int sluice_engine_add_series_ms(sluice_engine* e, const char* name, const int64_t* times_ms,
                                const double* values, size_t n, const sluice_series_options* o) {
  return guarded(e, [&] {
    if (!name || (n > 0 && (!times_ms || !values))) return api::status{false, "null argument"};
    if (!size_ok(o, "sluice_series_options")) return api::status{false, t_error.message};
    return e->engine.add_series_ms(name, std::span(times_ms, n), std::span(values, n),
                                   to_series_options(o));
  });
}

sluice_events* sluice_program_run_ms(const sluice_program* p, const int64_t* from_ms,
                                     const int64_t* to_ms, unsigned flags) {
  api::run_options opt;
  if (from_ms) opt.from_ms = *from_ms;
  if (to_ms) opt.to_ms = *to_ms;
  opt.exact = (flags & SLUICE_EXACT) != 0;
  return run_events(p, opt);
}

int sluice_session_push_ms(sluice_session* s, const char* series, int64_t time_ms, double value) {
  return push_call(s, series, [&] { return s->session->push_ms(series, time_ms, value); });
}

int sluice_session_push_decimal_ms(sluice_session* s, const char* series, int64_t time_ms,
                                   const char* text) {
  if (s && series && !text) return SLUICE_PUSH_INVALID_NUMBER;
  return push_call(s, series, [&] { return s->session->push_decimal_ms(series, time_ms, text); });
}

size_t sluice_session_advance_to_ms(sluice_session* s, int64_t t_ms) {
  return session_call(s, [&] { return s->session->advance_to_ms(t_ms); });
}

// ---- end of millisecond times ----

}  // extern "C"

// ---- per-rule counters ----

extern "C" {

size_t sluice_events_firings(const sluice_events* ev, size_t rule_index) {
  return ev && rule_index < ev->firings.size() ? ev->firings[rule_index] : 0;
}

int64_t sluice_events_rule_evaluation_ns(const sluice_events* ev, size_t rule_index) {
  return ev && rule_index < ev->rule_ns.size() ? ev->rule_ns[rule_index] : 0;
}

int64_t sluice_events_evaluation_ns(const sluice_events* ev) { return ev ? ev->evaluation_ns : 0; }

int64_t sluice_session_rule_evaluation_ns(const sluice_session* s, size_t rule_index) {
  if (!s) return 0;
  try {
    const api::session_counters c = s->session->counters();
    return rule_index < c.rule_evaluation_time.size()
               ? static_cast<int64_t>(c.rule_evaluation_time[rule_index].second.count())
               : 0;
  } catch (...) {
    return 0;
  }
}

}  // extern "C"

// ---- end of per-rule counters ----
