// Random programs and data for the differential tests (see differential_gen.hpp). Every
// form of SPEC section 4 and builtin of section 6 can appear; data has gaps, empty cells,
// ties, zeros and series that end early, so warm-up, staleness and na paths all run.
#include "support/differential_gen.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sluice::testing {

std::string render(const gexpr& e) {
  std::string s = e.parts[0];
  for (std::size_t i = 0; i < e.kids.size(); ++i) {
    const std::string inner = render(e.kids[i]);
    s += e.kids[i].kids.empty() ? inner : "(" + inner + ")";
    s += e.parts[i + 1];
  }
  return s;
}

std::string rule_file(const gen_program& g) {
  std::string out;
  if (!g.settings.empty()) out += g.settings + "\n";
  for (const gen_series& s : g.series)
    if (s.loaded)
      out += fmt::format("load {} from \"{}.csv\"{}{}\n", s.name, s.name,
                         s.lag.empty() ? "" : " lag " + s.lag, s.stale.empty() ? "" : " stale " + s.stale);
  for (const gen_let& l : g.lets) out += fmt::format("let {} = {}\n", l.name, render(l.value));
  for (const gen_def& d : g.defs)
    out += fmt::format("def {}({}) = {}\n", d.name, fmt::join(d.params, ", "), render(d.body));
  for (std::size_t i = 0; i < g.rules.size(); ++i) {
    const gen_rule& r = g.rules[i];
    if (r.short_form)
      out += fmt::format("{} then {}{}\n", render(r.condition), r.actions, r.options);
    else
      out += fmt::format("rule \"r{}\": when {} then {}{}\n", i, render(r.condition), r.actions, r.options);
  }
  return out;
}

std::string csv_text(const gen_series& s) {
  std::string out = "date,value\n";
  for (std::size_t i = 0; i < s.times.size(); ++i)
    out += fmt::format("{},{}\n", format_time(s.times[i]),
                       s.values[i] ? fmt::format("{}", *s.values[i]) : "");
  return out;
}

namespace {

gexpr leaf(std::string text, bool cond) { return {cond, {std::move(text)}, {}}; }
gexpr tree(bool cond, std::vector<std::string> parts, std::vector<gexpr> kids) {
  return {cond, std::move(parts), std::move(kids)};
}

struct def_sig {
  std::string name;
  std::vector<char> params;  // 'n' number, 'c' condition, 'w' window
  bool returns_cond = false;
};

class generator {
 public:
  explicit generator(std::mt19937_64& rng) : rng_(rng) {}

  gen_program program() {
    gen_program g;
    make_series(g);
    if (chance(0.2)) g.settings = "set window " + window();
    const int lets = pick_int(0, 3);
    for (int i = 0; i < lets; ++i) {
      gen_let l;
      l.name = fmt::format("l{}", i);
      const double kind = real();
      l.value = kind < 0.3 ? leaf(pick(series_names_), false) : kind < 0.65 ? number(2) : condition(2);
      (l.value.cond ? conds_ : nums_).push_back(l.name);
      g.lets.push_back(std::move(l));
    }
    const int defs = pick_int(0, 2);
    for (int i = 0; i < defs; ++i) g.defs.push_back(make_def(i));
    const int rules = pick_int(1, 4);
    for (int i = 0; i < rules; ++i) {
      gen_rule r;
      r.condition = condition(pick_int(1, 3));
      r.short_form = chance(0.15);
      std::vector<std::string> actions;
      if (chance(0.6)) actions.push_back("watch " + pick(series_names_) + (chance(0.3) ? " for 30d" : ""));
      if (chance(0.4)) actions.push_back(fmt::format("signal sig{}", i));
      if (chance(0.2)) actions.push_back(fmt::format("alert \"at {{date}}: {{{}}}\"", pick(series_names_)));
      if (actions.empty()) actions.push_back("watch " + pick(series_names_));
      r.actions = fmt::format("{}", fmt::join(actions, chance(0.5) ? " and " : ", "));
      if (chance(0.3)) r.options += " cooldown " + window();
      if (chance(0.15)) r.options += " once";
      for (const std::string& a : actions)
        if (a.rfind("signal ", 0) == 0) signals_.push_back(a.substr(7));
      g.rules.push_back(std::move(r));
    }
    // --from / --to inside the data's range (or absent).
    const time_point lo = start_, hi = end_;
    if (chance(0.4))
      g.from = lo + pick_int(0, static_cast<int>((hi - lo) / ms_per_day / 2)) * ms_per_day;
    if (chance(0.4))
      g.to = hi - pick_int(0, static_cast<int>((hi - lo) / ms_per_day / 3)) * ms_per_day;
    return g;
  }

