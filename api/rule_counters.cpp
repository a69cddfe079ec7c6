// Per-rule counters of the embedding API (run_result and session_counters): the VM's
// per-rule times and a batch run's firings, named by rule.
#define SLUICE_BUILDING_LIBRARY
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "api/api_internal.hpp"

namespace sluice::api::detail {

void count_rules(const sluice::program& p, const sluice::run_result& r, api::run_result& out) {
  out.firings.clear();
  out.firings.reserve(p.rules.size());
  for (const compiled_rule& rule : p.rules) out.firings.emplace_back(rule.name, 0);
  for (const sluice::event& e : r.events)
    if (e.rule < out.firings.size()) ++out.firings[e.rule].second;
  out.rule_evaluation_time = name_rule_times(out.firings, r.rule_nanoseconds);
}

std::vector<std::pair<std::string, std::chrono::nanoseconds>> name_rule_times(
    const std::vector<std::pair<std::string, std::size_t>>& rules,
    const std::vector<std::int64_t>& nanoseconds) {
  std::vector<std::pair<std::string, std::chrono::nanoseconds>> named;
  if (nanoseconds.empty()) return named;  // not timed
  named.reserve(rules.size());
  for (std::size_t r = 0; r < rules.size(); ++r)
    named.emplace_back(rules[r].first,
                       std::chrono::nanoseconds{r < nanoseconds.size() ? nanoseconds[r] : 0});
  return named;
}

}  // namespace sluice::api::detail
