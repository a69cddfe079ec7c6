// Series coverage lines (see coverage.hpp).
#include "interpreter/data/coverage.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sluice {

std::string frequency_of(const std::vector<time_point>& times) {
  if (times.size() < 2) return times.empty() ? "no observations" : "single observation";
  std::vector<time_point> gaps;
  gaps.reserve(times.size() - 1);
  for (std::size_t i = 1; i < times.size(); ++i) gaps.push_back(times[i] - times[i - 1]);
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2), gaps.end());
  const time_point median = gaps[gaps.size() / 2];
  if (median < ms_per_day) return "intraday";
  const std::int64_t days = (median + ms_per_day / 2) / ms_per_day;
  // Business-day series have a median gap of one day (weekends are the minority of gaps).
  if (days == 1) return "daily";
  if (days == 7) return "weekly";
  if (days >= 28 && days <= 31) return "monthly";
  if (days >= 89 && days <= 92) return "quarterly";
  if (days >= 365 && days <= 366) return "yearly";
  return fmt::format("every {} days", days);
}

series_coverage coverage_of(std::string name, std::string path, std::string column,
                            const std::vector<time_point>& times) {
  series_coverage c;
  c.name = std::move(name);
  c.path = std::move(path);
  c.column = std::move(column);
  c.count = times.size();
  if (!times.empty()) {
    c.first = times.front();
    c.last = times.back();
  }
  c.frequency = frequency_of(times);
  return c;
}

namespace {
std::string thousands(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}
}  // namespace

std::string format_coverage(const series_coverage& c) {
  std::string out = fmt::format("{} <- {}", c.name, c.path);
  if (!c.column.empty()) out += fmt::format(" ({})", c.column);
  if (c.count == 0) return out + ": no observations";
  out += fmt::format(": {} .. {}, {}, {} observation{}", format_time(c.first), format_time(c.last),
                     c.frequency, thousands(c.count), c.count == 1 ? "" : "s");
  const std::string source = c.lag_source.empty() ? "" : " (" + c.lag_source + ")";
  if (c.lag && c.lag->count != 0)
    out += fmt::format(", published {} later{}", format_duration(*c.lag), source);
  else if (c.lag && !source.empty())
    out += fmt::format(", no publication lag{}", source);
  return out;
}

std::string years_between(time_point a, time_point b) {
  const double years = static_cast<double>(b > a ? b - a : a - b) / (365.25 * ms_per_day);
  if (years < 1) {
    const auto days = (b > a ? b - a : a - b) / ms_per_day;
    return fmt::format("{} day{}", days, days == 1 ? "" : "s");
  }
  return fmt::format("{:.1f} years", years);
}

}  // namespace sluice