 private:
  bool chance(double p) { return real() < p; }
  double real() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  int pick_int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[static_cast<std::size_t>(pick_int(0, static_cast<int>(v.size()) - 1))]; }

  // --- data ---
  void make_series(gen_program& g) {
    start_ = (days_from_civil(2020, 1, 1) + pick_int(0, 400)) * ms_per_day;
    const int span_days = pick_int(120, 330);
    end_ = start_ + span_days * ms_per_day;
    const int count = pick_int(2, 4);
    // `rut` stands behind the prelude alias `russell`; `spx` shadows the prelude's alias.
    std::vector<std::string> names = {"a", "b", "c", "d"};
    if (chance(0.3)) names[0] = "rut";
    if (chance(0.3)) names[1] = "spx";
    for (int i = 0; i < count; ++i) {
      gen_series s;
      s.name = names[static_cast<std::size_t>(i)];
      s.loaded = chance(0.4);
      if (s.loaded && chance(0.3)) s.lag = fmt::format("{}d", pick_int(1, 5));
      if (s.loaded && chance(0.3)) s.stale = chance(0.8) ? fmt::format("{}d", pick_int(1, 12)) : "1mo";
      const int kind = pick_int(0, 2);  // business days, every day, weekly
      time_point t = start_ + (chance(0.3) ? pick_int(0, 40) : 0) * ms_per_day;
      time_point last = end_ - (chance(0.3) ? pick_int(0, span_days / 2) : 0) * ms_per_day;
      double v = pick_int(0, 60) * 0.25;
      for (; t <= last; t += (kind == 2 ? 7 : 1) * ms_per_day) {
        const auto weekday = ((t / ms_per_day) % 7 + 7 + 3) % 7;  // 0 = Monday
        if (kind == 0 && weekday >= 5) continue;
        static const double steps[] = {-1, -0.5, -0.25, 0, 0, 0.25, 0.5, 1};
        v = std::clamp(v + steps[pick_int(0, 7)], 0.0, 20.0);
        if (chance(0.02)) v = 0;
        s.times.push_back(t);
        s.values.push_back(chance(0.05) ? std::nullopt : std::optional<double>(v));
      }
      // A gap: a run of rows missing entirely.
      if (s.times.size() > 30 && chance(0.5)) {
        const auto at = static_cast<std::size_t>(pick_int(5, static_cast<int>(s.times.size()) - 20));
        const auto len = static_cast<std::ptrdiff_t>(pick_int(3, 15));
        s.times.erase(s.times.begin() + static_cast<std::ptrdiff_t>(at), s.times.begin() + static_cast<std::ptrdiff_t>(at) + len);
        s.values.erase(s.values.begin() + static_cast<std::ptrdiff_t>(at), s.values.begin() + static_cast<std::ptrdiff_t>(at) + len);
      }
      series_names_.push_back(s.name);
      nums_.push_back(s.name == "rut" && chance(0.7) ? "russell" : s.name);
      g.series.push_back(std::move(s));
    }
  }

  // --- windows and literals ---
  std::string window(bool bars_only = false) {
    const double r = real();
    if (bars_only || r < 0.35) {
      const int n = pick_int(1, 8);
      return n == 1 && chance(0.5) ? "1 bar" : fmt::format("{} bars", n);
    }
    if (r < 0.65) {
      const int n = pick_int(1, 30);
      return chance(0.8) ? fmt::format("{}d", n) : fmt::format("{} days", n);
    }
    if (r < 0.85) {
      const int n = pick_int(1, 4);
      return chance(0.8) ? fmt::format("{}w", n) : fmt::format("{} weeks", n);
    }
    const int n = pick_int(1, 2);
    return chance(0.8) ? fmt::format("{}mo", n) : n == 1 ? "1 month" : "2 months";
  }
  std::string any_window() { return !windows_.empty() && chance(0.4) ? pick(windows_) : window(); }
  std::string constant() {
    static const std::vector<std::string> values = {"0", "1", "2", "2.5", "5", "7.25", "10",
                                                    "12", "0.5", "1_0", "0.01k", "50%"};
    return pick(values);
  }

