// sluice._core: the compiled half of the Python package, a thin binding of the public C++
// API (include/sluice/sluice.hpp) and nothing else. It speaks numpy arrays and plain Python
// values; python/sluice/*.py turns them into pandas objects. Times cross as int64
// nanoseconds since the epoch (numpy's datetime64[ns]) and go to and from the API's
// millisecond calls (timestamp_ms); a time with a fraction of a millisecond is refused, never
// rounded. Only explain's `at` and the universe parts still take whole seconds.
// The GIL is released while rules compile and run; host functions written in Python take
// it back for each call.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sluice/sluice.hpp"

namespace py = pybind11;

namespace {

constexpr std::int64_t ns_per_second = 1'000'000'000;
constexpr std::int64_t ns_per_ms = 1'000'000;

using ns_array = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;
// c_style | forcecast: a contiguous float64 array is read in place; anything else is
// converted once.
using f64_array = py::array_t<double, py::array::c_style | py::array::forcecast>;

sluice::timestamp seconds_of(std::int64_t ns, const std::string& what) {
  if (ns % ns_per_second != 0)
    throw py::value_error(what + ": Sluice times are whole seconds; this one has a fraction of a second");
  return ns / ns_per_second;
}

// A time in nanoseconds as whole milliseconds; a fraction of a millisecond is refused with
// the time's date (to the millisecond) and the nanoseconds past it.
sluice::timestamp_ms ms_of(std::int64_t ns, const std::string& what) {
  std::int64_t ms = ns / ns_per_ms;
  std::int64_t rest = ns - ms * ns_per_ms;
  if (rest == 0) return ms;
  if (rest < 0) {  // before 1970: the millisecond below, and the nanoseconds above it
    ms -= 1;
    rest += ns_per_ms;
  }
  // The nanoseconds past the millisecond as seconds ("0.0005"), as the engine writes them.
  std::string fraction = std::to_string(ns_per_second + rest).substr(1);  // 9 digits
  fraction.erase(fraction.find_last_not_of('0') + 1);
  throw py::value_error(what + ": the time " + sluice::format_timestamp_ms(ms) + " + 0." +
                        fraction +
                        " s has a fraction of a millisecond; Sluice's times are milliseconds");
}

std::optional<sluice::timestamp_ms> optional_ms(const std::optional<std::int64_t>& ns,
                                                const char* what) {
  if (!ns) return std::nullopt;
  return ms_of(*ns, what);
}

// Nanoseconds to milliseconds into out[0, n); false when a time has a fraction of a
// millisecond. The remainders are ORed together, so the loop has no branch per time.
bool whole_ms(const std::int64_t* ns, std::size_t n, sluice::timestamp_ms* out) {
  std::int64_t fractions = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t t = ns[i];
    const std::int64_t ms = t / ns_per_ms;
    out[i] = ms;
    fractions |= t - ms * ns_per_ms;
  }
  return fractions == 0;
}

std::optional<sluice::timestamp> optional_seconds(const std::optional<std::int64_t>& ns, const char* what) {
  if (!ns) return std::nullopt;
  return seconds_of(*ns, what);
}

sluice::period to_period(const std::pair<std::int64_t, std::string>& p) {
  if (p.second == "months") return sluice::months(p.first);
  if (p.second == "days") return sluice::days(p.first);
  throw py::value_error("a period's unit is 'days' or 'months', not '" + p.second + "'");
}

py::dict diagnostic_dict(const sluice::diagnostic& d) {
  py::dict out;
  out["file"] = d.file;
  out["line"] = d.line;
  out["column"] = d.column;
  out["is_error"] = d.is_error;
  out["message"] = d.message;
  out["note"] = d.note;
  out["rendered"] = d.rendered;
  return out;
}

py::list diagnostic_list(const std::vector<sluice::diagnostic>& ds) {
  py::list out;
  for (const sluice::diagnostic& d : ds) out.append(diagnostic_dict(d));
  return out;
}

// The first exception a Python host function raised while rules ran (with the GIL released,
// possibly on the engine's behalf in several places); re-raised once the run is over.
struct host_errors {
  std::mutex lock;
  std::exception_ptr first;

