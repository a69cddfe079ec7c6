// Streaming sessions: the batch driver's timeline and as-of alignment, done incrementally.
// The host pushes observations per series column and advances a clock; every timeline point
// (an observation time of a column the program reads) at or before the clock is evaluated by
// the same VM as a batch run, as a block of one point, so stream == batch by construction.
//
// When a point is evaluated: advance_to(T) promises that every observation dated <= T has
// been pushed; the points <= T are then evaluated in time order. A later push dated <= T is
// `late` and rejected. Memory: per column, only the observations that an as-of read of a
// future point can still reach (the last one at or before the oldest as-of time still needed,
// and everything after it), plus the VM's window state.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "interpreter/numeric/decimal.hpp"
#include "sluice/push_status.hpp"
#include "interpreter/program.hpp"
#include "interpreter/run/events.hpp"
#include "interpreter/vm/vm.hpp"

namespace sluice {

// The public push outcomes are the session's own: one enum (include/sluice/push_status.hpp).
using push_result = api::push_status;

class stream_session {
 public:
  using sink = std::function<void(const event&)>;

  // stale[s]: the staleness of program series s (resolved by the caller, see
  // docs/embedding.md). Firings before report_from are not reported (as run_options::from).
  // exact: evaluate in 34-digit decimal (docs/exact.md), as run_options::exact does.
  stream_session(std::shared_ptr<const program> p, std::vector<duration> stale, sink on_event,
                 std::optional<time_point> report_from = std::nullopt, bool exact = false);

  // `column` is a series name or `name.field`, lower case. In an exact session a double
  // enters as its shortest round-trip text (0.1 is 0.1), as host doubles do in batch runs.
  push_result push(std::string_view column, time_point t, double value);
  // The value as decimal text ("2612.48"), read without passing through double in an
  // exact session (a double session reads it as a double).
  push_result push_decimal(std::string_view column, time_point t, std::string_view text);
  // Evaluates every pending point <= t and moves the clock to t; returns the points evaluated.
  // A clock never goes back: an earlier t evaluates nothing. When the event sink throws, the
  // exception propagates with the session consistent: the points not yet evaluated stay
  // pending, the clock stays at the last point evaluated, and the events of that point not
  // yet delivered come first at the next call. Called from inside the sink (re-entry): throws
  // std::logic_error and changes nothing.
  std::size_t advance_to(time_point t);
  // End of data: evaluates every pending point (the clock moves to the last of them).
  std::size_t finish();

  std::optional<time_point> clock() const { return clock_; }
  std::size_t points() const { return points_; }
  // Bytes held: the VM's window state plus the retained observations and pending points.
  std::size_t state_bytes() const;
  std::size_t retained_observations() const;
  // The columns the program reads, as push() names them.
  std::vector<std::string> columns() const;
  // Host-function calls that failed (threw, or returned an infinity) and gave na, per
  // program.host_functions index (vm::host_failures).
  const std::vector<std::uint64_t>& host_failures() const {
    return exact_machine_ ? exact_machine_->host_failures() : machine_->host_failures();
  }

 private:
  struct observation {
    time_point time;
    double value;
  };
  struct column_state {
    std::string name;  // "btc" or "btc.volume"
    std::deque<observation> kept;
    std::deque<decimal> kept_exact;  // exact sessions: kept[i]'s value as a decimal
    std::optional<duration> lag;
    duration stale;
  };

  push_result accept(std::string_view column, time_point t, double value,
                     const decimal* exact_value);
  time_point as_of(std::size_t input, time_point t) const;
  // The index in `kept` of the observation input k reads at t, or -1 for na.
  std::ptrdiff_t read(std::size_t input, time_point t) const;
  void evaluate(time_point t);
  void trim(time_point t);
  std::size_t advance(time_point t);
  void deliver();
  void refuse_reentry(const char* what) const;

  std::shared_ptr<const program> program_;
  // One of the two, by the session's number type: the same VM template as batch runs.
  std::unique_ptr<vm<double>> machine_;
  std::unique_ptr<vm<decimal>> exact_machine_;
  sink on_event_;
  std::vector<column_state> columns_;
  std::unordered_map<std::string, std::size_t> by_name_;
  std::vector<std::size_t> input_column_;  // input k reads columns_[input_column_[k]]
  std::vector<time_point> pending_;        // pushed observation times not yet evaluated
  std::optional<time_point> clock_;
  std::size_t points_ = 0;
  std::vector<double> values_;             // one block of one point per input
  std::vector<const double*> inputs_;
  std::vector<decimal> exact_values_;
  std::vector<const decimal*> exact_inputs_;
  std::vector<firing> fired_;
  std::vector<std::optional<time_point>> oldest_;  // trim()'s scratch, kept to avoid allocating
  std::deque<event> undelivered_;  // events of evaluated points not yet handed to the sink
  bool busy_ = false;              // inside advance_to()/finish(): re-entry is refused
};

}  // namespace sluice
