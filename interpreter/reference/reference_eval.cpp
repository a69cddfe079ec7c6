// The reference evaluator's core (see reference_eval.hpp): name resolution as the compiler
// does it, as-of reads from raw observations, and one column per (node, def scope)
// computed point by point from the formulas of docs/semantics.md. Slow on purpose: every
// window is re-scanned at every point, so that each formula can be read off the doc.
#include "interpreter/reference/reference_eval.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "interpreter/compile/builtins.hpp"
#include "interpreter/run/alignment.hpp"

namespace sluice {

namespace {

constexpr std::uint8_t f_ = 0, t_ = 1, na_ = 2;

}  // namespace

template <class Num>
basic_reference_evaluator<Num>::basic_reference_evaluator(const program& p, data_source data,
                                         std::optional<time_point> from,
                                         std::optional<time_point> to)
    : p_(p), data_(std::move(data)), from_(from) {
  build_symbols();
  scopes_.push_back({});  // scope 0: no parameters
  // The timeline: every observation time of every column the program reads, up to `to`.
  for (const input_spec& in : p_.inputs)
    if (const series_values<Num>* obs = data_(in.series, in.field))
      for (time_point t : obs->times)
        if (!to || t <= *to) timeline_.push_back(t);
  std::sort(timeline_.begin(), timeline_.end());
  timeline_.erase(std::unique(timeline_.begin(), timeline_.end()), timeline_.end());
}

template <class Num>
bool basic_reference_evaluator<Num>::is_builtin_name(const std::string& name) {
  return is_builtin(name);  // the compiler's table (compile/builtins.hpp)
}

// --- names -------------------------------------------------------------------------

template <class Num>
void basic_reference_evaluator<Num>::build_symbols() {
  main_module_ = !p_.rules.empty() ? p_.rules[0].module : p_.modules.size() > 1 ? 1 : 0;
  // The higher rank wins; at equal rank the first declaration stays (the compiler rejects
  // equal-rank duplicates except between host series, where the first wins).
  auto declare = [&](const std::string& name, const symbol& s) {
    auto [it, fresh] = symbols_.emplace(name, s);
    if (!fresh && s.rank > it->second.rank) it->second = s;
  };
  std::vector<bool> loaded(p_.series.size(), false);
  for (std::uint32_t m = 0; m < p_.modules.size(); ++m) {
    const module_ast& mod = *p_.modules[m];
    const int rank = mod.source_name == "<prelude>" ? 0 : m == main_module_ ? 3 : 2;
    for (const statement& st : mod.statements) {
      if (const auto* let = std::get_if<let_stmt>(&st.body)) {
        declare(let->name, {sym_kind::let, rank, m, &st, 0});
      } else if (const auto* def = std::get_if<def_stmt>(&st.body)) {
        declare(def->name, {sym_kind::def, rank, m, &st, 0});
      } else if (const auto* load = std::get_if<load_stmt>(&st.body)) {
        const std::string where = fmt::format("{}:{}", mod.source_name, st.range.begin.line);
        for (std::uint32_t i = 0; i < p_.series.size(); ++i)
          if (p_.series[i].name == load->name && p_.series[i].declared_in == where) {
            loaded[i] = true;
            declare(load->name, {sym_kind::series, rank, m, &st, i});
          }
      } else if (const auto* set = std::get_if<set_stmt>(&st.body)) {
        if (m == main_module_ && set->key == "window" && set->values.size() == 1)
          default_window_ = mod.at(set->values[0]).dur;
      }
    }
  }
  for (std::uint32_t i = 0; i < p_.series.size(); ++i)
    if (!loaded[i]) declare(p_.series[i].name, {sym_kind::series, 1, 0, nullptr, i});
  // Signals: each names the rule whose `signal` action raises it.
  for (std::uint32_t r = 0; r < p_.rules.size(); ++r) {
    const compiled_rule& cr = p_.rules[r];
    const rule_stmt* found = nullptr;
    for (const statement& st : p_.modules[cr.module]->statements)
      if (const auto* rs = std::get_if<rule_stmt>(&st.body))
        if (rs->condition == cr.condition_node) found = rs;
    if (!found) throw std::logic_error("reference: a compiled rule has no statement");
    rule_stmts_.push_back(found);
    for (const action& a : found->actions)
      if (a.what == action::kind::signal) symbols_[a.name] = {sym_kind::signal, 3, cr.module, nullptr, r};
  }
}

template <class Num>
const typename basic_reference_evaluator<Num>::symbol& basic_reference_evaluator<Num>::lookup(const std::string& name) const {
  auto it = symbols_.find(name);
  if (it == symbols_.end()) throw std::logic_error("reference: unknown name '" + name + "'");
  return it->second;
}

// A name inside a def body that is one of its parameters: the caller's argument.
template <class Num>
std::optional<typename basic_reference_evaluator<Num>::bound> basic_reference_evaluator<Num>::param(const bound& b) const {
  if (b.scope == 0) return std::nullopt;
  const scope& s = scopes_[b.scope];
  const std::string& name = at(b.module, b.n).text;
  for (std::size_t i = 0; i < s.params.size(); ++i)
    if (s.params[i] == name) return bound{s.module, s.args[i], s.parent};
  return std::nullopt;
}

// The scope of a def expanded at `call` (a call node, or a name for a def without
// arguments); one per call site and caller scope, so its columns are memoized.
template <class Num>
std::uint32_t basic_reference_evaluator<Num>::expand(const bound& call, const symbol& def) {
  const auto key = std::make_tuple(call.module, call.n, call.scope);
  auto it = scope_ids_.find(key);
  if (it != scope_ids_.end()) return it->second;
  scope s;
  s.parent = call.scope;
  s.module = call.module;
  s.params = std::get<def_stmt>(def.stmt->body).params;
  if (at(call.module, call.n).kind == node_kind::call) s.args = at(call.module, call.n).kids;
  scopes_.push_back(std::move(s));
  const auto id = static_cast<std::uint32_t>(scopes_.size() - 1);
  scope_ids_.emplace(key, id);
  return id;
}

template <class Num>
duration basic_reference_evaluator<Num>::window(const bound& b) {
  const node& nd = at(b.module, b.n);
  if (nd.kind == node_kind::duration) return nd.dur;
  if (nd.kind == node_kind::name) {
    if (auto arg = param(b)) return window(*arg);
    const symbol& s = lookup(nd.text);
    if (s.kind == sym_kind::let)
      return window({s.module, std::get<let_stmt>(s.stmt->body).value, 0});
  }
  throw std::logic_error("reference: not a window");
}

template <class Num>
std::optional<duration> basic_reference_evaluator<Num>::window_kid(const bound& b, std::size_t kid) {
  const node& nd = at(b.module, b.n);
  if (kid >= nd.kids.size() || nd.kids[kid] == no_node) return std::nullopt;
  return window({b.module, nd.kids[kid], b.scope});
}

// Is this expression exactly a series column (docs: lookbacks)? Through parameters, lets
// and def bodies, as the compiler sees it: their value is that column itself.
template <class Num>
std::optional<std::pair<std::uint32_t, std::string>> basic_reference_evaluator<Num>::series_ref(const bound& b) {
  const node& nd = at(b.module, b.n);
  switch (nd.kind) {
    case node_kind::name: {
      if (auto arg = param(b)) return series_ref(*arg);
      const symbol& s = lookup(nd.text);
      if (s.kind == sym_kind::series) return std::make_pair(s.index, std::string());
      if (s.kind == sym_kind::let) return series_ref({s.module, std::get<let_stmt>(s.stmt->body).value, 0});
      if (s.kind == sym_kind::def) return series_ref({s.module, std::get<def_stmt>(s.stmt->body).body, expand(b, s)});
      return std::nullopt;
    }
    case node_kind::field: {
      const symbol& s = lookup(nd.text);
      if (s.kind == sym_kind::series) return std::make_pair(s.index, nd.field);
      auto base = series_ref({s.module, std::get<let_stmt>(s.stmt->body).value, 0});
      if (!base || !base->second.empty()) throw std::logic_error("reference: field of a non-series");
      return std::make_pair(base->first, nd.field);
    }
    case node_kind::call: {
      if (is_builtin_name(nd.text) || is_cross_section(nd)) return std::nullopt;
      const symbol& s = lookup(nd.text);
      return series_ref({s.module, std::get<def_stmt>(s.stmt->body).body, expand(b, s)});
    }
    case node_kind::index:
      if (nd.count == 0) return series_ref({b.module, nd.kids[0], b.scope});
      return std::nullopt;
    default: return std::nullopt;
  }
}

// --- data --------------------------------------------------------------------------

// The series column read as-of `t`: the last observation dated <= t - lag, unless it is
// older than `stale` measured from t - lag.
template <class Num>
Num basic_reference_evaluator<Num>::as_of(std::uint32_t series, const std::string& field, time_point t) {
  const series_values<Num>* obs = data_(series, field);
  if (!obs) return na();
  const series_spec& spec = p_.series[series];
  const time_point when = spec.lag ? subtract(t, *spec.lag) : t;
  auto after = std::upper_bound(obs->times.begin(), obs->times.end(), when);
  if (after == obs->times.begin()) return na();
  const auto k = static_cast<std::size_t>(after - obs->times.begin()) - 1;
  auto key = std::make_pair(series, field);
  auto stale = stale_.find(key);
  if (stale == stale_.end())
    stale = stale_.emplace(key, spec.stale ? *spec.stale : default_staleness(obs->times)).first;
  if (obs->times[k] < subtract(when, stale->second)) return na();
  return obs->values[k];
}

template <class Num>
std::optional<std::size_t> basic_reference_evaluator<Num>::last_at_or_before(time_point when) const {
  auto after = std::upper_bound(timeline_.begin(), timeline_.end(), when);
  if (after == timeline_.begin()) return std::nullopt;
  return static_cast<std::size_t>(after - timeline_.begin()) - 1;
}

// The first point of the window ending at t: calendar t - D < u, bars the last N points.
template <class Num>
std::size_t basic_reference_evaluator<Num>::first_in_window(std::size_t t, duration w) const {
  if (w.is_bars()) return t + 1 >= static_cast<std::size_t>(w.count) ? t + 1 - static_cast<std::size_t>(w.count) : 0;
  const time_point start = subtract(timeline_[t], w);
  return static_cast<std::size_t>(std::upper_bound(timeline_.begin(), timeline_.end(), start) -
                                  timeline_.begin());
}

template <class Num>
std::optional<std::size_t> basic_reference_evaluator<Num>::first_defined(const std::vector<Num>& x) const {
  for (std::size_t u = 0; u < x.size(); ++u)
    if (!is_na(x[u])) return u;
  return std::nullopt;
}

// x(t - w): w bars back; a series column read as-of t - w; any other expression at the
// last timeline point <= t - w.
template <class Num>
std::vector<Num> basic_reference_evaluator<Num>::lookback(const bound& x, duration w) {
  const std::size_t n = timeline_.size();
  std::vector<Num> out(n, na());
  if (w.count == 0) return numbers(x);
  if (w.is_bars()) {
    const std::vector<Num> xs = numbers(x);
    for (std::size_t t = static_cast<std::size_t>(w.count); t < n; ++t) out[t] = xs[t - w.count];
    return out;
  }
  if (auto s = series_ref(x)) {
    for (std::size_t t = 0; t < n; ++t) out[t] = as_of(s->first, s->second, subtract(timeline_[t], w));
    return out;
  }
  const std::vector<Num> xs = numbers(x);
  for (std::size_t t = 0; t < n; ++t)
    if (auto u = last_at_or_before(subtract(timeline_[t], w))) out[t] = xs[*u];
  return out;
}

template <class Num>
std::vector<Num> basic_reference_evaluator<Num>::numbers(const bound& b) {
  const column& c = col(b);
  if (!c.empty() && c[0].is_condition) throw std::logic_error("reference: expected a number");
  std::vector<Num> out;
  out.reserve(c.size());
  for (const value_type& v : c) out.push_back(v.number);
  return out;
}

// --- evaluation --------------------------------------------------------------------

template <class Num>
typename basic_reference_evaluator<Num>::value_type basic_reference_evaluator<Num>::eval(std::uint32_t module, node_id n, std::size_t t) {
  return col({module, n, 0}).at(t);
}

template <class Num>
const typename basic_reference_evaluator<Num>::column& basic_reference_evaluator<Num>::col(const bound& b) {
  const auto key = std::make_tuple(b.module, b.n, b.scope);
  auto it = columns_.find(key);
  if (it != columns_.end()) return it->second;
  column c = compute(b);
  return columns_.insert_or_assign(key, std::move(c)).first->second;
}

template <class Num>
typename basic_reference_evaluator<Num>::column basic_reference_evaluator<Num>::compute(const bound& b) {
  const node& nd = at(b.module, b.n);
  const std::size_t n = timeline_.size();
  column out(n);
  auto kid = [&](std::size_t i) { return bound{b.module, nd.kids[i], b.scope}; };
  switch (nd.kind) {
    case node_kind::number: {
      const std::string text =
          nd.exponent10 == 0 ? nd.digits : fmt::format("{}e{}", nd.digits, nd.exponent10);
      // As the VM's constants: double from strtod, exact mode from the decimal text.
      const Num v = traits::from_constant(std::strtod(text.c_str(), nullptr), text);
      std::fill(out.begin(), out.end(), number_at(v));
      return out;
    }
    case node_kind::name: {
      if (auto arg = param(b)) return col(*arg);
      const symbol& s = lookup(nd.text);
      switch (s.kind) {
        case sym_kind::series:
          for (std::size_t t = 0; t < n; ++t) out[t] = number_at(as_of(s.index, "", timeline_[t]));
          return out;
        case sym_kind::let: return col({s.module, std::get<let_stmt>(s.stmt->body).value, 0});
        case sym_kind::def: return col({s.module, std::get<def_stmt>(s.stmt->body).body, expand(b, s)});
        case sym_kind::signal: return fired(s.index);
      }
      return out;
    }
    case node_kind::field: {
      auto s = series_ref(b);
      for (std::size_t t = 0; t < n; ++t) out[t] = number_at(as_of(s->first, s->second, timeline_[t]));
      return out;
    }
    case node_kind::negate: {
      const std::vector<Num> x = numbers(kid(0));
      for (std::size_t t = 0; t < n; ++t) out[t] = number_at(-x[t]);
      return out;
    }
    case node_kind::binary: {
      const std::vector<Num> x = numbers(kid(0)), y = numbers(kid(1));
      for (std::size_t t = 0; t < n; ++t) {
        Num v = na();
        if (!is_na(x[t]) && !is_na(y[t])) {
          switch (nd.op) {
            case '+': v = x[t] + y[t]; break;
            case '-': v = x[t] - y[t]; break;
            case '*': v = x[t] * y[t]; break;
            default: v = divide(x[t], y[t]); break;
          }
        }
        out[t] = number_at(v);
      }
      return out;
    }
    case node_kind::call: return compute_call(b);
    case node_kind::index: {
      const std::vector<Num> x = lookback(kid(0), {duration::unit::bars, nd.count});
      for (std::size_t t = 0; t < n; ++t) out[t] = number_at(x[t]);
      return out;
    }
    case node_kind::not_: {
      const column& c = col(kid(0));
      for (std::size_t t = 0; t < n; ++t)
        out[t] = truth_at(c[t].truth == na_ ? na_ : c[t].truth == t_ ? f_ : t_);
      return out;
    }
    case node_kind::and_:
    case node_kind::or_: {
      // Kleene logic: the dominant value (false for and, true for or) wins over na.
      const std::uint8_t dominant = nd.kind == node_kind::and_ ? f_ : t_;
      const column& x = col(kid(0));
      const column& y = col(kid(1));
      for (std::size_t t = 0; t < n; ++t) {
        const std::uint8_t a = x[t].truth, c = y[t].truth;
        out[t] = truth_at(a == dominant || c == dominant ? dominant
                          : a == na_ || c == na_         ? na_
                                                         : static_cast<std::uint8_t>(1 - dominant));
      }
      return out;
    }
    case node_kind::for_:
    case node_kind::within:
    case node_kind::followed_by: return compute_temporal(b);
    case node_kind::duration:
    case node_kind::date:
    case node_kind::string: throw std::logic_error("reference: a literal that is not a value");
    default: return compute_predicate(b);
  }
}

// --- predicates --------------------------------------------------------------------

template <class Num>
typename basic_reference_evaluator<Num>::column basic_reference_evaluator<Num>::compute_predicate(const bound& b) {
  const node& nd = at(b.module, b.n);
  const std::size_t n = timeline_.size();
  column out(n);
  auto kid = [&](std::size_t i) { return bound{b.module, nd.kids[i], b.scope}; };
  const bool up = static_cast<direction>(nd.op) == direction::up;
  const std::vector<Num> x = numbers(kid(0));
  // A comparison's truth: na when an operand is na.
  auto compared = [](const Num& a, const Num& c, bool holds) {
    return truth_at(is_na(a) || is_na(c) ? na_ : holds ? t_ : f_);
  };
  switch (nd.kind) {
    case node_kind::compare: {
      const std::vector<Num> y = numbers(kid(1));
      for (std::size_t t = 0; t < n; ++t) {
        const Num a = x[t], c = y[t];
        bool holds = false;
        switch (static_cast<compare_op>(nd.op)) {
          case compare_op::gt: holds = a > c; break;
          case compare_op::ge: holds = a >= c; break;
          case compare_op::lt: holds = a < c; break;
          case compare_op::le: holds = a <= c; break;
          case compare_op::eq: holds = a == c; break;
          case compare_op::ne: holds = a != c; break;
        }
        out[t] = compared(a, c, holds);
      }
      return out;
    }
    case node_kind::between: {
      const std::vector<Num> lo = numbers(kid(1)), hi = numbers(kid(2));
      for (std::size_t t = 0; t < n; ++t)
        out[t] = is_na(lo[t]) ? truth_at(na_) : compared(x[t], hi[t], lo[t] <= x[t] && x[t] <= hi[t]);
      return out;
    }
    case node_kind::crosses: {
      const std::vector<Num> y = numbers(kid(1));
      for (std::size_t t = 0; t < n; ++t) {
        if (t == 0 || is_na(x[t - 1]) || is_na(y[t - 1])) {
          out[t] = truth_at(na_);
          continue;
        }
        out[t] = compared(x[t], y[t], up ? x[t] > y[t] && x[t - 1] <= y[t - 1]
                                         : x[t] < y[t] && x[t - 1] >= y[t - 1]);
      }
      return out;
    }
    case node_kind::change: {
      const duration w = window_kid(b, 2).value_or(default_window_);
      const std::vector<Num> past = lookback(kid(0), w);
      const bool has_by = nd.kids.size() > 1 && nd.kids[1] != no_node;
      const std::vector<Num> by = has_by ? numbers(kid(1)) : std::vector<Num>(n, Num(0));
      const bool relative = has_by && at(b.module, nd.kids[1]).kind == node_kind::number &&
                            at(b.module, nd.kids[1]).is_percent;
      for (std::size_t t = 0; t < n; ++t) {
        if (!has_by) {
          out[t] = compared(x[t], past[t], up ? x[t] > past[t] : x[t] < past[t]);
          continue;
        }
        const Num q = divide(x[t], past[t]);
        const Num moved = relative ? (is_na(q) ? na() : q - Num(1))
                                   : (is_na(x[t]) || is_na(past[t]) ? na() : x[t] - past[t]);
        out[t] = compared(moved, by[t], up ? moved >= by[t] : moved <= -by[t]);
      }
      return out;
    }
    case node_kind::perform: {
      const duration w = window_kid(b, 2).value_or(default_window_);
      const std::vector<Num> y = numbers(kid(1));
      const std::vector<Num> xp = lookback(kid(0), w), yp = lookback(kid(1), w);
      for (std::size_t t = 0; t < n; ++t) {
        const Num qx = divide(x[t], xp[t]), qy = divide(y[t], yp[t]);
        const Num px = is_na(qx) ? na() : qx - Num(1), py = is_na(qy) ? na() : qy - Num(1);
        out[t] = compared(px, py, up ? px > py : px < py);
      }
      return out;
    }
    case node_kind::new_extreme: {
      const std::optional<duration> w = window_kid(b, 1);
      const auto first = first_defined(x);
      for (std::size_t t = 0; t < n; ++t) {
        out[t] = truth_at(na_);
        if (is_na(x[t])) continue;
        // The prior points: bars, the N before t; calendar, t - D <= u < t; else all.
        std::size_t lo = 0;
        if (w && w->is_bars()) {
          if (static_cast<std::int64_t>(*first) > static_cast<std::int64_t>(t) - w->count) continue;
          lo = t - static_cast<std::size_t>(w->count);
        } else if (w) {
          const time_point start = subtract(timeline_[t], *w);
          if (timeline_[*first] > start) continue;
          lo = static_cast<std::size_t>(std::lower_bound(timeline_.begin(), timeline_.end(), start) -
                                        timeline_.begin());
        }
        std::optional<Num> extreme;
        for (std::size_t u = lo; u < t; ++u)
          if (!is_na(x[u])) extreme = !extreme ? x[u] : up ? std::max(*extreme, x[u]) : std::min(*extreme, x[u]);
        if (extreme) out[t] = truth_at(up ? x[t] > *extreme : x[t] < *extreme);
      }
      return out;
    }
    default: throw std::logic_error("reference: unknown node kind");
  }
}

// --- temporal operators ------------------------------------------------------------

template <class Num>
typename basic_reference_evaluator<Num>::column basic_reference_evaluator<Num>::compute_temporal(const bound& b) {
  const node& nd = at(b.module, b.n);
  const std::size_t n = timeline_.size();
  column out(n, truth_at(f_));
  auto held = [](const column& c, std::size_t u) { return c[u].truth == t_; };
  const column& c = col({b.module, nd.kids[0], b.scope});
  const duration w = window({b.module, nd.kids[nd.kind == node_kind::followed_by ? 2 : 1], b.scope});
  // Is point u inside the lookback of t? Calendar: t - D <= u; bars: pos(t) - pos(u) <= N.
  auto reaches = [&](std::size_t t, std::size_t u) {
    return w.is_bars() ? static_cast<std::int64_t>(t - u) <= w.count
                       : timeline_[u] >= subtract(timeline_[t], w);
  };
  for (std::size_t t = 0; t < n; ++t) {
    bool v = false;
    if (nd.kind == node_kind::for_) {
      // Held at every point from the last point at or before t - D (bars: the last N)
      // through t; false while no such point exists.
      std::optional<std::size_t> start;
      if (w.is_bars()) {
        if (static_cast<std::int64_t>(t) + 1 >= w.count) start = t + 1 - static_cast<std::size_t>(w.count);
      } else {
        start = last_at_or_before(subtract(timeline_[t], w));
      }
      v = start.has_value();
      for (std::size_t u = start.value_or(t); v && u <= t; ++u) v = held(c, u);
    } else if (nd.kind == node_kind::within) {
      // Held at some u with t - D <= u <= t (bars: pos(t) - pos(u) <= N).
      for (std::size_t u = t + 1; u-- > 0 && reaches(t, u) && !v;) v = held(c, u);
    } else {
      // The second part holds at t, the first at some u before t inside the window.
      if (held(col({b.module, nd.kids[1], b.scope}), t))
        for (std::size_t u = t; u-- > 0 && reaches(t, u) && !v;) v = held(c, u);
    }
    out[t] = truth_at(v ? t_ : f_);
  }
  return out;
}

// --- rules -------------------------------------------------------------------------

template <class Num>
const typename basic_reference_evaluator<Num>::column& basic_reference_evaluator<Num>::fired(std::uint32_t rule) {
  auto it = fired_.find(rule);
  if (it != fired_.end()) return it->second;
  const compiled_rule& r = p_.rules[rule];
  const column cond = col({r.module, r.condition_node, rule_scope(rule)});
  column out(timeline_.size(), truth_at(f_));
  std::optional<std::size_t> last;
  for (std::size_t t = 0; t < timeline_.size(); ++t) {
    const bool rising = cond[t].truth == t_ && (t == 0 || cond[t - 1].truth != t_);
    bool fires = rising && (!from_ || timeline_[t] >= *from_);
    if (fires && last && r.once) fires = false;
    if (fires && last && r.cooldown)
      fires = r.cooldown->is_bars() ? static_cast<std::int64_t>(t - *last) >= r.cooldown->count
                                    : timeline_[t] >= add(timeline_[*last], *r.cooldown);
    if (fires) {
      last = t;
      out[t] = truth_at(t_);
    }
  }
  return fired_.emplace(rule, std::move(out)).first->second;
}

template <class Num>
std::vector<std::pair<std::size_t, std::uint32_t>> basic_reference_evaluator<Num>::firings() {
  std::vector<std::pair<std::size_t, std::uint32_t>> out;
  for (std::uint32_t r = 0; r < p_.rules.size(); ++r) fired(r);
  for (std::size_t t = 0; t < timeline_.size(); ++t)
    for (std::uint32_t r = 0; r < p_.rules.size(); ++r)
      if (fired(r)[t].truth == t_) out.emplace_back(t, r);
  return out;
}

template <class Num>
rule_outcome basic_reference_evaluator<Num>::outcome(std::uint32_t rule, std::size_t t) {
  const compiled_rule& r = p_.rules[rule];
  const column& cond = col({r.module, r.condition_node, rule_scope(rule)});
  if (fired(rule)[t].truth == t_) return rule_outcome::fired;
  if (cond[t].truth != t_) return rule_outcome::condition_not_true;
  if (t > 0 && cond[t - 1].truth == t_) return rule_outcome::no_rising_edge;
  if (from_ && timeline_[t] < *from_) return rule_outcome::before_from;
  return r.once ? rule_outcome::once_spent : rule_outcome::cooling_down;
}

// The evaluator's core for both number types (the builtins and the reports are
// instantiated in their own files).
template class basic_reference_evaluator<double>;
template class basic_reference_evaluator<decimal>;

}  // namespace sluice