  void rethrow() {
    std::exception_ptr e;
    {
      std::lock_guard<std::mutex> g(lock);
      std::swap(e, first);
    }
    if (e) std::rethrow_exception(e);
  }
};

// Events as columns: times, rule codes (the rules' positions in the program's rule list),
// actions (codes into a list of distinct texts), alert texts, and one float column per named
// value (NaN where an event has no such value); exact mode also gives each value's decimal
// text. Grouped by the events' rule_index: a rule's events carry the same actions and value
// names (sluice.hpp), so the text is read once per rule, not once per event.
py::dict event_columns(const std::vector<sluice::event>& events, const std::vector<std::string>& rules,
                       bool exact) {
  const std::size_t n = events.size();
  ns_array times(static_cast<py::ssize_t>(n));
  py::array_t<std::int64_t> points(static_cast<py::ssize_t>(n));
  py::array_t<std::int32_t> rule_codes(static_cast<py::ssize_t>(n));
  py::array_t<std::int32_t> action_codes(static_cast<py::ssize_t>(n));
  std::unordered_map<std::string, std::int32_t> action_index;
  std::vector<std::string> action_texts;
  std::unordered_map<std::string, std::size_t> value_index;
  std::vector<std::string> value_names;
  std::vector<py::array_t<double>> values;  // written in place: no copy at the end
  std::vector<double*> value_cells;
  std::vector<std::vector<std::string>> texts;
  // Alerts go straight into an object array (None where a rule has no alert): a Python list
  // turned into one by pandas cost more than the rest of the event columns together.
  py::array alerts =
      py::module_::import("numpy").attr("full")(n, py::none(), py::arg("dtype") = "object");
  auto* alert_cells = static_cast<PyObject**>(alerts.mutable_data());
  struct rule_layout {
    std::int32_t action = -1;          // -1: no event of the rule seen yet
    std::vector<std::size_t> columns;  // value k of the rule's events -> values[columns[k]]
  };
  std::vector<rule_layout> per_rule(rules.size());

  // The first event of a rule: its action text's code and its values' columns.
  auto learn = [&](const sluice::event& e, rule_layout& layout) {
    if (e.rule != rules[e.rule_index])  // not expected: the events come from this program
      throw std::logic_error("event of rule '" + e.rule + "' has the index of rule '" +
                             rules[e.rule_index] + "'");
    std::string actions;
    for (std::size_t k = 0; k < e.actions.size(); ++k) actions += (k ? "; " : "") + e.actions[k];
    auto a = action_index.find(actions);
    if (a == action_index.end()) {
      a = action_index.emplace(actions, static_cast<std::int32_t>(action_texts.size())).first;
      action_texts.push_back(actions);
    }
    layout.action = a->second;
    for (const sluice::named_value& v : e.values) {
      auto found = value_index.find(v.name);
      if (found == value_index.end()) {
        found = value_index.emplace(v.name, value_names.size()).first;
        value_names.push_back(v.name);
        py::array_t<double> column(static_cast<py::ssize_t>(n));
        std::fill_n(column.mutable_data(), n, std::nan(""));
        value_cells.push_back(column.mutable_data());
        values.push_back(std::move(column));
        if (exact) texts.emplace_back(n, std::string());
      }
      layout.columns.push_back(found->second);
    }
  };

  auto* t = times.mutable_data();
  auto* pt = points.mutable_data();
  auto* rc = rule_codes.mutable_data();
  auto* ac = action_codes.mutable_data();
  for (std::size_t i = 0; i < n; ++i) {
    const sluice::event& e = events[i];
    t[i] = e.time_ms * ns_per_ms;
    pt[i] = static_cast<std::int64_t>(e.point);
    if (e.rule_index >= per_rule.size())
      throw std::logic_error("event of rule '" + e.rule + "' past the program's rules");
    rule_layout& layout = per_rule[e.rule_index];
    if (layout.action < 0) learn(e, layout);
    if (e.values.size() != layout.columns.size())
      throw std::logic_error("events of rule '" + e.rule + "' differ in their values");
    rc[i] = static_cast<std::int32_t>(e.rule_index);
    ac[i] = layout.action;
    if (e.messages.size() == 1) {
      Py_SETREF(alert_cells[i], py::str(e.messages[0]).release().ptr());  // the cell held None
    } else if (!e.messages.empty()) {
      std::string text;
      for (std::size_t k = 0; k < e.messages.size(); ++k) text += (k ? "; " : "") + e.messages[k];
      Py_SETREF(alert_cells[i], py::str(text).release().ptr());
    }
    for (std::size_t k = 0; k < e.values.size(); ++k)
      value_cells[layout.columns[k]][i] = e.values[k].value;
    if (exact)
      for (std::size_t k = 0; k < e.values.size(); ++k)
        texts[layout.columns[k]][i] = e.values[k].text;
  }
  py::dict out;
  out["time"] = times;
  out["point"] = points;
  out["rule_codes"] = rule_codes;
  out["rules"] = rules;
  out["action_codes"] = action_codes;
  out["actions"] = action_texts;
  out["alert"] = alerts;
  py::list cols;
  for (std::size_t k = 0; k < value_names.size(); ++k)
    cols.append(py::make_tuple(value_names[k], values[k],
                               exact ? py::cast(texts[k]) : py::object(py::none())));
  out["values"] = cols;
  return out;
}

