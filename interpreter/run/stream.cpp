// Streaming sessions (see stream.hpp): pushes fill per-column buffers, advance_to() walks the
// pending timeline points through the VM one at a time and trims what no later point can read.
#include "interpreter/run/stream.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sluice {

stream_session::stream_session(std::shared_ptr<const program> p, std::vector<duration> stale,
                               sink on_event, std::optional<time_point> report_from, bool exact)
    : program_(std::move(p)), on_event_(std::move(on_event)) {
  if (exact)
    exact_machine_ = std::make_unique<vm<decimal>>(*program_, 1);
  else
    machine_ = std::make_unique<vm<double>>(*program_, 1);
  if (report_from) {
    if (exact_machine_) exact_machine_->set_report_from(*report_from);
    else machine_->set_report_from(*report_from);
  }
  for (const input_spec& in : program_->inputs) {
    const series_spec& spec = program_->series[in.series];
    const std::string name = in.field.empty() ? spec.name : spec.name + "." + in.field;
    auto found = by_name_.find(name);
    if (found == by_name_.end()) {
      column_state c;
      c.name = name;
      c.lag = spec.lag;
      c.stale = in.series < stale.size() ? stale[in.series] : duration{duration::unit::days, 7};
      columns_.push_back(std::move(c));
      found = by_name_.emplace(name, columns_.size() - 1).first;
    }
    input_column_.push_back(found->second);
  }
  values_.assign(program_->inputs.size(), 0.0);
  for (const double& v : values_) inputs_.push_back(&v);
  if (exact) {
    exact_values_.assign(program_->inputs.size(), decimal(0));
    for (const decimal& v : exact_values_) exact_inputs_.push_back(&v);
  }
}

push_result stream_session::push(std::string_view column, time_point t, double value) {
  if (!exact_machine_) return accept(column, t, value, nullptr);
  const decimal exact_value = decimal::from_double(value);
  return accept(column, t, value, &exact_value);
}

push_result stream_session::push_decimal(std::string_view column, time_point t,
                                         std::string_view text) {
  const std::optional<decimal> parsed = decimal::parse(text);
  if (!parsed) return by_name_.count(std::string(column)) ? push_result::invalid_number
                                                          : push_result::unknown_series;
  return accept(column, t, parsed->to_double(), &*parsed);
}

push_result stream_session::accept(std::string_view column, time_point t, double value,
                                   const decimal* exact_value) {
  auto found = by_name_.find(std::string(column));
  if (found == by_name_.end()) return push_result::unknown_series;
  // One inf would poison every running sum it enters for the rest of the session. Checked
  // first: an exact session's decimal of an infinite double is NaN, which means "missing".
  if (std::isinf(value)) return push_result::invalid_value;
  if (std::isnan(value) || (exact_value && exact_value->is_nan())) return push_result::missing_value;
  if (clock_ && t <= *clock_) return push_result::late;
  column_state& c = columns_[found->second];
  if (!c.kept.empty()) {
    if (t < c.kept.back().time) return push_result::out_of_order;
    if (t == c.kept.back().time) return push_result::duplicate;  // the CSV loader keeps the first too
  }
  c.kept.push_back({t, value});
  if (exact_machine_) c.kept_exact.push_back(*exact_value);
  pending_.push_back(t);
  return push_result::accepted;
}

namespace {

// Marks a session busy for the duration of an advance, also when the callback throws.
struct busy_guard {
  bool& flag;
  explicit busy_guard(bool& f) : flag(f) { flag = true; }
  ~busy_guard() { flag = false; }
  busy_guard(const busy_guard&) = delete;
  busy_guard& operator=(const busy_guard&) = delete;
};

}  // namespace

void stream_session::refuse_reentry(const char* what) const {
  if (busy_)
    throw std::logic_error(std::string(what) +
                           " was called from inside the event callback; the session is "
                           "evaluating: return from the callback first");
}

// Hands over the events of evaluated points in order. An event whose callback throws
// counts as delivered; the ones after it wait for the next advance_to() or finish().
void stream_session::deliver() {
  while (!undelivered_.empty()) {
    const event e = std::move(undelivered_.front());
    undelivered_.pop_front();
    if (on_event_) on_event_(e);
  }
}

std::size_t stream_session::advance_to(time_point t) {
  refuse_reentry("advance_to");
  busy_guard busy(busy_);
  return advance(t);
}

