// The reference evaluator's builtins (SPEC section 6), each computed point by point from
// its definition in docs/semantics.md: every window is gathered afresh at every point.
#include <algorithm>

#include "interpreter/reference/reference_eval.hpp"

namespace sluice {

template <class Num>
typename basic_reference_evaluator<Num>::column basic_reference_evaluator<Num>::compute_call(const bound& b) {
  const node& nd = at(b.module, b.n);
  const std::string& name = nd.text;
  const std::size_t n = timeline_.size();
  column out(n, number_at(na()));
  auto kid = [&](std::size_t i) { return bound{b.module, nd.kids[i], b.scope}; };
  if (is_cross_section(nd)) return compute_cross_section(b);  // reference_universe.cpp
  if (!is_builtin_name(name)) {
    const symbol& s = lookup(name);
    return col({s.module, std::get<def_stmt>(s.stmt->body).body, expand(b, s)});
  }
  auto each = [&](auto f) {
    for (std::size_t t = 0; t < n; ++t) out[t] = number_at(f(t));
    return out;
  };

  if (name == "sma" || name == "stdev" || name == "zscore" || name == "highest" || name == "lowest") {
    const std::vector<Num> x = numbers(kid(0));
    const duration w = window(kid(1));
    const auto first = first_defined(x);
    return each([&](std::size_t t) {
      // Warm-up: x's first defined point is at or before the window's start.
      const bool covered = first && (w.is_bars() ? static_cast<std::int64_t>(*first) <=
                                                        static_cast<std::int64_t>(t) - w.count + 1
                                                  : timeline_[*first] <= subtract(timeline_[t], w));
      std::vector<Num> v;
      for (std::size_t u = first_in_window(t, w); u <= t; ++u)
        if (!is_na(x[u])) v.push_back(x[u]);
      if (!covered || v.empty()) return na();
      if (name == "highest") return *std::max_element(v.begin(), v.end());
      if (name == "lowest") return *std::min_element(v.begin(), v.end());
      Num sum = Num(0);
      for (const Num& a : v) sum = sum + a;
      const Num mean = sum / Num(v.size());
      if (name == "sma") return mean;
      if (v.size() < 2) return na();
      // The sample variance as the VM computes it: from sums of the values shifted by
      // the window's first value k, var = (m q - s^2) / (m (m - 1)). m q - s^2 does not
      // depend on k, so on values whose sums are exact (the differential tests' data, and
      // in exact mode any values up to 34 digits) the VM's result, with its own k, is
      // bit-identical (docs/semantics.md).
      const Num k = v[0];
      Num shifted = Num(0), squares = Num(0);
      for (const Num& a : v) {
        shifted = shifted + (a - k);
        squares = squares + (a - k) * (a - k);
      }
      const Num m = Num(v.size());
      const Num var = (m * squares - shifted * shifted) / (m * (m - Num(1)));
      // A flat window deviates by exactly 0, whatever rounding did to the sums.
      const bool flat = std::all_of(v.begin(), v.end(), [&](const Num& a) { return a == v[0]; });
      const Num sd = flat || var < Num(0) ? Num(0) : traits::sqrt(var);
      if (name == "stdev") return sd;
      return is_na(x[t]) ? na() : divide(x[t] - mean, sd);
    });
  }
  if (name == "ema" || name == "rsi") {
    const std::vector<Num> x = numbers(kid(0));
    const std::int64_t len = window(kid(1)).count;
    return each([&](std::size_t t) {
      if (is_na(x[t])) return na();
      std::vector<Num> v;  // the defined values so far
      for (std::size_t u = 0; u <= t; ++u)
        if (!is_na(x[u])) v.push_back(x[u]);
      const auto k = static_cast<std::int64_t>(v.size());
      if (name == "ema") {
        if (k < len) return na();
        const Num alpha = Num(2) / Num(len + 1);
        Num e = v[0];
        for (std::size_t j = 1; j < v.size(); ++j) e = e + alpha * (v[j] - e);
        return e;
      }
      // Wilder: the first `len` changes averaged, then smoothed.
      if (k - 1 < len) return na();
      const Num n_len = Num(len);
      Num gain = Num(0), loss = Num(0);
      for (std::int64_t j = 1; j < k; ++j) {
        const Num c = v[static_cast<std::size_t>(j)] - v[static_cast<std::size_t>(j - 1)];
        const Num g = c > Num(0) ? c : Num(0), l = c < Num(0) ? -c : Num(0);
        if (j <= len) {
          gain = gain + g;
          loss = loss + l;
          if (j == len) {
            gain = gain / n_len;
            loss = loss / n_len;
          }
        } else {
          gain = (gain * Num(len - 1) + g) / n_len;
          loss = (loss * Num(len - 1) + l) / n_len;
        }
      }
      if (loss == Num(0)) return gain == Num(0) ? Num(50) : Num(100);
      return Num(100) - Num(100) / (Num(1) + gain / loss);
    });
  }
  if (name == "change" || name == "pct" || name == "lag") {
    const std::vector<Num> x = numbers(kid(0));
    const std::vector<Num> past = lookback(kid(0), window(kid(1)));
    return each([&](std::size_t t) {
      if (name == "lag") return past[t];
      if (name == "change") return is_na(x[t]) || is_na(past[t]) ? na() : x[t] - past[t];
      const Num q = divide(x[t], past[t]);
      return is_na(q) ? na() : q - Num(1);
    });
  }
  if (name == "drawdown" || name == "rebase") {
    const std::vector<Num> x = numbers(kid(0));
    const auto first = first_defined(x);
    return each([&](std::size_t t) {
      if (is_na(x[t])) return na();
      if (name == "rebase") return x[*first] == Num(0) ? na() : Num(100) * x[t] / x[*first];
      Num peak = x[t];
      for (std::size_t u = 0; u <= t; ++u)
        if (!is_na(x[u])) peak = std::max(peak, x[u]);
      return peak <= Num(0) ? na() : Num(1) - x[t] / peak;
    });
  }
  if (name == "basket") {
    std::vector<std::vector<Num>> xs;
    for (std::size_t i = 0; i < nd.kids.size(); ++i) xs.push_back(numbers(kid(i)));
    auto all_defined = [&](std::size_t t) {
      for (const auto& x : xs)
        if (is_na(x[t])) return false;
      return true;
    };
    std::optional<std::size_t> anchor;
    for (std::size_t t = 0; t < n && !anchor; ++t)
      if (all_defined(t)) anchor = t;
    return each([&](std::size_t t) {
      if (!all_defined(t)) return na();
      Num sum = Num(0);
      for (const auto& x : xs) {
        if (x[*anchor] == Num(0)) return na();
        sum = sum + Num(100) * x[t] / x[*anchor];
      }
      return sum / Num(xs.size());
    });
  }
  if (name == "min" || name == "max") {
    std::vector<std::vector<Num>> xs;
    for (std::size_t i = 0; i < nd.kids.size(); ++i) xs.push_back(numbers(kid(i)));
    return each([&](std::size_t t) {
      Num r = xs[0][t];
      for (const auto& x : xs) {
        if (is_na(x[t])) return na();
        r = name == "min" ? std::min(r, x[t]) : std::max(r, x[t]);
      }
      return r;
    });
  }
  const std::vector<Num> x = numbers(kid(0));
  if (name == "ratio") {
    const std::vector<Num> y = numbers(kid(1));
    return each([&](std::size_t t) { return divide(x[t], y[t]); });
  }
  if (name == "abs") return each([&](std::size_t t) { return is_na(x[t]) ? na() : traits::abs(x[t]); });
  return each([&](std::size_t t) { return is_na(x[t]) || x[t] <= Num(0) ? na() : traits::log(x[t]); });
}

template auto basic_reference_evaluator<double>::compute_call(const bound& b) -> column;
template auto basic_reference_evaluator<decimal>::compute_call(const bound& b) -> column;

}  // namespace sluice