py::dict run_dict(const sluice::run_result& r, const std::vector<std::string>& rules, bool exact) {
  py::dict out = event_columns(r.events, rules, exact);
  out["ok"] = r.ok;
  out["points"] = r.points;
  out["diagnostics"] = diagnostic_list(r.diagnostics);
  return out;
}

// A compiled program and the host functions' error slot it reports through.
struct program_handle {
  sluice::program program;
  std::shared_ptr<host_errors> errors;
};

// The program reading each named series with the given publication lag (Program's `lags=`).
program_handle with_lags(
    const program_handle& p,
    const std::vector<std::pair<std::string, std::pair<std::int64_t, std::string>>>& lags) {
  std::vector<std::pair<std::string, sluice::period>> periods;
  for (const auto& [name, period] : lags) periods.emplace_back(name, to_period(period));
  std::string error;
  std::optional<sluice::program> lagged = p.program.with_lags(periods, &error);
  if (!lagged) throw py::value_error(error);
  return program_handle{std::move(*lagged), p.errors};
}

// The stable id of each event given by its rule and time (as `sluice watch` sends it): the
// program's `event_id`, computed only when asked, since most runs never need it.
py::list event_ids(const program_handle& p, const ns_array& times_ns,
                   const std::vector<std::string>& rules) {
  if (times_ns.ndim() != 1 || static_cast<std::size_t>(times_ns.shape(0)) != rules.size())
    throw py::value_error("event_ids: as many times as rules are needed");
  py::list out;
  sluice::event e;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    e.rule = rules[i];
    e.time_ms = ms_of(times_ns.data()[i], "event time");
    e.time = e.time_ms / 1000 - (e.time_ms % 1000 < 0);  // rounded down, as the API does
    out.append(p.program.event_id(e));
  }
  return out;
}

struct session_handle {
  std::optional<sluice::session> session;
  std::vector<sluice::event> events;  // arrived since the last take_events()
  std::vector<std::string> rules;
  bool exact = false;
  std::shared_ptr<host_errors> errors;
};

class engine_handle {
 public:
  engine_handle(bool allow_files, const std::string& root, bool own_rules = false)
      : engine_(options(allow_files, root, own_rules)), errors_(std::make_shared<host_errors>()) {}

