// When to try a failing sink again: after 0.25 s, 0.5 s, 1 s, ... doubling up to a cap
// (--max-backoff), each wait scaled by a random factor in [0.5, 1] so that watchers that
// failed together do not retry in step. A success resets it. The wait is on the monotonic
// clock: --now fakes the data clock, never this one.
#pragma once
#include <algorithm>
#include <chrono>
#include <random>

namespace sluice::watch {

class backoff {
 public:
  using clock = std::chrono::steady_clock;

  explicit backoff(double max_seconds) : max_(max_seconds), random_(std::random_device{}()) {}

  bool ready(clock::time_point now) const { return failures_ == 0 || now >= next_; }
  clock::time_point next_try() const { return next_; }
  int failures() const { return failures_; }

  void failed(clock::time_point now) {
    ++failures_;
    const double base = std::min(max_, 0.25 * static_cast<double>(1ull << std::min(failures_ - 1, 30)));
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    next_ = now + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(base * jitter(random_)));
  }
  void succeeded() { failures_ = 0; }

 private:
  double max_;
  int failures_ = 0;
  clock::time_point next_{};
  std::mt19937_64 random_;
};

}  // namespace sluice::watch
