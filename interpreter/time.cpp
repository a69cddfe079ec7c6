// Calendar arithmetic for Sluice's timeline (see time.hpp).
#include "interpreter/time.hpp"

#include <fmt/format.h>

#include <charconv>

namespace sluice {

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

civil_date civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : lengths[m - 1];
}

bool valid_civil(std::int64_t y, unsigned m, unsigned d) {
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

time_point shift_months(time_point t, std::int64_t months) {
  const std::int64_t days = day_number(t);
  const std::int64_t ms = t - days * ms_per_day;
  const civil_date c = civil_from_days(days);
  std::int64_t index = c.year * 12 + (c.month - 1) + months;
  const std::int64_t year = index >= 0 ? index / 12 : (index - 11) / 12;
  const auto month = static_cast<unsigned>(index - year * 12 + 1);
  const unsigned day = std::min(c.day, days_in_month(year, month));
  return days_from_civil(year, month, day) * ms_per_day + ms;
}

time_point add(time_point t, duration d) {
  switch (d.kind) {
    case duration::unit::days:
      return t + d.count * ms_per_day;
    case duration::unit::months: return shift_months(t, d.count);
    case duration::unit::bars: break;
  }
  return t;
}

std::optional<time_point> parse_iso_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t len, unsigned& out) {
    auto r = std::from_chars(s.data() + pos, s.data() + pos + len, out);
    return r.ec == std::errc() && r.ptr == s.data() + pos + len;
  };
  unsigned y = 0, m = 0, d = 0;
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return std::nullopt;
  if (!valid_civil(y, m, d)) return std::nullopt;
  return days_from_civil(y, m, d) * ms_per_day;
}

std::string format_time(time_point t) {
  const std::int64_t days = day_number(t);
  const std::int64_t ms = t - days * ms_per_day;
  const civil_date c = civil_from_days(days);
  if (ms == 0) return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
  const std::int64_t secs = ms / ms_per_second;
  std::string text = fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", c.year, c.month, c.day,
                                 secs / 3600, secs / 60 % 60);
  if (ms % (60 * ms_per_second) != 0) text += fmt::format(":{:02}", secs % 60);
  if (ms % ms_per_second != 0) text += fmt::format(".{:03}", ms % ms_per_second);
  return text;
}

std::string format_duration(duration d) {
  switch (d.kind) {
    case duration::unit::days:
      if (d.count % 7 == 0 && d.count != 0) return fmt::format("{}w", d.count / 7);
      return fmt::format("{}d", d.count);
    case duration::unit::months:
      if (d.count % 12 == 0 && d.count != 0) return fmt::format("{}y", d.count / 12);
      return fmt::format("{}mo", d.count);
    case duration::unit::bars: return fmt::format("{} bars", d.count);
  }
  return "?";
}

}  // namespace sluice
