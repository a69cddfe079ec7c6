// Fixed in-memory data for the rule fuzz target: every host series the target declares
// gets a short daily history with gaps, so compiled programs run over real alignment,
// warm-up and na paths without touching the file system.
#pragma once
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "interpreter/compile/compiler.hpp"
#include "interpreter/run/run.hpp"

namespace sluice::fuzz {

// Raw names the prelude's aliases point at, plus the short names tests and examples use.
// Built once per process by the targets (fixed, so no per-input cost).
inline std::vector<host_series> fixed_series() {
  std::vector<host_series> host;
  for (const char* name : {"a", "b", "w", "x", "y", "btc", "eth", "alts", "rut", "gspc",
                           "wtregen", "hy_oas", "ig_oas", "walcl", "rrp", "vixcls", "dgs10",
                           "dgs2"}) {
    host_series h;
    h.name = name;  // no path: the provider below supplies the observations
    host.push_back(std::move(h));
  }
  return host;
}

// 300 days from 2020-01-01. Each series (and field) gets its own wave so crossings and
// new highs happen; every 7th point of some series is missing, and one series has a
// weekly cadence, so as-of alignment and staleness see gaps. Each (series, field) is
// computed once per process and copied from then on.
class fixed_provider : public series_provider {
 public:
  bool fetch(const series_spec& spec, const std::string& field, observations& out,
             diagnostics&) override {
    static std::map<std::string, observations> computed;
    const std::string key = spec.name + "." + field;
    auto it = computed.find(key);
    if (it == computed.end()) {
      observations made;
      make(spec, field, made);
      it = computed.emplace(key, std::move(made)).first;
    }
    out.times.insert(out.times.end(), it->second.times.begin(), it->second.times.end());
    out.values.insert(out.values.end(), it->second.values.begin(), it->second.values.end());
    return true;
  }

 private:
  static void make(const series_spec& spec, const std::string& field, observations& out) {
    unsigned seed = 0;
    for (char c : spec.name + "." + field) seed = seed * 31 + static_cast<unsigned char>(c);
    const time_point start = days_from_civil(2020, 1, 1) * ms_per_day;
    const int step = seed % 5 == 0 ? 7 : 1;
    for (int day = 0; day < 300; day += step) {
      if (seed % 3 == 0 && day % 7 == 3) continue;
      const double phase = static_cast<double>(seed % 17);
      out.times.push_back(start + day * ms_per_day);
      out.values.push_back(100 + 10 * std::sin((day + phase) / 9.0) + day * 0.05 * (seed % 4));
    }
  }
};

}  // namespace sluice::fuzz