  // --- expressions ---
  gexpr number(int depth) {
    if (depth <= 0 || chance(0.3)) {
      if (chance(0.8)) return leaf(pick(nums_), false);
      return leaf(constant(), false);
    }
    auto x = [&] { return number(depth - 1); };
    const int op = pick_int(0, 17);
    switch (op) {
      case 0: return tree(false, {"", " + ", ""}, {x(), x()});
      case 1: return tree(false, {"", " - ", ""}, {x(), x()});
      case 2: return tree(false, {"", " * ", ""}, {x(), x()});
      case 3: return tree(false, {"", " / ", ""}, {x(), x()});
      case 4: return tree(false, {"-", ""}, {x()});
      case 5: {
        static const std::vector<std::string> f = {"sma", "stdev", "zscore", "highest", "lowest"};
        return tree(false, {pick(f) + "(", ", " + any_window() + ")"}, {exact(depth - 1)});
      }
      case 6: return tree(false, {chance(0.5) ? "ema(" : "rsi(", ", " + window(true) + ")"}, {x()});
      case 7: {
        static const std::vector<std::string> f = {"change", "pct", "lag"};
        return tree(false, {pick(f) + "(", ", " + any_window() + ")"}, {x()});
      }
      case 8: {
        static const std::vector<std::string> f = {"drawdown", "rebase", "abs", "log"};
        return tree(false, {pick(f) + "(", ")"}, {x()});
      }
      case 9: return tree(false, {"ratio(", ", ", ")"}, {x(), x()});
      case 10: {
        const std::string f = pick(std::vector<std::string>{"basket", "min", "max"});
        if (chance(0.5)) return tree(false, {f + "(", ", ", ")"}, {x(), x()});
        return tree(false, {f + "(", ", ", ", ", ")"}, {x(), x(), x()});
      }
      case 11: return tree(false, {"", fmt::format("[{}]", pick_int(0, 5))}, {x()});
      case 12: {
        if (auto call = def_call(false, depth)) return *call;
        return x();
      }
      default: return leaf(chance(0.85) ? pick(nums_) : constant(), false);
    }
  }

  // A number whose every value is a multiple of 1/4 of moderate size, so that any order
  // of summation gives the same double. The VM keeps a running sum for sma and the
  // reference sums each window afresh; on other inputs the two round differently, and a
  // comparison that ties mathematically may go either way on its last bit.
  gexpr exact(int depth) {
    static const std::vector<std::string> constants = {"0", "1", "2.5", "7.25", "1_0", "50%"};
    if (depth <= 0 || chance(0.4))
      return chance(0.85) ? leaf(pick(series_names_), false) : leaf(pick(constants), false);
    auto x = [&] { return exact(depth - 1); };
    switch (pick_int(0, 5)) {
      case 0: return tree(false, {"", " + ", ""}, {x(), x()});
      case 1: return tree(false, {"", " - ", ""}, {x(), x()});
      case 2: return tree(false, {chance(0.5) ? "highest(" : "lowest(", ", " + window() + ")"}, {x()});
      case 3: return tree(false, {"", fmt::format("[{}]", pick_int(0, 5))}, {x()});
      case 4: return tree(false, {chance(0.5) ? "lag(" : "change(", ", " + window() + ")"}, {x()});
      default: return tree(false, {chance(0.5) ? "min(" : "max(", ", ", ")"}, {x(), x()});
    }
  }

  gexpr predicate(int depth) {
    auto x = [&] { return number(std::min(depth, 2) - (chance(0.5) ? 1 : 0)); };
    const int kind = pick_int(0, 9);
    switch (kind) {
      case 0:
      case 1: {
        static const std::vector<std::string> ops = {" > ", " >= ", " < ", " <= ", " == ",
                                                      " != ", " above ", " below "};
        return tree(true, {"", pick(ops), ""}, {x(), chance(0.5) ? leaf(constant(), false) : x()});
      }
      case 2: return tree(true, {"", " between ", " and ", ""}, {x(), x(), x()});
      case 3: {
        static const std::vector<std::string> ops = {" crosses above ", " crosses below ", " breaks ",
                                                     " breaks above ", " breaks below "};
        return tree(true, {"", pick(ops), ""}, {x(), chance(0.5) ? leaf(constant(), false) : x()});
      }
      case 4:
      case 5: {
        static const std::vector<std::string> words = {"rises", "falls", "widens", "narrows"};
        std::string tail = " " + pick(words);
        if (chance(0.4)) {
          static const std::vector<std::string> by = {"5%", "0%", "2.5%", "1", "0.5", "0", "10%"};
          tail += " by " + pick(by);
        }
        if (chance(0.75)) tail += " over " + any_window();
        return tree(true, {"", tail}, {x()});
      }
      case 6: {
        static const std::vector<std::string> words = {" outperforms ", " leads ", " underperforms ", " trails "};
        return tree(true, {"", pick(words), chance(0.7) ? " over " + any_window() : ""}, {x(), x()});
      }
      case 7: {
        std::string tail = chance(0.5) ? " hits new high" : " hits new low";
        if (chance(0.7)) tail += " over " + any_window();
        return tree(true, {"", tail}, {x()});
      }
      case 8: {
        static const std::vector<std::string> f = {"correction(", "oversold(", "overbought(", "bear_market("};
        if (chance(0.5)) return tree(true, {"breakout(", ", " + window() + ")"}, {x()});
        return tree(true, {pick(f), ")"}, {x()});
      }
      default: return tree(true, {"", " > ", ""}, {x(), leaf(constant(), false)});
    }
  }

