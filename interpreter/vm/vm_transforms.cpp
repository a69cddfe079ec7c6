// Running transforms of a series: drawdown from the running peak, rebasing to the first
// defined value, equal-weight baskets, and host functions (optionally over a window).
#include <algorithm>
#include <cmath>
#include <limits>

#include "interpreter/numeric/decimal.hpp"
#include "interpreter/vm/vm.hpp"

namespace sluice {

template <class Num>
void vm<Num>::drawdown(const instruction& in, const block_view& b, drawdown_state<Num>& s) {
  using T = number_traits<Num>;
  const Num* x = num(in.a);
  Num* out = num_out(in.d);
  for (std::size_t i = 0; i < b.size; ++i) {
    if (T::is_na(x[i])) {
      out[i] = T::na();
      continue;
    }
    if (!s.seen || x[i] > s.peak) {
      s.peak = x[i];
      s.seen = true;
    }
    out[i] = s.peak > Num(0) ? Num(1) - x[i] / s.peak : T::na();
  }
}

template <class Num>
void vm<Num>::rebase(const instruction& in, const block_view& b, rebase_state<Num>& s) {
  using T = number_traits<Num>;
  const Num* x = num(in.a);
  Num* out = num_out(in.d);
  for (std::size_t i = 0; i < b.size; ++i) {
    if (T::is_na(x[i])) {
      out[i] = T::na();
      continue;
    }
    if (!s.seen) {
      s.first = x[i];
      s.seen = true;
    }
    out[i] = s.first == Num(0) ? T::na() : Num(100) * x[i] / s.first;
  }
}

// AUX[k]: the component registers. Each is rebased to its value at the first point where
// all are defined, and the basket is their mean.
template <class Num>
void vm<Num>::basket(const instruction& in, const block_view& b, basket_state<Num>& s) {
  using T = number_traits<Num>;
  const std::vector<reg_index>& parts = program_.aux[in.k];
  Num* out = num_out(in.d);
  for (std::size_t i = 0; i < b.size; ++i) {
    bool all = true;
    for (reg_index r : parts) all = all && !T::is_na(num(r)[i]);
    if (!all) {
      out[i] = T::na();
      continue;
    }
    if (!s.anchored) {
      s.anchored = true;
      s.anchors.clear();
      for (reg_index r : parts) s.anchors.push_back(num(r)[i]);
    }
    Num sum = Num(0);
    bool ok = true;
    for (std::size_t j = 0; j < parts.size(); ++j) {
      if (s.anchors[j] == Num(0))
        ok = false;
      else
        sum = sum + Num(100) * num(parts[j])[i] / s.anchors[j];
    }
    out[i] = ok ? sum / Num(static_cast<std::int64_t>(parts.size())) : T::na();
  }
}

// AUX[k] = {function, argument registers}. Without a window: na in, na out. With a window
// of w bars: the state holds the last w rows of arguments, and the function gets each
// argument's w values, oldest first, na included.
template <class Num>
void vm<Num>::host_call(const instruction& in, const block_view& b, host_state<Num>& s) {
  using T = number_traits<Num>;
  const Num na = T::na();
  const std::vector<reg_index>& parts = program_.aux[in.k];
  const host_function& f = program_.host_functions[parts[0]];
  const std::size_t arity = parts.size() - 1;
  const auto w = static_cast<std::size_t>(std::max<std::int64_t>(1, in.w.count));
  const bool windowed = in.w.count > 0;
  if (windowed && s.rows.size() != arity * w) s.rows.assign(arity * w, na);
  std::vector<double> args(arity * w);
  Num* out = num_out(in.d);
  for (std::size_t i = 0; i < b.size; ++i) {
    bool defined = true;
    if (windowed) {
      const auto head = static_cast<std::size_t>(s.rows_seen) % w;
      for (std::size_t a = 0; a < arity; ++a) s.rows[head * arity + a] = num(parts[a + 1])[i];
      ++s.rows_seen;
      for (std::size_t a = 0; a < arity; ++a)
        for (std::size_t j = 0; j < w; ++j)
          args[a * w + j] = T::to_double(s.rows[((head + 1 + j) % w) * arity + a]);
      defined = s.rows_seen >= in.w.count;
    } else {
      for (std::size_t a = 0; a < arity; ++a) {
        const Num v = num(parts[a + 1])[i];
        defined = defined && !T::is_na(v);
        args[a] = T::to_double(v);
      }
    }
    double r = std::numeric_limits<double>::quiet_NaN();
    if (defined) {
      bool failed = false;
      try {
        r = f.call(std::span<const double>(args));
        // An infinity would poison every running sum it enters (as a pushed one would).
        failed = std::isinf(r);
      } catch (...) {
        failed = true;  // a throwing host function yields na: exceptions never cross the VM
      }
      if (failed) {
        r = std::numeric_limits<double>::quiet_NaN();
        if (host_failures_.size() <= parts[0]) host_failures_.resize(parts[0] + 1, 0);
        ++host_failures_[parts[0]];  // counted, so that the host sees it (session_counters)
      }
    }
    out[i] = std::isnan(r) ? na : T::from_double(r);
  }
}

#define SLUICE_VM_TRANSFORMS(Num)                                                               \
  template void vm<Num>::drawdown(const instruction&, const block_view&, drawdown_state<Num>&); \
  template void vm<Num>::rebase(const instruction&, const block_view&, rebase_state<Num>&);     \
  template void vm<Num>::basket(const instruction&, const block_view&, basket_state<Num>&);     \
  template void vm<Num>::host_call(const instruction&, const block_view&, host_state<Num>&);
SLUICE_VM_TRANSFORMS(double)
SLUICE_VM_TRANSFORMS(decimal)
#undef SLUICE_VM_TRANSFORMS

}  // namespace sluice