  void add_series(const std::string& name, const ns_array& times_ns, const f64_array& values,
                  std::optional<std::pair<std::int64_t, std::string>> lag,
                  std::optional<std::pair<std::int64_t, std::string>> stale) {
    if (times_ns.ndim() != 1 || values.ndim() != 1)
      throw py::value_error("series '" + name + "': times and values must be one-dimensional");
    if (times_ns.shape(0) != values.shape(0))
      throw py::value_error("series '" + name + "': as many times as values are needed");
    // The engine converts nanoseconds to milliseconds while it copies the observations into its
    // own storage (and refuses fractions of a millisecond and infinite values, naming the
    // index and the date), so
    // the numpy buffers are read in place and not walked here first.
    sluice::series_options o;
    if (lag) o.lag = to_period(*lag);
    if (stale) o.stale = to_period(*stale);
    const auto n = static_cast<std::size_t>(values.shape(0));
    const sluice::status s =
        engine_.add_series_units(name, std::span<const std::int64_t>(times_ns.data(), n),
                                 ns_per_second, std::span<const double>(values.data(), n), o);
    if (!s) throw py::value_error(s.message);
  }

  // Several series on one index (a DataFrame's columns): the index is converted to
  // milliseconds once and each series is copied in from that one converted copy, where
  // add_series would convert the same times once per series. A time with a fraction of a
  // millisecond sends every series through add_series, whose error names the series, the
  // index position and the date.
  void add_series_on_index(
      const ns_array& times_ns,
      const std::vector<std::tuple<std::string, f64_array,
                                   std::optional<std::pair<std::int64_t, std::string>>>>& series) {
    if (times_ns.ndim() != 1)
      throw py::value_error("add_series_on_index: the times must be one-dimensional");
    const auto n = static_cast<std::size_t>(times_ns.shape(0));
    // Not zeroed first: every element is written.
    const auto ms = std::make_unique_for_overwrite<sluice::timestamp_ms[]>(n);
    const bool whole = whole_ms(times_ns.data(), n, ms.get());
    for (const auto& [name, values, lag] : series) {
      if (!whole || values.ndim() != 1 || static_cast<std::size_t>(values.shape(0)) != n) {
        add_series(name, times_ns, values, lag, std::nullopt);  // raises with the reason
        continue;
      }
      sluice::series_options o;
      if (lag) o.lag = to_period(*lag);
      const sluice::status s =
          engine_.add_series_ms(name, std::span<const sluice::timestamp_ms>(ms.get(), n),
                                std::span<const double>(values.data(), n), o);
      if (!s) throw py::value_error(s.message);
    }
  }

  void add_series_csv(const std::string& name, const std::string& path, const std::string& column) {
    const sluice::status s = engine_.add_series_csv(name, path, column);
    if (!s) throw py::value_error(s.message);
  }

  void add_function(const std::string& name, unsigned arity, py::object fn, std::optional<std::int64_t> window) {
    // The callable is shared by the engine's copies of the function, which may be made and
    // dropped on threads without the GIL: only its deleter touches Python.
    std::shared_ptr<py::object> callable(new py::object(std::move(fn)), [](py::object* o) {
      py::gil_scoped_acquire gil;
      delete o;
    });
    std::shared_ptr<host_errors> errors = errors_;
    const std::int64_t w = window.value_or(0);
    auto call = [callable, errors, arity, w](std::span<const double> args) -> double {
      py::gil_scoped_acquire gil;
      {
        std::lock_guard<std::mutex> g(errors->lock);
        if (errors->first) return std::nan("");  // the run already failed; finish it quickly
      }
      try {
        py::tuple t(arity);
        for (unsigned i = 0; i < arity; ++i) {
          if (w > 0) {
            py::array_t<double> a(static_cast<py::ssize_t>(w));
            std::copy(args.begin() + i * w, args.begin() + (i + 1) * w, a.mutable_data());
            t[i] = a;
          } else {
            t[i] = py::float_(args[i]);
          }
        }
        py::object r = (*callable)(*t);
        if (r.is_none()) return std::nan("");
        return r.cast<double>();
      } catch (...) {
        std::lock_guard<std::mutex> g(errors->lock);
        if (!errors->first) errors->first = std::current_exception();
        return std::nan("");
      }
    };
    const sluice::status s = engine_.add_function(name, arity, call, window);
    if (!s) throw py::value_error(s.message);
  }