  gexpr condition(int depth) {
    if (depth <= 0 || chance(0.25)) {
      if (chance(0.2)) {
        std::vector<std::string> leaves = conds_;
        leaves.insert(leaves.end(), signals_.begin(), signals_.end());
        if (!leaves.empty()) return leaf(pick(leaves), true);
      }
      return predicate(depth);
    }
    auto c = [&] { return condition(depth - 1); };
    switch (pick_int(0, 8)) {
      case 0: return tree(true, {"not ", ""}, {c()});
      case 1: return tree(true, {"", " and ", ""}, {c(), c()});
      case 2: return tree(true, {"", " or ", ""}, {c(), c()});
      case 3: return tree(true, {"", " for " + any_window()}, {c()});
      case 4: return tree(true, {"", " within " + any_window()}, {c()});
      case 5: return tree(true, {"", " followed by ", " within " + any_window()}, {c(), c()});
      case 6: {
        if (auto call = def_call(true, depth)) return *call;
        return c();
      }
      default: return predicate(depth);
    }
  }

  std::optional<gexpr> def_call(bool cond, int depth) {
    std::vector<const def_sig*> fits;
    for (const def_sig& d : defs_)
      if (d.returns_cond == cond) fits.push_back(&d);
    if (fits.empty()) return std::nullopt;
    const def_sig& d = *pick(fits);
    std::vector<std::string> parts = {d.name + "("};
    std::vector<gexpr> kids;
    for (std::size_t i = 0; i < d.params.size(); ++i) {
      const std::string sep = i + 1 < d.params.size() ? ", " : ")";
      if (d.params[i] == 'w') {
        parts.back() += window() + sep;
        continue;
      }
      kids.push_back(d.params[i] == 'n' ? number(depth - 1) : condition(depth - 1));
      parts.push_back(sep);
    }
    if (d.params.empty()) parts.back() += ")";
    return tree(cond, parts, kids);
  }

  gen_def make_def(int index) {
    static const std::vector<std::vector<char>> signatures = {
        {'n'}, {'n', 'w'}, {'n', 'n'}, {'c', 'n'}, {'n', 'w', 'c'}, {}};
    def_sig sig;
    sig.name = fmt::format("f{}", index);
    sig.params = pick(signatures);
    sig.returns_cond = chance(0.6);
    gen_def d;
    d.name = sig.name;
    // The body sees the parameters (and the globals); they are not visible afterwards.
    const auto nums = nums_, conds = conds_;
    const auto windows = windows_;
    for (std::size_t i = 0; i < sig.params.size(); ++i) {
      const std::string p = fmt::format("p{}", i);
      d.params.push_back(p);
      if (sig.params[i] == 'n') nums_.insert(nums_.end(), 3, p);  // prefer the parameters
      if (sig.params[i] == 'c') conds_.insert(conds_.end(), 3, p);
      if (sig.params[i] == 'w') windows_.push_back(p);
    }
    d.body = sig.returns_cond ? condition(2) : number(2);
    nums_ = nums;
    conds_ = conds;
    windows_ = windows;
    defs_.push_back(sig);
    return d;
  }

  std::mt19937_64& rng_;
  time_point start_ = 0, end_ = 0;
  std::vector<std::string> series_names_;  // what `watch` and alerts may name
  std::vector<std::string> nums_;          // number leaves in scope
  std::vector<std::string> conds_;         // condition leaves in scope (lets, parameters)
  std::vector<std::string> signals_;       // signals of the rules so far
  std::vector<std::string> windows_;       // window parameters in scope
  std::vector<def_sig> defs_;
};

}  // namespace

gen_program generate(std::mt19937_64& rng) { return generator(rng).program(); }

}  // namespace sluice::testing
