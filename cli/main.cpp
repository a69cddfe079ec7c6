// The `sluice` command line tool: run, check and disassemble rule files.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/args.hpp"
#include "cli/output.hpp"
#include "cli/explain.hpp"
#include "cli/repl.hpp"
#include "grammar/parser.hpp"
#include "interpreter/compile/compiler.hpp"
#include "interpreter/run/run.hpp"
#include "interpreter/stats/forward_returns.hpp"

namespace sluice {
namespace {

bool color_on(int fd) { return isatty(fd) && std::getenv("NO_COLOR") == nullptr; }

void print_diagnostics(const diagnostics& diags, const std::string& source) {
  const bool color = color_on(2);
  for (const diagnostic& d : diags.items()) fmt::print(stderr, "{}", render(d, source, color));
}

// A file stem as a series name: lower case, other characters than letters, digits and
// `_` become `_` (`^RUT.csv` -> `_rut`).
std::string series_name_from_stem(std::string stem) {
  for (char& c : stem) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  }
  return stem;
}

// Host series from --data and --series (a later --series overrides a --data file).
bool collect_host_series(const cli_args& args, std::vector<host_series>& out) {
  for (const std::string& dir : args.data_dirs) {
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec);
    if (ec) {
      fmt::print(stderr, "sluice: cannot read data folder '{}': {}\n", dir, ec.message());
      return false;
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : it) {
      std::string ext = entry.path().extension().string();
      std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
      if (entry.is_regular_file() && ext == ".csv") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) out.push_back({series_name_from_stem(f.stem().string()), f.string(), ""});
  }
  for (const auto& [name, path] : args.series) out.push_back({series_name_from_stem(name), path, ""});
  return true;
}

std::optional<time_point> date_arg(const std::optional<std::string>& text, const char* flag, bool& ok) {
  if (!text) return std::nullopt;
  auto t = parse_iso_date(*text);
  if (!t) {
    fmt::print(stderr, "sluice: {} expects a date like 2021-01-15, found '{}'\n", flag, *text);
    ok = false;
  }
  return t;
}

int run_command(const cli_args& args) {
  std::ifstream in(args.file, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "sluice: cannot read '{}'\n", args.file);
    return 2;
  }
  std::ostringstream text;
  text << in.rdbuf();
  const std::string source = text.str();

  bool ok = true;
  const auto from = date_arg(args.from, "--from", ok);
  const auto to = date_arg(args.to, "--to", ok);
  compile_options options;
  if (!collect_host_series(args, options.host) || !ok) return 2;
  options.base_dir = std::filesystem::path(args.file).parent_path().string();

  diagnostics diags;
  auto program = compile_source(args.file, source, options, diags);
  print_diagnostics(diags, source);
  if (!program) return 1;
  if (args.command == "check") {
    if (!args.quiet) fmt::print(stderr, "{}: {} rules, no errors\n", args.file, program->rules.size());
    return 0;
  }
  if (args.command == "disasm") {
    fmt::print("{}", disassemble(*program));
    return 0;
  }
  if (args.command == "explain") {
    if (args.rule.empty()) {
      fmt::print(stderr, "sluice: explain needs --rule NAME\n");
      return 2;
    }
    const auto at = date_arg(args.at, "--at", ok);
    if (!ok) return 2;
    csv_provider data;
    return explain_command(args.file, source, *program, data, args.rule, at, args.exact);
  }

  csv_provider data;
  run_options run;
  run.from = from;
  run.to = to;
  run.keep_watched = args.stats;
  run.exact = args.exact;
  diagnostics run_diags;
  run_result result = run_batch(*program, data, run, run_diags);
  for (const csv_table* t : data.tables()) {
    const bool problems = !t->rejected.empty() || !t->notes.empty();
    if (problems || !args.quiet) fmt::print(stderr, "{}", format_load_report(*t));
  }
  print_diagnostics(run_diags, source);
  if (!result.ok) return 1;
  if (!args.quiet)
    fmt::print(stderr, "timeline: {} .. {} ({} points), {} events\n",
               result.timeline_points ? format_time(result.first) : "-",
               result.timeline_points ? format_time(result.last) : "-", result.timeline_points,
               result.events.size());
  switch (args.format) {
    case output_format::table: fmt::print("{}", format_events_table(result.events, color_on(1))); break;
    case output_format::jsonl: fmt::print("{}", format_events_jsonl(result.events)); break;
    case output_format::csv: fmt::print("{}", format_events_csv(result.events)); break;
  }
  if (args.stats) {
    std::vector<duration> horizons = program->horizons;
    if (horizons.empty())
      horizons = {{duration::unit::days, 30}, {duration::unit::days, 60}, {duration::unit::days, 90}};
    const auto stats = compute_stats(*program, result, horizons);
    switch (args.format) {
      case output_format::table: fmt::print("\n{}", format_stats_table(stats)); break;
      case output_format::jsonl: fmt::print("{}", format_stats_jsonl(stats)); break;
      case output_format::csv: fmt::print("\n{}", format_stats_csv(stats)); break;
    }
  }
  return 0;
}

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  using namespace sluice;
  const cli_args args = parse_args(argc, argv);
  if (args.command == "help") {
    fmt::print("{}", usage_text());
    return 0;
  }
  if (args.command == "version") {
    fmt::print("sluice {}\n", SLUICE_VERSION_STRING);
    return 0;
  }
  if (!args.error.empty()) {
    fmt::print(stderr, "sluice: {}\n\n{}", args.error, usage_text());
    return 2;
  }
  if (args.command == "repl") {
    std::vector<host_series> host;
    if (!collect_host_series(args, host)) return 2;
    return repl_command(args.files, std::move(host), args.exact);
  }
  return run_command(args);
}