  // (program or None, diagnostics)
  py::tuple compile(const std::string& source, const std::string& name) {
    std::optional<sluice::compile_result> r;
    {
      py::gil_scoped_release nogil;
      r.emplace(engine_.compile(source, name));
    }
    py::object program = py::none();
    if (r->ok()) program = py::cast(program_handle{r->value(), errors_});
    return py::make_tuple(program, diagnostic_list(r->diagnostics()));
  }

 private:
  static sluice::engine_options options(bool allow_files, const std::string& root, bool own_rules) {
    sluice::engine_options o;
    o.allow_files = allow_files;
    o.root_dir = root;
    if (own_rules) {  // the user's own rules (sluice.dask's parts): the command line's bounds
      o.max_source_bytes = 64u << 20;
      o.max_rules = 100'000;
      o.max_state_bytes = std::size_t{16} << 30;
    }
    return o;
  }
  sluice::engine engine_;
  std::shared_ptr<host_errors> errors_;
};

sluice::run_options run_options_of(std::optional<std::int64_t> start, std::optional<std::int64_t> end,
                                   bool exact) {
  sluice::run_options o;
  o.from_ms = optional_ms(start, "start");
  o.to_ms = optional_ms(end, "end");
  o.exact = exact;
  return o;
}

py::dict run(const program_handle& p, std::optional<std::int64_t> start, std::optional<std::int64_t> end,
             bool exact) {
  const sluice::run_options o = run_options_of(start, end, exact);
  sluice::run_result r;
  {
    py::gil_scoped_release nogil;
    r = p.program.run(o);
  }
  p.errors->rethrow();
  return run_dict(r, p.program.rules(), exact);
}

// (run dict, rows, event returns, warnings): rows are (rule, watched, horizon, count, pending, no_data,
// mean, median, hit_rate, worst, max_drawdown, max_runup, episodes); event returns are
// (rule, watched, horizon, time ns, status, return, max_drawdown, max_runup).
py::tuple stats(const program_handle& p, std::optional<std::int64_t> start, std::optional<std::int64_t> end,
                bool exact, const std::vector<std::pair<std::int64_t, std::string>>& horizons) {
  const sluice::run_options o = run_options_of(start, end, exact);
  std::vector<sluice::period> h;
  for (const auto& x : horizons) h.push_back(to_period(x));
  sluice::stats_result r;
  {
    py::gil_scoped_release nogil;
    r = p.program.stats(o, h);
  }
  p.errors->rethrow();
  py::list rows;
  for (const sluice::horizon_summary& s : r.rows)
    rows.append(py::make_tuple(s.rule, s.watched, s.horizon, s.count, s.pending, s.no_data, s.mean,
                               s.median, s.hit_rate, s.worst, s.max_drawdown, s.max_runup, s.episodes));
  py::list returns;
  for (const sluice::event_return& e : r.events)
    returns.append(py::make_tuple(e.rule, e.watched, e.horizon, e.time_ms * ns_per_ms, e.status,
                                  e.ret, e.max_drawdown, e.max_runup));
  return py::make_tuple(run_dict(r.run, p.program.rules(), exact), rows, returns, r.warnings);
}

py::tuple explain(const program_handle& p, const std::string& rule, std::optional<std::int64_t> at,
                  bool exact) {
  const std::optional<sluice::timestamp_ms> when = optional_ms(at, "at");
  sluice::explanation e;
  {
    py::gil_scoped_release nogil;
    e = p.program.explain_ms(rule, when, exact);
  }
  p.errors->rethrow();
  return py::make_tuple(e.ok, e.text, e.error);
}

std::unique_ptr<session_handle> stream(const program_handle& p, std::optional<std::int64_t> start, bool exact,
                                       const std::vector<std::pair<std::string, std::pair<std::int64_t, std::string>>>& stale) {
  auto s = std::make_unique<session_handle>();
  s->rules = p.program.rules();
  s->exact = exact;
  s->errors = p.errors;
  sluice::stream_options o;
  o.from_ms = optional_ms(start, "start");
  o.exact = exact;
  for (const auto& [name, period] : stale) o.stale.emplace_back(name, to_period(period));
  // The session lives inside its handle, so the callback's pointer stays valid.
  session_handle* self = s.get();
  s->session.emplace(p.program.stream([self](const sluice::event& e) { self->events.push_back(e); }, o));
  return s;
}

