// `sluice explain` (see explain.hpp): prints interpreter/reference/explain's text.
#include "cli/explain.hpp"

#include <fmt/format.h>

#include <string_view>

#include "interpreter/reference/explain.hpp"

namespace sluice {

int explain_command(const std::string& file, const std::string& /*source*/, const program& p,
                    series_provider& data, const std::string& rule, std::optional<time_point> at,
                    bool exact) {
  const explanation e = explain_rule(file, p, data, rule, at, exact);
  fmt::print("{}", e.text);
  std::string_view errors = e.error;
  while (!errors.empty()) {
    const auto end = errors.find('\n');
    fmt::print(stderr, "sluice: {}\n", errors.substr(0, end));
    errors.remove_prefix(end == std::string_view::npos ? errors.size() : end + 1);
  }
  return e.status;
}

}  // namespace sluice
