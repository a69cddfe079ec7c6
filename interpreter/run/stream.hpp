// Streaming sessions: the batch driver's timeline and as-of alignment, done incrementally.
// The host pushes observations per series column and advances a clock; every timeline point
// (an observation time of a column the program reads) at or before the clock is evaluated by
// the same VM as a batch run. The points due at one advance_to() go through the VM as blocks
// of up to block_capacity points, as the batch driver's do, so stream == batch by
// construction (the VM gives the same results for any block size).
//
// When a point is evaluated: advance_to(T) promises that every observation dated <= T has
// been pushed; the points <= T are then evaluated in time order. A later push dated <= T is
// `late` and rejected. Memory: per column, only the observations that an as-of read of a
// future point can still reach (the last one at or before the oldest as-of time still needed,
// and everything after it), plus the VM's window state.
//
// Blocks and the callback rules (docs/embedding.md): events are delivered point by point
// after their block is evaluated, with the clock at the event's point. When a callback throws,
// or pushes an observation dated inside the block, the VM returns to the block's start (its
// state was saved) and evaluates only the points up to the one being delivered; the later
// points are pending again, exactly as if they had been evaluated one at a time.
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
  // Per-rule evaluation time (vm::time_rules): off until turned on; nanoseconds per rule.
  void time_rules() {
    if (exact_machine_)
      exact_machine_->time_rules();
    else
      machine_->time_rules();
  }
  const std::vector<std::int64_t>& rule_nanoseconds() const {
    return exact_machine_ ? exact_machine_->rule_nanoseconds() : machine_->rule_nanoseconds();
  }

 private:
  struct observation {
    time_point time;
    double value;
  };
  // A column's retained observations: a vector read from `head` on, so that a block's
  // as-of reads walk contiguous memory; trimmed from the front by moving `head`, and
  // compacted when the dead front outgrows the live part.
  struct column_state {
    std::string name;  // "btc" or "btc.volume"
    std::vector<observation> kept;
    std::vector<decimal> kept_exact;  // exact sessions: kept[i]'s value as a decimal
    std::size_t head = 0;             // kept[head] is the oldest retained observation
    std::optional<duration> lag;
    duration stale;
    time_point last_time() const { return kept.back().time; }
    std::size_t retained() const { return kept.size() - head; }
  };
  // Column names looked up without building a std::string per push.
  struct name_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  push_result accept(std::string_view column, time_point t, double value,
                     const decimal* exact_value);
  time_point as_of(std::size_t input, time_point t) const;
  // Fills the input columns of the block points[0, n) with each input's as-of values.
  void gather(const time_point* points, std::size_t n);
  // Evaluates points[0, n) (consecutive pending points) as one block and delivers their
  // events; returns how many of them stay evaluated (fewer than n when a callback pushed
  // into the block), the rest go back to pending_. Throws what a callback throws.
  std::size_t evaluate_block(const time_point* points, std::size_t n);
  template <class Num>
  void execute(vm<Num>& machine, const time_point* points, std::size_t n);
  // After a block of n points whose state was saved: back to the block's start, then
  // points[0, keep) evaluated again (their events are already delivered or queued).
  void rewind(const time_point* points, std::size_t keep);
  void make_events(const time_point* points);
  void trim(time_point t);
  std::size_t advance(time_point t);
  void deliver();
  void refuse_reentry(const char* what) const;

  std::shared_ptr<const program> program_;
  // One of the two, by the session's number type: the same VM template as batch runs.
  std::unique_ptr<vm<double>> machine_;
  std::unique_ptr<vm<decimal>> exact_machine_;
  std::size_t block_capacity_ = 1;  // points per VM block (block_capacity_for)
  vm<double>::saved_state saved_;   // the VM's state at the current block's start
  vm<decimal>::saved_state exact_saved_;
  sink on_event_;
  std::vector<column_state> columns_;
  std::unordered_map<std::string, std::size_t, name_hash, std::equal_to<>> by_name_;
  std::vector<std::size_t> input_column_;  // input k reads columns_[input_column_[k]]
  std::vector<time_point> pending_;        // pushed observation times not yet evaluated
  bool pending_sorted_ = true;             // pending_ is in ascending order (ties allowed)
  std::vector<time_point> due_;            // advance()'s scratch: the points it evaluates
  std::optional<time_point> clock_;
  std::size_t points_ = 0;
  // The block's input columns, input k at [k * block_capacity_, ...), and their pointers.
  std::vector<double> values_;
  std::vector<const double*> inputs_;
  std::vector<decimal> exact_values_;
  std::vector<const decimal*> exact_inputs_;
  std::vector<firing> fired_;
  // The current block's events in delivery order, with the block point of each.
  std::vector<event> block_events_;
  std::vector<std::size_t> block_event_point_;
  std::vector<std::optional<time_point>> oldest_;  // trim()'s scratch, kept to avoid allocating
  std::deque<event> undelivered_;  // events of evaluated points not yet handed to the sink
  bool busy_ = false;              // inside advance_to()/finish(): re-entry is refused
};

}  // namespace sluice
