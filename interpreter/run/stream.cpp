// Streaming sessions (see stream.hpp): pushes fill per-column buffers; advance_to() takes the
// pending timeline points that are due through the VM in blocks, delivers each block's
// events point by point, and trims what no later point can read.
#include "interpreter/run/stream.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <type_traits>

namespace sluice {

namespace {

// Points per VM block in a session: as many as keep one block of every register within
// 256 KB, at most 256. Points arrive in bursts (a history, one read of a feed), and a block
// spreads the VM's per-instruction work over them; a program with thousands of registers
// stays at one point per block, so its window state is never copied (evaluate_block).
std::size_t block_capacity_for(const program& p, bool exact) {
  const std::size_t bytes_per_point =
      static_cast<std::size_t>(p.num_registers) * (exact ? sizeof(decimal) : sizeof(double)) +
      p.cond_registers + 1;
  constexpr std::size_t budget = std::size_t{1} << 18;
  return std::clamp<std::size_t>(budget / bytes_per_point, 1, 256);
}

// A block of n points saves the VM's window state first (to rewind, see stream.hpp); past
// this many bytes of state per point, copying it would cost more than evaluating the points
// one at a time, which needs no copy.
constexpr std::size_t saved_bytes_per_point = 4096;

}  // namespace

stream_session::stream_session(std::shared_ptr<const program> p, std::vector<duration> stale,
                               sink on_event, std::optional<time_point> report_from, bool exact)
    : program_(std::move(p)),
      block_capacity_(block_capacity_for(*program_, exact)),
      on_event_(std::move(on_event)) {
  if (exact)
    exact_machine_ = std::make_unique<vm<decimal>>(*program_, block_capacity_);
  else
    machine_ = std::make_unique<vm<double>>(*program_, block_capacity_);
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
  const std::size_t inputs = program_->inputs.size();
  if (exact) {
    exact_values_.assign(inputs * block_capacity_, decimal(0));
    for (std::size_t k = 0; k < inputs; ++k)
      exact_inputs_.push_back(exact_values_.data() + k * block_capacity_);
  } else {
    values_.assign(inputs * block_capacity_, 0.0);
    for (std::size_t k = 0; k < inputs; ++k)
      inputs_.push_back(values_.data() + k * block_capacity_);
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
  if (!parsed)
    return by_name_.count(column) ? push_result::invalid_number : push_result::unknown_series;
  return accept(column, t, parsed->to_double(), &*parsed);
}

push_result stream_session::accept(std::string_view column, time_point t, double value,
                                   const decimal* exact_value) {
  auto found = by_name_.find(column);
  if (found == by_name_.end()) return push_result::unknown_series;
  // One inf would poison every running sum it enters for the rest of the session. Checked
  // first: an exact session's decimal of an infinite double is NaN, which means "missing".
  if (std::isinf(value)) return push_result::invalid_value;
  if (std::isnan(value) || (exact_value && exact_value->is_nan())) return push_result::missing_value;
  if (clock_ && t <= *clock_) return push_result::late;
  column_state& c = columns_[found->second];
  if (!c.kept.empty()) {
    if (t < c.last_time()) return push_result::out_of_order;
    if (t == c.last_time()) return push_result::duplicate;  // the CSV loader keeps the first too
  }
  c.kept.push_back({t, value});
  if (exact_machine_) c.kept_exact.push_back(*exact_value);
  if (!pending_.empty() && t < pending_.back()) pending_sorted_ = false;
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

// The due points go through the VM in blocks, in time order, and leave pending_ only once
// evaluated; the clock moves to each point as its events are delivered. When the callback
// throws, the session stays consistent (later points pending, the clock at the last point
// evaluated) and the exception reaches the host; the next advance_to() or finish() carries
// on. A push from inside the callback (dated after the clock, or it is late) is evaluated in
// its turn: the due points are merged with pending_ again after every block it lands in.
std::size_t stream_session::advance(time_point t) {
  deliver();
  if (clock_ && t < *clock_) return 0;
  std::size_t evaluated = 0;
  std::vector<time_point>& points = due_;
  for (;;) {
    if (!pending_sorted_) std::sort(pending_.begin(), pending_.end());
    pending_sorted_ = true;
    pending_.erase(std::unique(pending_.begin(), pending_.end()), pending_.end());
    const auto due = std::upper_bound(pending_.begin(), pending_.end(), t);
    if (due == pending_.begin()) break;
    points.assign(pending_.begin(), due);
    pending_.erase(pending_.begin(), due);
    std::size_t done = 0;  // points[0, done) are evaluated
    auto back_to_pending = [&](std::size_t from) {
      if (from == points.size()) return;
      pending_.insert(pending_.end(), points.begin() + static_cast<std::ptrdiff_t>(from),
                      points.end());
      pending_sorted_ = false;
    };
    std::size_t block_end = 0;
    try {
      while (done < points.size()) {
        std::size_t n = std::min(block_capacity_, points.size() - done);
        if (n > 1) {
          const std::size_t state =
              exact_machine_ ? exact_machine_->state_bytes() : machine_->state_bytes();
          if (state > n * saved_bytes_per_point) n = 1;
        }
        block_end = done + n;
        const std::size_t waiting = pending_.size();
        const std::size_t kept = evaluate_block(points.data() + done, n);
        done += kept;
        evaluated += kept;
        // The callback pushed: its point may come before the rest, so merge again.
        if (kept < n || pending_.size() != waiting) break;
      }
    } catch (...) {
      back_to_pending(block_end);  // evaluate_block put back its own unevaluated points
      throw;
    }
    back_to_pending(std::max(done, block_end));
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

// Each input's value at each point: the last observation dated <= its as-of time, or na
// when there is none or it is older than the column's staleness. Points and as-of times
// ascend, so one walk over the retained observations serves the whole block.
void stream_session::gather(const time_point* points, std::size_t n) {
  for (std::size_t k = 0; k < input_column_.size(); ++k) {
    const column_state& c = columns_[input_column_[k]];
    const observation* kept = c.kept.data();
    const std::size_t end = c.kept.size();
    double* out = exact_machine_ ? nullptr : values_.data() + k * block_capacity_;
    decimal* out_exact = exact_machine_ ? exact_values_.data() + k * block_capacity_ : nullptr;
    std::size_t after = c.head;  // the first observation dated after the as-of time
    for (std::size_t i = 0; i < n; ++i) {
      const time_point when = as_of(k, points[i]);
      if (i == 0)
        after = static_cast<std::size_t>(
            std::upper_bound(kept + c.head, kept + end, when,
                             [](time_point x, const observation& o) { return x < o.time; }) -
            kept);
      else
        while (after < end && kept[after].time <= when) ++after;
      const bool found = after > c.head && kept[after - 1].time >= subtract(when, c.stale);
      if (out_exact)
        out_exact[i] = found ? c.kept_exact[after - 1] : decimal::nan();
      else
        out[i] = found ? kept[after - 1].value : std::numeric_limits<double>::quiet_NaN();
    }
  }
}

template <class Num>
void stream_session::execute(vm<Num>& machine, const time_point* points, std::size_t n) {
  fired_.clear();
  const block_view block{n, points, static_cast<std::int64_t>(points_)};
  if constexpr (std::is_same_v<Num, decimal>)
    machine.execute(block, exact_inputs_.data(), fired_);
  else
    machine.execute(block, inputs_.data(), fired_);
}

// The block's firings as events, in delivery order: by point, then by rule.
void stream_session::make_events(const time_point* points) {
  std::sort(fired_.begin(), fired_.end(), [](const firing& a, const firing& b) {
    return a.index != b.index ? a.index < b.index : a.rule < b.rule;
  });
  block_events_.clear();
  block_event_point_.clear();
  for (const firing& f : fired_) {
    const time_point t = points[f.index];
    const std::size_t index = points_ + f.index;
    block_events_.push_back(exact_machine_ ? make_event(*program_, *exact_machine_, f, t, index)
                                           : make_event(*program_, *machine_, f, t, index));
    block_event_point_.push_back(f.index);
  }
}

std::size_t stream_session::evaluate_block(const time_point* points, std::size_t n) {
  // One point needs no saved state: a callback can only cut a block after its point.
  const bool saved = n > 1;
  if (saved) {
    if (exact_machine_)
      exact_machine_->save_state(exact_saved_);
    else
      machine_->save_state(saved_);
  }
  gather(points, n);
  try {
    if (exact_machine_)
      execute(*exact_machine_, points, n);
    else
      execute(*machine_, points, n);
    make_events(points);
  } catch (...) {  // the VM itself failed (no memory): every point of the block stays pending
    if (saved) {
      if (exact_machine_)
        exact_machine_->restore_state(exact_saved_);
      else
        machine_->restore_state(saved_);
    }
    pending_.insert(pending_.end(), points, points + n);
    pending_sorted_ = false;
    throw;
  }
  const std::size_t first = points_;
  points_ += n;
  // Delivery, point by point. keep: points [0, keep) stay evaluated; a push into the block
  // from a callback cuts it after the point being delivered.
  std::size_t keep = n;
  auto settle = [&] {
    if (keep < n) {
      points_ = first;
      rewind(points, keep);
      pending_.insert(pending_.end(), points + keep, points + n);
      pending_sorted_ = false;
    }
    clock_ = points[keep - 1];
    trim(points[keep - 1]);
    block_events_.clear();
    block_event_point_.clear();
  };
  for (std::size_t e = 0; e < block_events_.size(); ++e) {
    const std::size_t j = block_event_point_[e];
    if (j >= keep) break;
    clock_ = points[j];  // a push from the callback dated <= this point is late
    const std::size_t waiting = pending_.size();
    try {
      if (on_event_) on_event_(block_events_[e]);
    } catch (...) {
      // The throwing event counts as delivered; the rest of its point's come first next time.
      for (std::size_t r = e + 1; r < block_events_.size() && block_event_point_[r] == j; ++r)
        undelivered_.push_back(std::move(block_events_[r]));
      keep = j + 1;
      settle();
      throw;
    }
    for (std::size_t k = waiting; k < pending_.size() && keep == n; ++k)
      if (pending_[k] <= points[n - 1]) keep = j + 1;
  }
  settle();
  return keep;
}

// Back to the block's start, then its first `keep` points again: their input columns are
// still in place (a push after them changes none of their as-of values), and their events
// were delivered or queued already.
void stream_session::rewind(const time_point* points, std::size_t keep) {
  if (exact_machine_) {
    exact_machine_->restore_state(exact_saved_);
    execute(*exact_machine_, points, keep);
  } else {
    machine_->restore_state(saved_);
    execute(*machine_, points, keep);
  }
  points_ += keep;
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
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    column_state& c = columns_[i];
    while (oldest[i] && c.retained() >= 2 && c.kept[c.head + 1].time <= *oldest[i]) ++c.head;
    // The dead front is dropped once it outgrows the live part: amortized O(1) per
    // observation, and memory stays within twice what is retained.
    if (c.head < 64 || 2 * c.head < c.kept.size()) continue;
    const auto dead = static_cast<std::ptrdiff_t>(c.head);
    c.kept.erase(c.kept.begin(), c.kept.begin() + dead);
    if (!c.kept_exact.empty())
      c.kept_exact.erase(c.kept_exact.begin(), c.kept_exact.begin() + dead);
    c.head = 0;
    if (c.kept.capacity() > 4 * c.kept.size() + 64) {
      c.kept.shrink_to_fit();
      c.kept_exact.shrink_to_fit();
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
  for (const column_state& c : columns_) n += c.retained();
  return n;
}

std::vector<std::string> stream_session::columns() const {
  std::vector<std::string> names;
  for (const column_state& c : columns_) names.push_back(c.name);
  return names;
}

}  // namespace sluice