const char* push(session_handle& s, const std::string& series, std::int64_t t_ns, py::handle value) {
  const sluice::timestamp_ms t = ms_of(t_ns, "push");
  sluice::push_status status;
  if (py::isinstance<py::str>(value)) {
    const std::string text = value.cast<std::string>();
    status = s.session->push_decimal_ms(series, t, text);
  } else {
    status = s.session->push_ms(series, t, value.cast<double>());
  }
  return sluice::to_string(status);
}

std::size_t advance_to(session_handle& s, std::int64_t t_ns) {
  const sluice::timestamp_ms t = ms_of(t_ns, "advance_to");
  std::size_t n;
  {
    py::gil_scoped_release nogil;
    n = s.session->advance_to_ms(t);
  }
  s.errors->rethrow();
  return n;
}

std::size_t finish(session_handle& s) {
  std::size_t n;
  {
    py::gil_scoped_release nogil;
    n = s.session->finish();
  }
  s.errors->rethrow();
  return n;
}

py::dict take_events(session_handle& s) {
  py::dict out = event_columns(s.events, s.rules, s.exact);
  s.events.clear();
  return out;
}

py::dict load_report_dict(const sluice::load_report& r) {
  py::dict out;
  out["path"] = r.path;
  out["rows_read"] = r.rows_read;
  out["rows_used"] = r.rows_used;
  out["missing_cells"] = r.missing_cells;
  py::list rejected;
  for (const auto& row : r.rejected) rejected.append(py::make_tuple(row.line, row.reason));
  out["rejected"] = rejected;
  out["notes"] = r.notes;
  out["text"] = r.text;
  return out;
}

// (times ns, values, report dict, error or None)
py::tuple read_csv(const std::string& path, const std::string& column) {
  std::string error;
  sluice::load_report report;
  std::optional<sluice::series_data> data;
  {
    py::gil_scoped_release nogil;
    data = sluice::read_csv(path, column, &error, &report);
  }
  if (!data) return py::make_tuple(py::none(), py::none(), load_report_dict(report), error);
  ns_array times(static_cast<py::ssize_t>(data->times_ms.size()));
  f64_array values(static_cast<py::ssize_t>(data->values.size()));
  for (std::size_t i = 0; i < data->times_ms.size(); ++i)
    times.mutable_data()[i] = data->times_ms[i] * ns_per_ms;
  std::copy(data->values.begin(), data->values.end(), values.mutable_data());
  return py::make_tuple(times, values, load_report_dict(report), py::none());
}

}  // namespace

void bind_universe_parts(py::module_& m);  // the universes-in-parts block at the end

