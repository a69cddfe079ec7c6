// memory_provider (see memory_provider.hpp).
#include "interpreter/data/memory_provider.hpp"

#include <fmt/format.h>

namespace sluice {

bool memory_provider::fetch(const series_spec& spec, const std::string& field, observations& out,
                            diagnostics& diags) {
  if (!spec.path.empty()) return files_.fetch(spec, field, out, diags);
  const std::string name = field.empty() ? spec.name : spec.name + "." + field;
  if (series_) {
    auto found = series_->find(name);
    if (found != series_->end()) {
      out = *found->second;
      return true;
    }
  }
  diagnostic d;
  d.file = spec.name;
  d.has_pos = false;
  d.message = fmt::format("no data for series '{}'", name);
  d.note = "register it with engine::add_series before compiling";
  diags.add(std::move(d));
  return false;
}

}  // namespace sluice
