// Running a compiled program over history (batch): align the series on one timeline, feed
// the VM block by block, and turn firings into events.
#pragma once
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <span>
#include <vector>

#include "interpreter/data/csv_loader.hpp"
#include "interpreter/diagnostics.hpp"
#include "interpreter/number.hpp"
#include "interpreter/program.hpp"

namespace sluice {

// One series column in a run's number type: doubles as fetched, or (exact mode, Num =
// decimal) the cells' decimal text parsed as decimals, never through double.
template <class Num>
struct series_values {
  std::vector<time_point> times;
  std::vector<Num> values;
};

// The defined observations of one series column, ascending in time.
using observations = series_values<double>;

// Exact mode's observations: each value as decimal text ("2612.48"), never a double.
struct text_observations {
  std::vector<time_point> times;
  std::vector<std::string> values;
};

// Where a run gets its data: the CLI reads CSV files, hosts hand over memory.
class series_provider {
 public:
  virtual ~series_provider() = default;
  // Fills `out` for spec's column (`field` empty) or the named field. Reports problems
  // to `diags` and returns false when the series cannot be provided.
  virtual bool fetch(const series_spec& spec, const std::string& field, observations& out,
                     diagnostics& diags) = 0;
  // Exact mode (run_options::exact) asks for the values' decimal text instead. The
  // default calls fetch() and writes each double in its shortest round-trip form (0.1 ->
  // "0.1"); providers that hold the text (CSV files) override it.
  virtual bool fetch_text(const series_spec& spec, const std::string& field,
                          text_observations& out, diagnostics& diags);
};

// Reads CSV files (each once) and keeps their load reports for the user.
class csv_provider : public series_provider {
 public:
  bool fetch(const series_spec& spec, const std::string& field, observations& out,
             diagnostics& diags) override;
  // The cells' text as written in the file (exact mode).
  bool fetch_text(const series_spec& spec, const std::string& field, text_observations& out,
                  diagnostics& diags) override;
  // Per file: rows read/used/rejected, notes; in load order.
  const std::vector<const csv_table*>& tables() const { return order_; }

 private:
  // The table and value column behind spec/field (loading the file once), or null after
  // reporting why not.
  const csv_table* locate(const series_spec& spec, const std::string& field, int& column,
                          diagnostics& diags);

  std::map<std::string, csv_table> tables_;
  std::map<std::string, csv_failure> failures_;
  std::vector<const csv_table*> order_;
};

// The numbers behind events' values (and, in exact mode, their exact decimal texts). A
// batch run keeps every event's values in one store that its events share, so that
// building an event allocates nothing and copies no names: W1 builds ~67,000 events, W3
// 1.8 million, and their values and names were most of what those events cost to write.
struct event_value_store {
  std::vector<double> numbers;
  std::vector<std::string> texts;   // exact mode: numbers[i]'s exact text; else empty
  std::vector<shared_texts> names;  // the value names of each rule (compiled_rule::value_names)
};

// One value an event prints, read from the event: the series' name and its value at the
// event's time.
struct event_value {
  const std::string& name;
  double value;
  const std::string& text;  // exact mode: the exact decimal (`value` is then its nearest double)
};

// The values an event prints, read like a const std::vector<event_value>: the series its
// condition referenced, at the event's time. Holds its store, so an event outlives its run.
class event_values {
 public:
  event_values() = default;
  event_values(std::shared_ptr<const event_value_store> store, std::uint32_t names, std::size_t first)
      : store_(std::move(store)), first_(first), names_(names) {}
  std::size_t size() const { return store_ ? store_->names[names_].size() : 0; }
  bool empty() const { return size() == 0; }
  event_value operator[](std::size_t k) const {
    const std::string& text = store_->texts.empty() ? no_text() : store_->texts[first_ + k];
    return {store_->names[names_][k], store_->numbers[first_ + k], text};
  }

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = event_value;
    using difference_type = std::ptrdiff_t;
    iterator(const event_values* of, std::size_t k) : of_(of), k_(k) {}
    event_value operator*() const { return (*of_)[k_]; }
    iterator& operator++() {
      ++k_;
      return *this;
    }
    bool operator==(const iterator& other) const { return k_ == other.k_; }
    bool operator!=(const iterator& other) const { return k_ != other.k_; }

   private:
    const event_values* of_;
    std::size_t k_;
  };
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, size()}; }

 private:
  static const std::string& no_text() {
    static const std::string empty;
    return empty;
  }
  std::shared_ptr<const event_value_store> store_;
  std::size_t first_ = 0;     // this event's first number in the store
  std::uint32_t names_ = 0;   // which of the store's name lists
};

// One rule firing.
struct event {
  time_point time = 0;
  std::size_t index = 0;  // position on the timeline
  std::uint32_t rule = 0;
  std::string rule_name;
  event_values values;                // the series its condition referenced, at `time`
  shared_texts actions;               // "watch alts for 90d", "signal stage3", "alert"
  std::vector<std::string> messages;  // alert texts, interpolated
};

struct run_options {
  std::optional<time_point> from;  // events before this are not reported (warm-up still runs)
  std::optional<time_point> to;    // the timeline ends here
  std::size_t block_size = 0;      // points per VM block; 0: block_size_for(program)
  bool keep_watched = false;       // keep watched series' columns (forward stats need them)
  // Exact mode (`--exact`, docs/exact.md): the same program evaluated in 34-digit decimal
  // arithmetic; inputs are read from their decimal text (series_provider::fetch_text),
  // literals from theirs. Event values then carry `text`; watched columns are rounded to
  // double for the forward stats.
  bool exact = false;
};