PYBIND11_MODULE(_core, m) {
  m.doc() = "Sluice's compiled core (use the sluice package, not this module)";
  m.def("version", &sluice::version);

  py::class_<program_handle>(m, "Program")
      .def("rules", [](const program_handle& p) { return p.program.rules(); })
      .def("series", [](const program_handle& p) { return p.program.series(); })
      .def("disassemble", [](const program_handle& p) { return p.program.disassemble(); })
      .def("run", &run, py::arg("start"), py::arg("end"), py::arg("exact"))
      .def("stats", &stats, py::arg("start"), py::arg("end"), py::arg("exact"), py::arg("horizons"))
      .def("explain", &explain, py::arg("rule"), py::arg("at"), py::arg("exact"))
      .def("event_ids", &event_ids, py::arg("times"), py::arg("rules"))
      .def("with_lags", &with_lags, py::arg("lags"))
      .def("stream", &stream, py::arg("start"), py::arg("exact"), py::arg("stale"));

  py::class_<engine_handle>(m, "Engine")
      .def(py::init<bool, const std::string&>(), py::arg("allow_files") = false,
           py::arg("root") = "")
      .def("add_series", &engine_handle::add_series, py::arg("name"), py::arg("times"),
           py::arg("values"), py::arg("lag") = py::none(), py::arg("stale") = py::none())
      .def("add_series_on_index", &engine_handle::add_series_on_index, py::arg("times"),
           py::arg("series"))
      .def("add_series_csv", &engine_handle::add_series_csv, py::arg("name"), py::arg("path"),
           py::arg("column") = "")
      .def("add_function", &engine_handle::add_function, py::arg("name"), py::arg("arity"),
           py::arg("fn"), py::arg("window") = py::none())
      .def("compile", &engine_handle::compile, py::arg("source"), py::arg("name"));
  bind_universe_parts(m);  // after Engine: it adds an Engine constructor

  py::class_<session_handle>(m, "Session")
      .def("push", &push, py::arg("series"), py::arg("time"), py::arg("value"))
      .def("advance_to", &advance_to, py::arg("time"))
      .def("finish", &finish)
      .def("take_events", &take_events)
      .def("clock",
           [](const session_handle& s) -> std::optional<std::int64_t> {
             const auto c = s.session->clock_ms();
             if (!c) return std::nullopt;
             return *c * ns_per_ms;
           })
      .def("points", [](const session_handle& s) { return s.session->points(); })
      .def("series", [](const session_handle& s) { return s.session->series(); });

  m.def("read_csv", &read_csv, py::arg("path"), py::arg("column") = "");
  m.def(
      "catalogue_lag",
      [](const std::string& name) -> std::optional<std::pair<std::int64_t, std::string>> {
        const auto lag = sluice::catalogue_lag(name);
        if (!lag) return std::nullopt;
        return std::make_pair(
            lag->count, std::string(lag->kind == sluice::period::unit::months ? "months" : "days"));
      },
      py::arg("name"));
}

// ---- universes in parts (sluice.dask; docs/scale.md) ---------------------------------------
// The bindings of sluice::parts (sluice.hpp's last section): a universe program evaluated in
// parts that each hold some members' data. Operand and result matrices cross as float64
// arrays of [member, point]; times as int64 nanoseconds, like everything else here.
namespace {

std::vector<sluice::timestamp> seconds_of_array(const ns_array& a, const char* what) {
  if (a.ndim() != 1)
    throw py::value_error(std::string(what) + ": a one-dimensional array is needed");
  std::vector<sluice::timestamp> out(static_cast<std::size_t>(a.shape(0)));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = seconds_of(a.data()[i], what);
  return out;
}

py::array_t<double> matrix(const std::vector<double>& values, std::size_t rows,
                           std::size_t columns) {
  py::array_t<double> out({static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(columns)});
  std::copy(values.begin(), values.end(), out.mutable_data());
  return out;
}

py::list part_cross_sections(const program_handle& p) {
  py::list out;
  for (const auto& x : sluice::parts::cross_sections(p.program))
    out.append(py::make_tuple(x.op, x.line, x.column));
  return out;
}

py::tuple part_timeline(const program_handle& p, std::optional<std::int64_t> end) {
  const std::optional<sluice::timestamp> to = optional_seconds(end, "end");
  std::vector<sluice::diagnostic> diags;
  std::vector<sluice::timestamp> times;
  {
    py::gil_scoped_release nogil;
    times = sluice::parts::part_timeline(p.program, to, &diags);
  }
  ns_array out(static_cast<py::ssize_t>(times.size()));
  for (std::size_t i = 0; i < times.size(); ++i) out.mutable_data()[i] = times[i] * ns_per_second;
  return py::make_tuple(out, diagnostic_list(diags));
}

py::dict part_operands(const program_handle& p, const ns_array& timeline_ns) {
  const std::vector<sluice::timestamp> timeline = seconds_of_array(timeline_ns, "timeline");
  sluice::parts::operands r;
  {
    py::gil_scoped_release nogil;
    r = sluice::parts::part_operands(p.program, timeline);
  }
  p.errors->rethrow();
  py::dict out;
  out["ok"] = r.ok;
  out["diagnostics"] = diagnostic_list(r.diagnostics);
  py::list values;
  for (const std::vector<double>& v : r.values) values.append(matrix(v, r.members, r.points));
  out["values"] = values;
  return out;
}

py::array_t<double> reduce_cross_section(const std::string& op, const f64_array& operands) {
  if (operands.ndim() != 2)
    throw py::value_error("reduce_cross_section: a [member, point] matrix is needed");
  const auto members = static_cast<std::size_t>(operands.shape(0));
  const auto points = static_cast<std::size_t>(operands.shape(1));
  std::vector<double> r;
  {
    py::gil_scoped_release nogil;
    r = sluice::parts::reduce_cross_section(op, {operands.data(), members * points}, members,
                                            points);
  }
  if (op == "rank") return matrix(r, members, points);
  py::array_t<double> out(static_cast<py::ssize_t>(points));
  std::copy(r.begin(), r.end(), out.mutable_data());
  return out;
}

template <class T>
py::array_t<T> array_of(const std::vector<T>& v) {
  py::array_t<T> out(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), out.mutable_data());
  return out;
}

