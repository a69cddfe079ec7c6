// The timeline and as-of alignment every run starts from (see alignment.hpp).
#include "interpreter/run/alignment.hpp"

#include <algorithm>
#include <functional>
#include <iterator>
#include <type_traits>

#include "interpreter/numeric/decimal.hpp"

namespace sluice {

namespace {

duration staleness_of(const std::vector<time_point>& times) {
  const std::int64_t week = 7;
  if (times.size() < 2) return {duration::unit::days, week};
  // The median gap (the element at index size/2 in sorted order). Calendars have few
  // distinct gaps (1 and 3 days for business days), so count them in a small table; only
  // irregular series fall back to nth_element over all gaps.
  const std::size_t count = times.size() - 1;
  constexpr std::size_t max_distinct = 16;
  std::pair<time_point, std::size_t> seen[max_distinct];
  std::size_t distinct = 0;
  bool few = true;
  for (std::size_t i = 1; i < times.size() && few; ++i) {
    const time_point gap = times[i] - times[i - 1];
    std::size_t k = 0;
    while (k < distinct && seen[k].first != gap) ++k;
    if (k < distinct) ++seen[k].second;
    else if (distinct < max_distinct) seen[distinct++] = {gap, 1};
    else few = false;
  }
  time_point median = 0;
  if (few) {
    std::sort(seen, seen + distinct);
    std::size_t below = 0;
    for (std::size_t k = 0; k < distinct; ++k) {
      below += seen[k].second;
      if (below > count / 2) {
        median = seen[k].first;
        break;
      }
    }
  } else {
    std::vector<time_point> gaps;
    gaps.reserve(count);
    for (std::size_t i = 1; i < times.size(); ++i) gaps.push_back(times[i] - times[i - 1]);
    std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(count / 2), gaps.end());
    median = gaps[count / 2];
  }
  const std::int64_t days = (4 * median + ms_per_day - 1) / ms_per_day;
  return {duration::unit::days, std::max(week, days)};
}

}  // namespace

duration default_staleness(const std::vector<time_point>& times) { return staleness_of(times); }

std::vector<time_point> union_of_times(const std::vector<const std::vector<time_point>*>& parts) {
  std::vector<time_point> out;
  bool sorted = true;
  for (const auto* part : parts) sorted = sorted && std::is_sorted(part->begin(), part->end());
  if (!sorted) {  // not from a loader (which sorts): the general way
    for (const auto* part : parts) out.insert(out.end(), part->begin(), part->end());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }
  // Ascending parts merge in linear time; series on one calendar (the common case) are
  // recognised by one comparison and cost no merge at all.
  std::vector<time_point> merged;
  for (const auto* part : parts) {
    if (out.empty()) {
      out.assign(part->begin(), part->end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
      continue;
    }
    if (*part == out) continue;
    merged.clear();
    merged.reserve(out.size() + part->size());
    std::set_union(out.begin(), out.end(), part->begin(), part->end(), std::back_inserter(merged));
    merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
    out.swap(merged);
  }
  return out;
}

std::vector<double> align(const observations& obs, const std::vector<time_point>& timeline,
                          duration shift, std::optional<duration> lag, duration stale) {
  return align_values(obs.times, obs.values, timeline, shift, lag, stale);
}

// One series column in the run's number type: doubles as fetched, or (exact mode) the
// decimal text parsed as decimals, never through double.
template <class Num>
bool fetch_series(series_provider& data, const series_spec& spec, const std::string& field,
                  series_values<Num>& out, diagnostics& diags) {
  if constexpr (std::is_same_v<Num, double>) {
    observations obs;
    if (!data.fetch(spec, field, obs, diags)) return false;
    out.times = std::move(obs.times);
    out.values = std::move(obs.values);
  } else {
    text_observations obs;
    if (!data.fetch_text(spec, field, obs, diags)) return false;
    for (std::size_t i = 0; i < obs.times.size(); ++i) {
      const Num v = number_traits<Num>::from_text(obs.values[i]);
      if (number_traits<Num>::is_na(v)) continue;  // not a number: no observation
      out.times.push_back(obs.times[i]);
      out.values.push_back(v);
    }
  }
  return true;
}

template bool fetch_series<double>(series_provider&, const series_spec&, const std::string&,
                                   series_values<double>&, diagnostics&);
template bool fetch_series<decimal>(series_provider&, const series_spec&, const std::string&,
                                    series_values<decimal>&, diagnostics&);

template <class Num>
bool prepare_inputs(const program& p, series_provider& data, std::optional<time_point> to,
                    run_inputs<Num>& out, diagnostics& diags) {
  // 1. The observations behind every input (each series column fetched once).
  bool ok = true;
  for (const input_spec& in : p.inputs) {
    auto key = std::make_pair(in.series, in.field);
    if (out.fetched.count(key)) continue;
    series_values<Num> obs;
    if (!fetch_series(data, p.series[in.series], in.field, obs, diags)) ok = false;
    out.fetched.emplace(key, std::move(obs));
  }
  if (!ok) return false;

  // 2. The timeline: the union of their observation dates, up to `to`.
  std::vector<const std::vector<time_point>*> all_times;
  for (const auto& [key, obs] : out.fetched) all_times.push_back(&obs.times);
  const std::vector<time_point>* same = all_times.empty() ? nullptr : all_times.front();
  for (const auto* times : all_times)
    if (same && times != same && *times != *same) same = nullptr;
  if (same && std::adjacent_find(same->begin(), same->end(), std::greater_equal<>()) != same->end())
    same = nullptr;  // not strictly ascending (not from a loader): sort it as a union
  if (same) {
    out.timeline = *same;  // every series on one calendar: it is already the union
  } else {
    out.merged_times = union_of_times(all_times);
    out.timeline = out.merged_times;
  }
  if (to) out.timeline = out.timeline.first(static_cast<std::size_t>(
              std::upper_bound(out.timeline.begin(), out.timeline.end(), *to) - out.timeline.begin()));
  const std::span<const time_point> timeline = out.timeline;

  // 3. Every input aligned as-of on the timeline. A column observed at every timeline
  //    point and read without shift or lag is its own alignment: it is used in place.
  out.aligned.reserve(p.inputs.size());  // no reallocation: columns point into it
  for (const input_spec& in : p.inputs) {
    const series_spec& spec = p.series[in.series];
    const series_values<Num>& obs = out.fetched.at({in.series, in.field});
    const bool unshifted = in.shift.count == 0 && (!spec.lag || spec.lag->count == 0);
    const bool on_timeline = same != nullptr || (obs.times.size() >= timeline.size() &&
                                      std::equal(timeline.begin(), timeline.end(), obs.times.begin()));
    if (unshifted && on_timeline) {
      out.columns.push_back(obs.values.data());
      continue;
    }
    const duration stale = spec.stale ? *spec.stale : staleness_of(obs.times);
    out.aligned.push_back(align_values(obs.times, obs.values, timeline, in.shift, spec.lag, stale));
    out.columns.push_back(out.aligned.back().data());
  }
  return true;
}

template bool prepare_inputs<double>(const program&, series_provider&, std::optional<time_point>,
                                     run_inputs<double>&, diagnostics&);
template bool prepare_inputs<decimal>(const program&, series_provider&, std::optional<time_point>,
                                      run_inputs<decimal>&, diagnostics&);

}  // namespace sluice