// A watched series' values on the whole timeline (kept when run_options::keep_watched).
struct watched_series {
  std::string name;
  reg_index reg = 0;
  std::vector<double> values;
};

struct run_result {
  bool ok = false;
  std::vector<event> events;
  std::size_t timeline_points = 0;
  time_point first = 0, last = 0;
  std::vector<time_point> timeline;       // kept with keep_watched
  std::vector<watched_series> watched;    // kept with keep_watched
};

// Staleness when the load statement gives none: the larger of 7 days and 4x the median
// spacing of the observations (SPEC 3).
duration default_staleness(const std::vector<time_point>& times);
inline duration default_staleness(const observations& obs) { return default_staleness(obs.times); }

// One series column fetched from `data` in the number type Num: fetch() for double;
// fetch_text() parsed as decimals for exact mode (cells that are not numbers are dropped).
template <class Num>
bool fetch_series(series_provider& data, const series_spec& spec, const std::string& field,
                  series_values<Num>& out, diagnostics& diags);

// What every run over a program's inputs starts from (run_batch, run_columns): each series
// column fetched once, the timeline (the union of their observation times, cut at `to`),
// and columns[k], input k as-of aligned on it (pointing into `fetched` where the series
// is its own alignment, else into `aligned`). When every series has the same times (one
// calendar, the common case) the timeline views the first one's times instead of copying
// them: a million-point copy costs more in fresh pages than the VM spends on four rules.
template <class Num>
struct run_inputs {
  std::map<std::pair<std::uint32_t, std::string>, series_values<Num>> fetched;
  std::span<const time_point> timeline;
  std::vector<time_point> merged_times;  // the timeline's storage when it is a real union
  std::vector<std::vector<Num>> aligned;
  std::vector<const Num*> columns;
};
template <class Num>
bool prepare_inputs(const program& p, series_provider& data, std::optional<time_point> to,
                    run_inputs<Num>& out, diagnostics& diags);

// The timeline's points: the sorted union of observation times (each part ascending, as
// loaders deliver them, merges in linear time; anything else is sorted).
std::vector<time_point> union_of_times(const std::vector<const std::vector<time_point>*>& parts);

// As-of alignment: for each timeline point t, the value of the last observation dated
// <= t - shift - lag, or NaN when none exists or it is older than `stale`.
std::vector<double> align(const observations& obs, const std::vector<time_point>& timeline,
                          duration shift, std::optional<duration> lag, duration stale);

// The same for any number type (exact mode aligns decimals): `values[i]` observed at
// `times[i]`; na where nothing is visible.
template <class Num>
std::vector<Num> align_values(const std::vector<time_point>& times, const std::vector<Num>& values,
                              std::span<const time_point> timeline, duration shift,
                              std::optional<duration> lag, duration stale) {
  std::vector<Num> out(timeline.size(), number_traits<Num>::na());
  std::size_t j = 0;
  for (std::size_t i = 0; i < timeline.size(); ++i) {
    time_point as_of = subtract(timeline[i], shift);
    if (lag) as_of = subtract(as_of, *lag);
    // as_of never decreases along the timeline, so one forward walk suffices.
    while (j < times.size() && times[j] <= as_of) ++j;
    if (j == 0) continue;
    const std::size_t k = j - 1;
    if (times[k] >= subtract(as_of, stale)) out[i] = values[k];
  }
  return out;
}

template <class Num>
class vm;
struct firing;

// The event of a firing in the VM's current block, at timeline point `index` (time t).
// Shared by the batch driver and streaming sessions so both report identical events.
event make_event(const program& p, const vm<double>& machine, const firing& f, time_point t,
                 std::size_t index);
class decimal;
// Exact mode: values also carry their exact text; alert texts print exact decimals.
event make_event(const program& p, const vm<decimal>& machine, const firing& f, time_point t,
                 std::size_t index);

// Points per block when the caller leaves run_options::block_size at 0: as many as keep
// one block of every register within about 1 MB (a core's L2 cache here), from 1,024 to
// 4,096. Larger blocks spread the work done once per block (dispatch, window set-up, the
// segments of the new-high blocks) over more points: W1's 33 registers get 4,096 (VM
// 28 -> 25.5 ms per million bars), a program with hundreds of registers stays at 1,024.
std::size_t block_size_for(const program& p);

run_result run_batch(const program& p, series_provider& data, const run_options& options,
                     diagnostics& diags);

// The full columns of chosen registers over a run's timeline (double arithmetic), for tools
// that show an expression's path (the REPL). Numeric columns hold NaN for `na`; condition
// columns hold c_false / c_true / c_na (vm.hpp). Same timeline and alignment as run_batch.
struct column_result {
  bool ok = false;
  std::vector<time_point> timeline;
  std::vector<std::vector<double>> numbers;              // one per requested numeric register
  std::vector<std::vector<std::uint8_t>> conditions;     // one per requested condition register
  // Exact mode (run_options::exact): each numeric column's values as exact decimal text
  // ("2612.48"; "na"), beside their nearest doubles in `numbers`.
  std::vector<std::vector<std::string>> number_texts;
};

column_result run_columns(const program& p, series_provider& data, const run_options& options,
                          const std::vector<reg_index>& numbers,
                          const std::vector<reg_index>& conditions, diagnostics& diags);

}  // namespace sluice