// The part's events as arrays (sluice::parts::part_result): point (uint32, on the timeline
// given), rule (uint32, the rule's index in the whole program), values (float64, each
// event's values in turn; value_texts in exact mode), the events with alerts and their
// texts; and per rule of the part its whole-program index, value names and actions.
py::dict part_run(const program_handle& p, const std::string& universe, std::size_t universe_size,
                  std::size_t first_member, bool plain_rules, const ns_array& timeline_ns,
                  const std::vector<f64_array>& results, std::optional<std::int64_t> start,
                  bool exact) {
  const std::vector<sluice::timestamp> timeline = seconds_of_array(timeline_ns, "timeline");
  std::vector<std::vector<double>> given;
  for (const f64_array& r : results) given.emplace_back(r.data(), r.data() + r.size());
  sluice::parts::layout layout{universe, universe_size, first_member, plain_rules};
  sluice::run_options o;
  o.from = optional_seconds(start, "start");
  o.exact = exact;
  sluice::parts::part_result r;
  {
    py::gil_scoped_release nogil;
    r = sluice::parts::part_run(p.program, layout, timeline, given, o);
    for (std::uint32_t& rule : r.event_rule) rule = static_cast<std::uint32_t>(r.rule_index[rule]);
  }
  p.errors->rethrow();
  py::dict out;
  out["ok"] = r.ok;
  out["points"] = r.points;
  out["diagnostics"] = diagnostic_list(r.diagnostics);
  out["point"] = array_of(r.event_point);
  out["rule"] = array_of(r.event_rule);
  out["values"] = array_of(r.values);
  out["value_texts"] = exact ? py::cast(r.value_texts) : py::object(py::none());
  out["alert_events"] = array_of(r.alert_events);
  out["alerts"] = r.alerts;
  out["rule_index"] = r.rule_index;
  out["rule_names"] = p.program.rules();
  out["rule_values"] = r.rule_values;
  out["rule_actions"] = r.rule_actions;
  return out;
}

}  // namespace

void bind_universe_parts(py::module_& m) {
  // Engine(allow_files, root, own_rules=True): the command line's bounds (the user's own rules).
  auto engine = py::reinterpret_borrow<py::class_<engine_handle>>(m.attr("Engine"));
  engine.def(py::init<bool, const std::string&, bool>(), py::arg("allow_files"), py::arg("root"),
             py::arg("own_rules"));
  m.def(
      "part_check",
      [](const program_handle& p, const std::string& universe) {
        return sluice::parts::check_universe(p.program, universe);
      },
      py::arg("program"), py::arg("universe"));
  m.def("part_cross_sections", &part_cross_sections, py::arg("program"));
  m.def("part_timeline", &part_timeline, py::arg("program"), py::arg("end"));
  m.def("part_operands", &part_operands, py::arg("program"), py::arg("timeline"));
  m.def("reduce_cross_section", &reduce_cross_section, py::arg("op"), py::arg("operands"));
  m.def("part_run", &part_run, py::arg("program"), py::arg("universe"), py::arg("universe_size"),
        py::arg("first_member"), py::arg("plain_rules"), py::arg("timeline"), py::arg("results"),
        py::arg("start"), py::arg("exact"));
}
// ---- end of universes in parts -------------------------------------------------------------
