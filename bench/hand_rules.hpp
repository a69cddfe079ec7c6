// The hand-written fused loops: W1 and W2 written directly in C++, one pass over the bars,
// all four rules at once. They are the practical limit the VM is measured against, and an
// independent implementation of docs/semantics.md for the benchmark's agreement check.
// They assume what the generated data guarantees (every daily series defined at every
// bar, one shared calendar); the loaders check it.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace bench {

// Per rule: how many times it fired and the sum of the timeline positions where it did.
struct tally {
  std::uint64_t count = 0;
  std::uint64_t position_sum = 0;
};

struct tallies {
  tally rule[4];
  std::string text() const {
    std::string out;
    char buf[96];
    for (int r = 0; r < 4; ++r) {
      std::snprintf(buf, sizeof buf, "fires R%d %llu %llu\n", r + 1,
                    static_cast<unsigned long long>(rule[r].count),
                    static_cast<unsigned long long>(rule[r].position_sum));
      out += buf;
    }
    return out;
  }
};

// A rule's rising edge: fires when the condition holds now and did not at the previous bar.
struct edge {
  bool prev = false;
  void operator()(bool now, std::size_t i, tally& t) {
    if (now && !prev) {
      ++t.count;
      t.position_sum += i;
    }
    prev = now;
  }
};

// A fixed-capacity ring of indices: the monotonic deque of a sliding maximum. Its size is a
// power of two, so positions wrap with a mask (a division per access, as `%` by a size known
// only at run time compiles to, cost the loop about 13%).
class index_ring {
 public:
  explicit index_ring(std::size_t capacity) {
    std::size_t size = 1;
    while (size < capacity + 1) size *= 2;
    slots_.resize(size);
    mask_ = size - 1;
  }
  bool empty() const { return head_ == tail_; }
  std::size_t front() const { return slots_[head_ & mask_]; }
  std::size_t back() const { return slots_[(tail_ - 1) & mask_]; }
  void pop_front() { ++head_; }
  void pop_back() { --tail_; }
  void push_back(std::size_t i) { slots_[tail_++ & mask_] = i; }

 private:
  std::vector<std::size_t> slots_;
  std::size_t mask_ = 0;
  std::size_t head_ = 0, tail_ = 0;  // free-running counters; head_ <= tail_
};

// W1 (bar windows), see workload.hpp:
//   R1 russell breaks 2600 and tga falls over 28 bars
//   R2 sma(spx, 50 bars) crosses above sma(spx, 200 bars)
//   R3 spx rises over 20 bars followed by russell outperforms spx over 20 bars within 60 bars
//   R4 alts hits new high over 250 bars and zscore(russell, 100 bars) > 1
inline tallies hand_w1(const double* russell, const double* spx, const double* tga,
                       const double* alts, std::size_t n) {
  tallies out;
  edge e1, e2, e3, e4;
  double fast_sum = 0, slow_sum = 0, prev_fast = 0, prev_slow = 0;
  double z_sum = 0, z_sq = 0;
  std::size_t last_rise = 0;
  bool any_rise = false;
  index_ring highs(251);
  for (std::size_t i = 0; i < n; ++i) {
    // R1: a crossing of the level and a 28-bar fall.
    const bool r1 = i >= 28 && russell[i] > 2600 && russell[i - 1] <= 2600 && tga[i] < tga[i - 28];
    e1(r1, i, out.rule[0]);

    // R2: running sums, removal before addition (the VM's order, so the means are equal).
    if (i >= 50) fast_sum -= spx[i - 50];
    fast_sum += spx[i];
    if (i >= 200) slow_sum -= spx[i - 200];
    slow_sum += spx[i];
    const double fast = fast_sum / 50, slow = slow_sum / 200;
    e2(i >= 200 && fast > slow && prev_fast <= prev_slow, i, out.rule[1]);
    prev_fast = fast;
    prev_slow = slow;

    // R3: the rise must be strictly earlier than the outperformance, at most 60 bars.
    bool r3 = false;
    if (i >= 20) {
      const bool outperforms = russell[i] / russell[i - 20] - 1 > spx[i] / spx[i - 20] - 1;
      r3 = outperforms && any_rise && i - last_rise <= 60;
      if (spx[i] > spx[i - 20]) {
        any_rise = true;
        last_rise = i;
      }
    }
    e3(r3, i, out.rule[2]);

    // R4: new high over the 250 prior bars (monotonic deque), z-score over 100 bars.
    while (!highs.empty() && highs.front() + 250 < i) highs.pop_front();
    const bool new_high = i >= 250 && alts[i] > alts[highs.front()];
    while (!highs.empty() && alts[highs.back()] <= alts[i]) highs.pop_back();
    highs.push_back(i);
    if (i >= 100) {
      z_sum -= russell[i - 100];
      z_sq -= russell[i - 100] * russell[i - 100];
    }
    z_sum += russell[i];
    z_sq += russell[i] * russell[i];
    bool r4 = false;
    if (new_high && i >= 99) {
      const double mean = z_sum / 100;
      const double var = (z_sq - z_sum * mean) / 99;
      r4 = var > 0 && (russell[i] - mean) / std::sqrt(var) > 1;
    }
    e4(r4, i, out.rule[3]);
  }
  return out;
}