// Points are evaluated one at a time, in time order, and leave pending_ only once evaluated;
// the clock moves to each point as it is evaluated. When the callback throws, the session
// stays consistent (later points pending, the clock at the last point evaluated) and the
// exception reaches the host; the next advance_to() or finish() carries on. A push from
// inside the callback (dated after the clock, or it is late) is evaluated in its turn.
std::size_t stream_session::advance(time_point t) {
  deliver();
  if (clock_ && t < *clock_) return 0;
  std::size_t evaluated = 0;
  for (;;) {
    std::sort(pending_.begin(), pending_.end());
    pending_.erase(std::unique(pending_.begin(), pending_.end()), pending_.end());
    const auto due = std::upper_bound(pending_.begin(), pending_.end(), t);
    if (due == pending_.begin()) break;
    std::vector<time_point> points(pending_.begin(), due);
    pending_.erase(pending_.begin(), due);
    std::size_t done = 0;  // points[0, done) are evaluated
    try {
      while (done < points.size()) {
        evaluate(points[done]);
        clock_ = points[done];
        ++done;
        ++evaluated;
        const std::size_t waiting = pending_.size();
        deliver();
        // The callback pushed: its point may come before the rest, so sort again.
        if (pending_.size() != waiting) break;
      }
    } catch (...) {
      pending_.insert(pending_.end(), points.begin() + static_cast<std::ptrdiff_t>(done),
                      points.end());
      throw;
    }
    pending_.insert(pending_.end(), points.begin() + static_cast<std::ptrdiff_t>(done),
                    points.end());
  }
  clock_ = t;
  return evaluated;
}

std::size_t stream_session::finish() {
  refuse_reentry("finish");
  busy_guard busy(busy_);
  deliver();
  std::size_t evaluated = 0;
  while (!pending_.empty())  // a callback may push later points while these are evaluated
    evaluated += advance(*std::max_element(pending_.begin(), pending_.end()));
  return evaluated;
}

// The as-of time of input k at point t: t - shift - lag, exactly as align() computes it.
time_point stream_session::as_of(std::size_t input, time_point t) const {
  const input_spec& in = program_->inputs[input];
  const column_state& c = columns_[input_column_[input]];
  time_point when = subtract(t, in.shift);
  if (c.lag) when = subtract(when, *c.lag);
  return when;
}

// The last observation dated <= as-of, or -1 (na) when none or older than stale.
std::ptrdiff_t stream_session::read(std::size_t input, time_point t) const {
  const column_state& c = columns_[input_column_[input]];
  const time_point when = as_of(input, t);
  auto after = std::upper_bound(c.kept.begin(), c.kept.end(), when,
                                [](time_point x, const observation& o) { return x < o.time; });
  if (after == c.kept.begin()) return -1;
  const auto at = std::prev(after);
  return at->time >= subtract(when, c.stale) ? at - c.kept.begin() : -1;
}

void stream_session::evaluate(time_point t) {
  fired_.clear();
  const block_view block{1, &t, static_cast<std::int64_t>(points_)};
  if (exact_machine_) {
    for (std::size_t k = 0; k < exact_values_.size(); ++k) {
      const std::ptrdiff_t at = read(k, t);
      exact_values_[k] = at < 0 ? decimal::nan()
                                : columns_[input_column_[k]].kept_exact[static_cast<std::size_t>(at)];
    }
    exact_machine_->execute(block, exact_inputs_.data(), fired_);
  } else {
    for (std::size_t k = 0; k < values_.size(); ++k) {
      const std::ptrdiff_t at = read(k, t);
      values_[k] = at < 0 ? std::numeric_limits<double>::quiet_NaN()
                          : columns_[input_column_[k]].kept[static_cast<std::size_t>(at)].value;
    }
    machine_->execute(block, inputs_.data(), fired_);
  }
  std::sort(fired_.begin(), fired_.end(),
            [](const firing& a, const firing& b) { return a.rule < b.rule; });
  const std::size_t index = points_++;
  trim(t);
  for (const firing& f : fired_)
    undelivered_.push_back(exact_machine_ ? make_event(*program_, *exact_machine_, f, t, index)
                                          : make_event(*program_, *machine_, f, t, index));
}

// Later points have later as-of times, so each column keeps only the last observation at or
// before its inputs' oldest as-of time at t, and everything after it.
void stream_session::trim(time_point t) {
  std::vector<std::optional<time_point>>& oldest = oldest_;
  oldest.assign(columns_.size(), std::nullopt);
  for (std::size_t k = 0; k < input_column_.size(); ++k) {
    auto& o = oldest[input_column_[k]];
    const time_point when = as_of(k, t);
    if (!o || when < *o) o = when;
  }
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    std::deque<observation>& kept = columns_[c].kept;
    std::deque<decimal>& kept_exact = columns_[c].kept_exact;
    while (oldest[c] && kept.size() >= 2 && kept[1].time <= *oldest[c]) {
      kept.pop_front();
      if (!kept_exact.empty()) kept_exact.pop_front();
    }
  }
}

std::size_t stream_session::state_bytes() const {
  const std::size_t per_observation =
      sizeof(observation) + (exact_machine_ ? sizeof(decimal) : 0);
  return (exact_machine_ ? exact_machine_->state_bytes() : machine_->state_bytes()) +
         retained_observations() * per_observation +
         pending_.capacity() * sizeof(time_point);
}

std::size_t stream_session::retained_observations() const {
  std::size_t n = 0;
  for (const column_state& c : columns_) n += c.kept.size();
  return n;
}

std::vector<std::string> stream_session::columns() const {
  std::vector<std::string> names;
  for (const column_state& c : columns_) names.push_back(c.name);
  return names;
}

}  // namespace sluice
