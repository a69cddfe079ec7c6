// The C API (include/sluice/sluice.h) over the C++ embedding API. Every entry point catches
// everything: no C++ exception may cross into C.
#include "sluice/sluice.h"

#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

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
static_assert(SLUICE_PUSH_NO_SESSION == static_cast<int>(api::last_push_status),
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
    view = {e.time,          e.point,        e.rule.c_str(),   actions.size(), actions.data(),
            names.size(),    names.data(),   values.data(),    messages.size(), messages.data(),
            exact ? texts.data() : nullptr};
  }
  c_event(const c_event&) = delete;
  c_event& operator=(const c_event&) = delete;
};

}  // namespace

struct sluice_engine {
  api::engine engine;
  std::string error;
};

struct sluice_program {
  api::program program;
};

struct sluice_events {
  bool ok = false;
  std::string error;
  std::vector<std::unique_ptr<c_event>> events;
};

struct sluice_session {
  std::optional<api::session> session;
};

namespace {

// Runs `f` (returning api::status), recording the error on the engine.
template <class F>
int guarded(sluice_engine* e, F&& f) {
  if (!e) return -1;
  try {
    const api::status s = f();
    e->error = s.message;
    return s.ok ? 0 : -1;
  } catch (const std::exception& x) {
    e->error = x.what();
  } catch (...) {
    e->error = "unknown error";
  }
  return -1;
}

}  // namespace

extern "C" {

const char* sluice_version(void) { return api::version(); }

int64_t sluice_date(int year, unsigned month, unsigned day) {
  return api::to_timestamp({year, month, day});
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
  try {
    const std::string text = api::format_timestamp(t);
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

void sluice_options_default(sluice_options* o) {
  if (!o) return;
  const api::engine_options d;
  *o = {d.allow_files ? 1 : 0, nullptr, d.max_source_bytes, d.max_rules, d.max_expansion_depth,
        d.max_window_bars, d.max_window_days, d.max_state_bytes};
}

sluice_engine* sluice_engine_new(const sluice_options* o) {
  try {
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
    }
    return new sluice_engine{api::engine(std::move(opt)), {}};
  } catch (...) {
    return nullptr;
  }
}

void sluice_engine_free(sluice_engine* e) { delete e; }

const char* sluice_engine_last_error(const sluice_engine* e) { return e ? e->error.c_str() : ""; }

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

sluice_program* sluice_compile(sluice_engine* e, const char* source, size_t length, const char* name) {
  if (!e) return nullptr;
  try {
    if (!source) {
      e->error = "null source";
      return nullptr;
    }
    const api::compile_result r = e->engine.compile(std::string_view(source, length), name ? name : "<rules>");
    e->error = r.rendered();
    if (!r.ok()) return nullptr;
    return new sluice_program{r.value()};
  } catch (const std::exception& x) {
    e->error = x.what();
  } catch (...) {
    e->error = "unknown error";
  }
  return nullptr;
}

void sluice_program_free(sluice_program* p) { delete p; }

sluice_events* sluice_program_run(const sluice_program* p, const int64_t* from, const int64_t* to) {
  return sluice_program_run_with(p, from, to, 0);
}

sluice_events* sluice_program_run_with(const sluice_program* p, const int64_t* from,
                                       const int64_t* to, unsigned flags) {
  try {
    auto out = std::make_unique<sluice_events>();
    if (!p) {
      out->error = "null program";
      return out.release();
    }
    api::run_options opt;
    if (from) opt.from = *from;
    if (to) opt.to = *to;
    opt.exact = (flags & SLUICE_EXACT) != 0;
    api::run_result r = p->program.run(opt);
    out->ok = r.ok;
    for (const auto& d : r.diagnostics) out->error += d.rendered;
    for (auto& e : r.events) out->events.push_back(std::make_unique<c_event>(std::move(e), opt.exact));
    return out.release();
  } catch (...) {
    return nullptr;
  }
}

int sluice_events_ok(const sluice_events* ev) { return ev && ev->ok ? 1 : 0; }
const char* sluice_events_error(const sluice_events* ev) { return ev ? ev->error.c_str() : "null events"; }
size_t sluice_events_count(const sluice_events* ev) { return ev ? ev->events.size() : 0; }

const sluice_event* sluice_events_get(const sluice_events* ev, size_t i) {
  if (!ev || i >= ev->events.size()) return nullptr;
  return &ev->events[i]->view;
}

void sluice_events_free(sluice_events* ev) { delete ev; }

sluice_session* sluice_program_stream(const sluice_program* p, sluice_event_callback fn, void* user) {
  return sluice_program_stream_with(p, fn, user, 0);
}

sluice_session* sluice_program_stream_with(const sluice_program* p, sluice_event_callback fn,
                                           void* user, unsigned flags) {
  if (!p) return nullptr;
  try {
    auto s = std::make_unique<sluice_session>();
    api::stream_options options;
    options.exact = (flags & SLUICE_EXACT) != 0;
    const bool exact = options.exact;
    s->session.emplace(p->program.stream(
        [fn, user, exact](const api::event& e) {
          if (!fn) return;
          const c_event view(e, exact);
          fn(&view.view, user);
        },
        options));
    return s.release();
  } catch (...) {
    return nullptr;
  }
}

void sluice_session_free(sluice_session* s) { delete s; }

int sluice_session_push(sluice_session* s, const char* series, int64_t time, double value) {
  if (!s) return SLUICE_PUSH_NO_SESSION;
  if (!series) return SLUICE_PUSH_UNKNOWN_SERIES;
  try {
    return static_cast<int>(s->session->push(series, time, value));
  } catch (...) {
    return SLUICE_PUSH_UNKNOWN_SERIES;
  }
}

int sluice_session_push_decimal(sluice_session* s, const char* series, int64_t time, const char* text) {
  if (!s) return SLUICE_PUSH_NO_SESSION;
  if (!series) return SLUICE_PUSH_UNKNOWN_SERIES;
  if (!text) return SLUICE_PUSH_INVALID_NUMBER;
  try {
    return static_cast<int>(s->session->push_decimal(series, time, text));
  } catch (...) {
    return SLUICE_PUSH_UNKNOWN_SERIES;
  }
}

const char* sluice_push_status_text(int status) {
  if (status < SLUICE_PUSH_ACCEPTED || status > SLUICE_PUSH_NO_SESSION) return "unknown status";
  return api::to_string(static_cast<api::push_status>(status));
}

size_t sluice_session_advance_to(sluice_session* s, int64_t t) {
  if (!s) return 0;
  try {
    return s->session->advance_to(t);
  } catch (...) {
    return 0;
  }
}

size_t sluice_session_finish(sluice_session* s) {
  if (!s) return 0;
  try {
    return s->session->finish();
  } catch (...) {
    return 0;
  }
}

size_t sluice_session_state_bytes(const sluice_session* s) { return s ? s->session->state_bytes() : 0; }

}  // extern "C"
