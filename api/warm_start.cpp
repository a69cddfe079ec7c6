// Warm sessions (stream_options::warm_from_registered) and the naming of host-function
// failures. A warm start pushes the program's history through the session itself, so that
// what follows is the batch run's by the same construction as any session (stream == batch):
// no second evaluator, no state handed across.
#define SLUICE_BUILDING_LIBRARY
#include <algorithm>
#include <string>
#include <vector>

#include "api/api_internal.hpp"

namespace sluice::api::detail {

namespace {

// Clears session_impl::warming on the way out, also when the evaluation throws.
struct warming_flag {
  session_impl& s;
  explicit warming_flag(session_impl& session) : s(session) { s.warming = true; }
  ~warming_flag() { s.warming = false; }
  warming_flag(const warming_flag&) = delete;
  warming_flag& operator=(const warming_flag&) = delete;
};

}  // namespace

void warm_from_history(const program_impl& p, session_impl& s, bool exact) {
  memory_provider data(p.series, p.file_root);
  std::vector<std::string> pushed;  // each column once (several inputs may read one column)
  for (const input_spec& in : p.code->inputs) {
    const series_spec& spec = p.code->series[in.series];
    const std::string column = in.field.empty() ? spec.name : spec.name + "." + in.field;
    if (std::find(pushed.begin(), pushed.end(), column) != pushed.end()) continue;
    pushed.push_back(column);
    // A series without data starts empty, as a session does; a batch run would report it.
    diagnostics ignored;
    if (exact) {
      text_observations obs;
      if (!data.fetch_text(spec, in.field, obs, ignored)) continue;
      for (std::size_t i = 0; i < obs.times.size(); ++i)
        (void)s.stream->push_decimal(column, obs.times[i], obs.values[i]);
    } else {
      observations obs;
      if (!data.fetch(spec, in.field, obs, ignored)) continue;
      for (std::size_t i = 0; i < obs.times.size(); ++i)
        (void)s.stream->push(column, obs.times[i], obs.values[i]);
    }
  }
  warming_flag quiet(s);
  s.stream->finish();
}

std::vector<std::string> host_function_names(const sluice::program& p) {
  std::vector<std::string> names;
  for (const sluice::host_function& f : p.host_functions) names.push_back(f.name);
  return names;
}

std::vector<std::pair<std::string, std::size_t>> name_host_failures(
    const std::vector<std::string>& names, const std::vector<std::uint64_t>& failures) {
  std::vector<std::pair<std::string, std::size_t>> named;
  for (std::size_t f = 0; f < names.size(); ++f)
    named.emplace_back(names[f], f < failures.size() ? static_cast<std::size_t>(failures[f]) : 0);
  return named;
}

}  // namespace sluice::api::detail
