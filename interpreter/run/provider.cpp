// Series providers (see provider.hpp): the CSV provider loads each file once.
#include "interpreter/run/provider.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <thread>
#include <unordered_set>

#include "interpreter/ascii.hpp"
#include "interpreter/data/file_sandbox.hpp"

namespace sluice {

namespace {

void report(diagnostics& diags, const series_spec& spec, std::string message,
            std::string note = {}) {
  diagnostic d;
  d.file = spec.path.empty() ? spec.name : spec.path;
  d.has_pos = false;
  d.message = std::move(message);
  d.note = std::move(note);
  diags.add(std::move(d));
}

// A file's value columns for a message: all of them when few, else the first ten and how
// many there are (a wide file has dozens; the did-you-mean note names the likely one).
std::string columns_text(const std::vector<std::string>& columns) {
  if (columns.size() <= 12) return fmt::format("{}", fmt::join(columns, ", "));
  return fmt::format("{}, ... ({} in all)",
                     fmt::join(columns.begin(), columns.begin() + 10, ", "), columns.size());
}

}  // namespace

bool series_provider::fetch_text(const series_spec& spec, const std::string& field,
                                 text_observations& out, diagnostics& diags) {
  observations obs;
  if (!fetch(spec, field, obs, diags)) return false;
  out.times = std::move(obs.times);
  out.values.clear();
  out.values.reserve(obs.values.size());
  for (double v : obs.values) out.values.push_back(fmt::format("{}", v));  // shortest round trip
  return true;
}

bool csv_provider::fetch(const series_spec& spec, const std::string& field, observations& out,
                         diagnostics& diags) {
  int column = -1;
  const csv_table* table = locate(spec, field, column, diags);
  if (!table) return false;
  defined_cells(*table, column, out.times, out.values);
  return true;
}

bool csv_provider::fetch_text(const series_spec& spec, const std::string& field,
                              text_observations& out, diagnostics& diags) {
  int column = -1;
  const csv_table* table = locate(spec, field, column, diags);
  if (!table) return false;
  auto text = load_column_text(spec.path, *table, column);
  if (!text) {
    report(diags, spec, fmt::format("{} changed while it was read; run again", spec.path));
    return false;
  }
  out.times.clear();
  out.values.clear();
  for (std::size_t r = 0; r < table->times.size(); ++r) {
    if ((*text)[r].empty()) continue;  // missing cell
    out.times.push_back(table->times[r]);
    out.values.push_back(std::move((*text)[r]));
  }
  return true;
}

void csv_provider::fetched_all() {
  if (!keep_only_reports_) return;
  released_ = true;
  for (auto& [path, table] : tables_) {
    std::vector<time_point>().swap(table.times);
    std::vector<std::vector<double>>().swap(table.cells);
    std::vector<std::uint32_t>().swap(table.lines);
  }
}

void csv_provider::preload(const std::vector<std::string>& paths, unsigned threads) {
  if (!root_.empty()) return;
  std::vector<std::string> wanted;
  std::unordered_set<std::string> seen;
  for (const std::string& path : paths)
    if (!path.empty() && !tables_.count(path) && !failures_.count(path) && seen.insert(path).second)
      wanted.push_back(path);
  std::vector<csv_result> loaded(wanted.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < wanted.size(); i = next++)
      loaded[i] = load_csv_file(wanted[i]);
  };
  {
    std::vector<std::jthread> workers;
    for (unsigned t = 1; t < std::min<std::size_t>(threads, wanted.size()); ++t)
      workers.emplace_back(work);
    work();
  }  // the workers join here
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (!loaded[i].table) continue;  // locate loads it again and reports the failure
    auto found = tables_.emplace(wanted[i], std::move(*loaded[i].table)).first;
    order_.push_back(&found->second);
  }
}

const csv_table* csv_provider::locate(const series_spec& spec, const std::string& field,
                                      int& column, diagnostics& diags) {
  auto fail = [&](std::string message, std::string note = {}) -> const csv_table* {
    report(diags, spec, std::move(message), std::move(note));
    return nullptr;
  };
  if (spec.path.empty()) return fail(fmt::format("no data for series '{}'", spec.name));
  // A fetch after the observations were freed would see an empty series: a bug in the
  // caller, said so rather than answered with nothing.
  if (released_)
    return fail(
        fmt::format("internal error: {} was read after the run released its data", spec.path));
  if (failures_.count(spec.path)) return nullptr;  // reported once already
  auto found = tables_.find(spec.path);
  if (found == tables_.end()) {
    // Confined: checked again as it is read (the file may have changed since the compile).
    if (const std::string problem = sandbox_problem(root_, spec.path); !problem.empty()) {
      failures_[spec.path] = {problem, 0};
      return fail(fmt::format("'{}' is {}", spec.path, problem));
    }
    csv_result r = load_csv_file(spec.path);
    if (!r.table) {
      failures_[spec.path] = r.failure;
      // A file named by a `load` statement: say which one (declared_in is "rules.sluice:3").
      const std::string where = spec.declared_in.empty() || spec.declared_in == "host" ||
                                        spec.declared_in == spec.path
                                    ? std::string()
                                    : fmt::format("loaded at {}", spec.declared_in);
      // A confined read never shows what the file holds (the loader quotes cells and
      // headers): the rule author may be probing files that are not theirs.
      if (!root_.empty() && !r.failure.message.starts_with("cannot open"))
        return fail(fmt::format("'{}' is not a CSV file of dates and values{}", spec.path,
                                r.failure.line > 0 ? fmt::format(" (line {})", r.failure.line)
                                                   : std::string()),
                    "its content is not shown: files read by rule text stay private");
      if (r.failure.line > 0)
        return fail(fmt::format("line {}: {}", r.failure.line, r.failure.message), where);
      return fail(r.failure.message, where);
    }
    found = tables_.emplace(spec.path, std::move(*r.table)).first;
    order_.push_back(&found->second);
  }
  const csv_table& table = found->second;
  const std::string& wanted = field.empty() ? spec.column : field;
  column = wanted.empty() ? table.default_column : find_column(table, wanted);
  if (column < 0) {
    if (!root_.empty())  // the column names are the file's content
      return fail(wanted.empty()
                      ? fmt::format("{} has several value columns; say which one", spec.path)
                      : fmt::format("{} has no column '{}'", spec.path, wanted));
    if (wanted.empty())
      return fail(fmt::format("{} has {} value columns ({}); say which one", spec.path,
                              table.columns.size(), columns_text(table.columns)),
                  fmt::format("use {}.{} or load {} from \"{}\" column \"{}\"", spec.name,
                              table.columns.empty() ? "close" : table.columns[0], spec.name,
                              spec.path, table.columns.empty() ? "Close" : table.columns[0]));
    // Columns are matched ignoring case (find_column), so the suggestion is too.
    std::vector<std::string> lowered;
    for (const std::string& c : table.columns) lowered.push_back(lower(c));
    const std::string wanted_lower = lower(wanted);
    std::string near = did_you_mean(wanted_lower, lowered);
    for (std::size_t c = 0; c < lowered.size() && !near.empty(); ++c)
      if (lowered[c] == near) near = table.columns[c];
    return fail(fmt::format("{} has no column '{}'; its columns are {}", spec.path, wanted,
                            columns_text(table.columns)),
                near.empty() ? "" : fmt::format("did you mean '{}'?", near));
  }
  return &table;
}

}  // namespace sluice
