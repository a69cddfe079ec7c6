// Format specs of alert holes (see alert_format.hpp). Hand-parsed because the accepted set
// is small and each bad spec needs its own position and words; the digits themselves come
// from fmt.
#include "interpreter/numeric/alert_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "interpreter/number.hpp"

namespace sluice {
namespace {

constexpr std::uint32_t max_precision = 30;  // far past a double's 17 significant digits
constexpr std::uint32_t max_width = 100;     // an alert line, not a page

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads digits at spec[i...] into `out`; false when they exceed `limit`.
bool read_count(std::string_view spec, std::size_t& i, std::uint32_t limit, std::uint32_t& out) {
  out = 0;
  while (i < spec.size() && is_digit(spec[i])) {
    out = out * 10 + static_cast<std::uint32_t>(spec[i] - '0');
    if (out > limit) return false;
    ++i;
  }
  return true;
}

// Inserts ',' every three digits of the leading run of digits in `body`.
std::string group_thousands(const std::string& body) {
  std::size_t digits = 0;
  while (digits < body.size() && is_digit(body[digits])) ++digits;
  std::string out;
  for (std::size_t i = 0; i < digits; ++i) {
    if (i > 0 && (digits - i) % 3 == 0) out.push_back(',');
    out.push_back(body[i]);
  }
  return out + body.substr(digits);
}

}  // namespace

std::optional<number_format> parse_number_format(std::string_view spec, std::size_t& offset,
                                                 std::string& why) {
  number_format f;
  std::size_t i = 0;
  auto fail = [&](std::string what) -> std::optional<number_format> {
    offset = i;
    why = std::move(what);
    return std::nullopt;
  };
  if (spec.empty()) return fail("a format after ':', like .2f, +.1% or ,.0f");
  if (spec[i] == '+' || spec[i] == '-' || spec[i] == ' ') f.sign = spec[i++];
  if (!read_count(spec, i, max_width, f.width))
    return fail(fmt::format("a width of at most {}", max_width));
  if (i < spec.size() && spec[i] == ',') {
    f.thousands = true;
    ++i;
  }
  if (i < spec.size() && spec[i] == '.') {
    ++i;
    if (i == spec.size() || !is_digit(spec[i])) return fail("digits after '.' (the precision)");
    std::uint32_t p = 0;
    if (!read_count(spec, i, max_precision, p))
      return fail(fmt::format("a precision of at most {}", max_precision));
    f.precision = p;
  }
  if (i < spec.size() && (spec[i] == 'f' || spec[i] == '%' || spec[i] == 'e' || spec[i] == 'g'))
    f.type = spec[i++];
  if (i < spec.size() && ((spec[i] >= 'a' && spec[i] <= 'z') || (spec[i] >= 'A' && spec[i] <= 'Z')))
    return fail("a type f, %, e or g");
  if (i < spec.size())
    return fail("the end of the format: [sign][width][,][.precision][type]");
  if (f.thousands && (f.type == 'e' || f.type == 'g' || (f.type == 0 && f.precision)))
    return fail("no ',' with 'e' or 'g' (thousands group the digits of 'f' and '%' only)");
  return f;
}

std::string format_with(double value, const number_format& f) {
  if (!std::isfinite(value)) return format_number(value);
  const double v = f.type == '%' ? value * 100 : value;
  const double magnitude = std::fabs(v);
  std::string body;
  switch (f.type) {
    case 'f':
    case '%': body = fmt::format("{:.{}f}", magnitude, f.precision.value_or(6)); break;
    case 'e': body = fmt::format("{:.{}e}", magnitude, f.precision.value_or(6)); break;
    case 'g': body = fmt::format("{:.{}g}", magnitude, f.precision.value_or(6)); break;
    default:
      body = f.precision ? fmt::format("{:.{}g}", magnitude, std::max<std::uint32_t>(1, *f.precision))
                         : format_number(magnitude);
      break;
  }
  if (f.thousands) body = group_thousands(body);
  if (f.type == '%') body.push_back('%');
  // -0.004 at .2f prints as -0.00, as fmt and Python print it: the sign is the value's.
  const char* sign = v < 0 ? "-" : f.sign == '+' ? "+" : f.sign == ' ' ? " " : "";
  std::string out = sign + body;
  if (out.size() < f.width) out.insert(0, f.width - out.size(), ' ');
  return out;
}

}  // namespace sluice
