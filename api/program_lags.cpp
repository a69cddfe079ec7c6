// program::with_lags: a program whose series are read with other publication lags (the
// Python package's `lags=`), for one call, without compiling the rule text again.
#define SLUICE_BUILDING_LIBRARY
#include <fmt/format.h>

#include <algorithm>

#include "api/api_internal.hpp"
#include "interpreter/ascii.hpp"

namespace sluice::api {

std::optional<program> program::with_lags(const std::vector<std::pair<std::string, period>>& lags,
                                          std::string* error) const {
  // The compiled code is shared and immutable: the copy gets its own, whose series specs
  // (read by the runs and sessions when they align a series) carry the new lags.
  auto code = std::make_shared<sluice::program>(*impl_->code);
  for (const auto& [name_text, lag] : lags) {
    const std::string name = lower(name_text);
    auto spec = std::find_if(code->series.begin(), code->series.end(),
                             [&](const series_spec& s) { return s.name == name; });
    std::string problem;
    if (lag.count < 0)
      problem = fmt::format("lag of '{}': a publication lag cannot be negative", name_text);
    else if (spec == code->series.end())
      problem = fmt::format("lag of '{}': the program has no series of that name", name_text);
    if (!problem.empty()) {
      if (error) *error = std::move(problem);
      return std::nullopt;
    }
    spec->lag = detail::to_duration(lag);
  }
  auto impl = std::make_shared<detail::program_impl>(*impl_);
  impl->code = std::move(code);
  return program(std::move(impl));
}

}  // namespace sluice::api