// W2 (calendar windows, tga weekly), see workload.hpp:
//   R1 russell breaks 2600 and tga falls over 4w
//   R2 sma(spx, 70d) crosses above sma(spx, 280d)
//   R3 spx rises over 4w followed by russell outperforms spx over 4w within 60d
//   R4 alts hits new high over 365d and zscore(russell, 140d) > 1
// times: the daily timeline (milliseconds); weekly_times/tga: tga's observations. Staleness
// defaults (semantics.md): daily series 7d, weekly tga 28d.
inline tallies hand_w2(const std::int64_t* times, const double* russell, const double* spx,
                       const double* alts, std::size_t n, const std::int64_t* weekly_times,
                       const double* tga, std::size_t weeks) {
  constexpr std::int64_t day = 86'400'000;  // times are milliseconds, as Sluice's
  constexpr std::int64_t w4 = 28 * day, d60 = 60 * day, d70 = 70 * day, d280 = 280 * day,
                         d365 = 365 * day, d140 = 140 * day;
  constexpr std::int64_t daily_stale = 7 * day, weekly_stale = 28 * day;
  const double na = std::nan("");
  tallies out;
  edge e1, e2, e3, e4;
  // As-of cursors: the number of observations dated <= the as-of time.
  std::size_t tga_now = 0, tga_back = 0, daily_back = 0;
  auto weekly_at = [&](std::size_t& cursor, std::int64_t as_of) {
    while (cursor < weeks && weekly_times[cursor] <= as_of) ++cursor;
    if (cursor == 0 || weekly_times[cursor - 1] < as_of - weekly_stale) return na;
    return tga[cursor - 1];
  };
  // Window tails: the first index inside each window.
  std::size_t fast_tail = 0, slow_tail = 0, z_tail = 0;
  double fast_sum = 0, slow_sum = 0, z_sum = 0, z_sq = 0;
  double prev_fast = na, prev_slow = na;
  bool any_rise = false;
  std::int64_t last_rise = 0;
  index_ring highs(400);
  std::size_t high_tail = 0;  // first index of the prior window t - 365d <= u < t
  const std::int64_t first = n ? times[0] : 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t t = times[i];
    // R1
    const double tga_t = weekly_at(tga_now, t);
    const double tga_4w = weekly_at(tga_back, t - w4);
    const bool r1 = i >= 1 && russell[i] > 2600 && russell[i - 1] <= 2600 && tga_t < tga_4w;
    e1(r1, i, out.rule[0]);

    // R2: calendar windows t - D < u <= t; removal before addition, as the VM.
    while (times[fast_tail] <= t - d70) fast_sum -= spx[fast_tail++];
    fast_sum += spx[i];
    while (times[slow_tail] <= t - d280) slow_sum -= spx[slow_tail++];
    slow_sum += spx[i];
    const double fast = first <= t - d70 ? fast_sum / static_cast<double>(i - fast_tail + 1) : na;
    const double slow = first <= t - d280 ? slow_sum / static_cast<double>(i - slow_tail + 1) : na;
    e2(fast > slow && prev_fast <= prev_slow, i, out.rule[1]);
    prev_fast = fast;
    prev_slow = slow;

    // R3: raw as-of reads of spx and russell at t - 4w (daily staleness 7d).
    const std::int64_t back = t - w4;
    while (daily_back < n && times[daily_back] <= back) ++daily_back;
    bool r3 = false;
    if (daily_back > 0 && times[daily_back - 1] >= back - daily_stale) {
      const std::size_t k = daily_back - 1;
      const bool outperforms = russell[i] / russell[k] - 1 > spx[i] / spx[k] - 1;
      r3 = outperforms && any_rise && last_rise >= t - d60;
      if (spx[i] > spx[k]) {
        any_rise = true;
        last_rise = t;
      }
    }
    e3(r3, i, out.rule[2]);

    // R4: new high over the prior points t - 365d <= u < t; z-score over t - 140d < u <= t.
    while (high_tail < i && times[high_tail] < t - d365) ++high_tail;
    while (!highs.empty() && highs.front() < high_tail) highs.pop_front();
    const bool new_high = first <= t - d365 && !highs.empty() && alts[i] > alts[highs.front()];
    while (!highs.empty() && alts[highs.back()] <= alts[i]) highs.pop_back();
    highs.push_back(i);
    while (times[z_tail] <= t - d140) {
      z_sum -= russell[z_tail];
      z_sq -= russell[z_tail] * russell[z_tail];
      ++z_tail;
    }
    z_sum += russell[i];
    z_sq += russell[i] * russell[i];
    bool r4 = false;
    if (new_high && first <= t - d140) {
      const double m = static_cast<double>(i - z_tail + 1);
      const double mean = z_sum / m;
      const double var = (z_sq - z_sum * mean) / (m - 1);
      r4 = m >= 2 && var > 0 && (russell[i] - mean) / std::sqrt(var) > 1;
    }
    e4(r4, i, out.rule[3]);
  }
  return out;
}

}  // namespace bench
