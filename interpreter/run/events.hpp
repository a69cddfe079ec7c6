// Events: one rule firing each, with the values its condition referenced, and how a
// firing in the VM becomes one.
#pragma once
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "interpreter/program.hpp"

namespace sluice {

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

}  // namespace sluice
