// The reference evaluator's builtins (SPEC section 6), each computed point by point from
// its definition in docs/semantics.md: every window is gathered afresh at every point.
#include <algorithm>
#include <cmath>

#include "interpreter/reference_eval.hpp"

namespace sluice {

namespace {

const double nan_value = std::numeric_limits<double>::quiet_NaN();
bool is_na(double x) { return std::isnan(x); }
ref_value number_at(double x) { return {false, x, 2}; }
double divide(double x, double y) { return is_na(x) || is_na(y) || y == 0 ? nan_value : x / y; }

}  // namespace

reference_evaluator::column reference_evaluator::compute_call(const bound& b) {
  const node& nd = at(b.module, b.n);
  const std::string& name = nd.text;
  const std::size_t n = timeline_.size();
  column out(n, number_at(nan_value));
  auto kid = [&](std::size_t i) { return bound{b.module, nd.kids[i], b.scope}; };
  if (!is_builtin_name(name)) {
    const symbol& s = lookup(name);
    return col({s.module, std::get<def_stmt>(s.stmt->body).body, expand(b, s)});
  }
  auto each = [&](auto f) {
    for (std::size_t t = 0; t < n; ++t) out[t] = number_at(f(t));
    return out;
  };

  if (name == "sma" || name == "stdev" || name == "zscore" || name == "highest" || name == "lowest") {
    const std::vector<double> x = numbers(kid(0));
    const duration w = window(kid(1));
    const auto first = first_defined(x);
    return each([&](std::size_t t) {
      // Warm-up: x's first defined point is at or before the window's start.
      const bool covered = first && (w.is_bars() ? static_cast<std::int64_t>(*first) <=
                                                        static_cast<std::int64_t>(t) - w.count + 1
                                                  : timeline_[*first] <= subtract(timeline_[t], w));
      std::vector<double> v;
      for (std::size_t u = first_in_window(t, w); u <= t; ++u)
        if (!is_na(x[u])) v.push_back(x[u]);
      if (!covered || v.empty()) return nan_value;
      if (name == "highest") return *std::max_element(v.begin(), v.end());
      if (name == "lowest") return *std::min_element(v.begin(), v.end());
      double sum = 0;
      for (double a : v) sum += a;
      const double mean = sum / static_cast<double>(v.size());
      if (name == "sma") return mean;
      if (v.size() < 2) return nan_value;
      // The sample variance as the VM computes it: from sums of the values shifted by
      // the window's first value k, var = (m q - s^2) / (m (m - 1)). m q - s^2 does not
      // depend on k, so on values whose sums are exact (the differential tests' data) the
      // VM's result, with its own k, is bit-identical (docs/semantics.md).
      const double k = v[0];
      double shifted = 0, squares = 0;
      for (double a : v) {
        shifted += a - k;
        squares += (a - k) * (a - k);
      }
      const auto m = static_cast<double>(v.size());
      const double var = (m * squares - shifted * shifted) / (m * (m - 1));
      // A flat window deviates by exactly 0, whatever rounding did to the sums.
      const bool flat = std::all_of(v.begin(), v.end(), [&](double a) { return a == v[0]; });
      const double sd = flat ? 0 : var < 0 ? 0 : std::sqrt(var);
      if (name == "stdev") return sd;
      return is_na(x[t]) ? nan_value : divide(x[t] - mean, sd);
    });
  }
  if (name == "ema" || name == "rsi") {
    const std::vector<double> x = numbers(kid(0));
    const std::int64_t len = window(kid(1)).count;
    return each([&](std::size_t t) {
      if (is_na(x[t])) return nan_value;
      std::vector<double> v;  // the defined values so far
      for (std::size_t u = 0; u <= t; ++u)
        if (!is_na(x[u])) v.push_back(x[u]);
      const auto k = static_cast<std::int64_t>(v.size());
      if (name == "ema") {
        if (k < len) return nan_value;
        const double alpha = 2.0 / static_cast<double>(len + 1);
        double e = v[0];
        for (std::size_t j = 1; j < v.size(); ++j) e = e + alpha * (v[j] - e);
        return e;
      }
      // Wilder: the first `len` changes averaged, then smoothed.
      if (k - 1 < len) return nan_value;
      double gain = 0, loss = 0;
      for (std::int64_t j = 1; j < k; ++j) {
        const double c = v[j] - v[j - 1];
        const double g = c > 0 ? c : 0, l = c < 0 ? -c : 0;
        if (j <= len) {
          gain += g;
          loss += l;
          if (j == len) {
            gain /= static_cast<double>(len);
            loss /= static_cast<double>(len);
          }
        } else {
          gain = (gain * static_cast<double>(len - 1) + g) / static_cast<double>(len);
          loss = (loss * static_cast<double>(len - 1) + l) / static_cast<double>(len);
        }
      }
      if (loss == 0) return gain == 0 ? 50.0 : 100.0;
      return 100.0 - 100.0 / (1.0 + gain / loss);
    });
  }
  if (name == "change" || name == "pct" || name == "lag") {
    const std::vector<double> x = numbers(kid(0));
    const std::vector<double> past = lookback(kid(0), window(kid(1)));
    return each([&](std::size_t t) {
      if (name == "lag") return past[t];
      if (name == "change") return is_na(x[t]) || is_na(past[t]) ? nan_value : x[t] - past[t];
      const double q = divide(x[t], past[t]);
      return is_na(q) ? nan_value : q - 1;
    });
  }
  if (name == "drawdown" || name == "rebase") {
    const std::vector<double> x = numbers(kid(0));
    const auto first = first_defined(x);
    return each([&](std::size_t t) {
      if (is_na(x[t])) return nan_value;
      if (name == "rebase") return x[*first] == 0 ? nan_value : 100 * x[t] / x[*first];
      double peak = x[t];
      for (std::size_t u = 0; u <= t; ++u)
        if (!is_na(x[u])) peak = std::max(peak, x[u]);
      return peak <= 0 ? nan_value : 1 - x[t] / peak;
    });
  }
  if (name == "basket") {
    std::vector<std::vector<double>> xs;
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
      if (!all_defined(t)) return nan_value;
      double sum = 0;
      for (const auto& x : xs) {
        if (x[*anchor] == 0) return nan_value;
        sum += 100 * x[t] / x[*anchor];
      }
      return sum / static_cast<double>(xs.size());
    });
  }
  if (name == "min" || name == "max") {
    std::vector<std::vector<double>> xs;
    for (std::size_t i = 0; i < nd.kids.size(); ++i) xs.push_back(numbers(kid(i)));
    return each([&](std::size_t t) {
      double r = xs[0][t];
      for (const auto& x : xs) {
        if (is_na(x[t])) return nan_value;
        r = name == "min" ? std::min(r, x[t]) : std::max(r, x[t]);
      }
      return r;
    });
  }
  const std::vector<double> x = numbers(kid(0));
  if (name == "ratio") {
    const std::vector<double> y = numbers(kid(1));
    return each([&](std::size_t t) { return divide(x[t], y[t]); });
  }
  if (name == "abs") return each([&](std::size_t t) { return std::fabs(x[t]); });
  return each([&](std::size_t t) { return is_na(x[t]) || x[t] <= 0 ? nan_value : std::log(x[t]); });
}

}  // namespace sluice
