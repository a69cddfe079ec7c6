// The `sluice` command line tool: run, check and disassemble rule files.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <span>
#include <sstream>

#include "cli/all_time.hpp"
#include "cli/args.hpp"
#include "cli/check_data.hpp"
#include "cli/coverage_report.hpp"
#include "cli/data_listing.hpp"
#include "cli/explain.hpp"
#include "cli/fetch/fetch_command.hpp"
#include "cli/output.hpp"
#include "cli/repl.hpp"
#include "cli/report/report_command.hpp"
#include "cli/watch/watch.hpp"
#include "grammar/parser.hpp"
#include "interpreter/ascii.hpp"
#include "interpreter/compile/compiler.hpp"
#include "interpreter/data/catalog.hpp"
#include "interpreter/data/csv_dates.hpp"
#include "interpreter/run/parallel_run.hpp"
#include "interpreter/run/run.hpp"
#include "interpreter/stats/forward_returns.hpp"

namespace sluice {
namespace {

bool color_on(int fd) { return isatty(fd) && std::getenv("NO_COLOR") == nullptr; }

void print_diagnostics(const diagnostics& diags, const std::string& source) {
  const bool color = color_on(2);
  for (const diagnostic& d : diags.items()) fmt::print(stderr, "{}", render(d, source, color));
}

// Diagnostics that may point into any module of the program (a `use`d file included).
void print_diagnostics_of(const diagnostics& diags, const program& p, const std::string& source) {
  const bool color = color_on(2);
  for (const diagnostic& d : diags.items()) {
    const std::string* text = &source;
    for (const auto& m : p.modules)
      if (m && d.has_pos && m->source_name == d.file) {
        text = &m->source;
        break;
      }
    fmt::print(stderr, "{}", render(d, *text, color));
  }
}

// A file stem as a series name: lower case, other characters than letters, digits and
// `_` become `_` (`^RUT.csv` -> `_rut`).
std::string series_name_from_stem(std::string stem) {
  for (char& c : stem) {
    c = sluice::lower(c);
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  }
  return stem;
}

// Host series from --data and --series. An explicit --series NAME=PATH wins over a --data
// file of the same name whatever the order of the options: the user named that file for
// that series. Two --data folders with the same file stem: the first folder's file is used.
// Where each host series' lag came from ("catalogue fred:WTREGEN", "--lag"), by name, for
// the load summary; a lag the rules set is told apart by its differing from the host's.
std::map<std::string, std::string> lag_sources;

bool collect_host_series(const cli_args& args, std::vector<host_series>& out) {
  auto index_of = [&](const std::string& name) -> std::size_t {
    for (std::size_t i = 0; i < out.size(); ++i)
      if (out[i].name == name) return i;
    return out.size();
  };
  for (const std::string& dir : args.data_dirs) {
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec);
    if (ec) {
      fmt::print(stderr, "sluice: cannot read data folder '{}': {}\n", dir, ec.message());
      return false;
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : it) {
      const std::string ext = sluice::lower(entry.path().extension().string());
      if (entry.is_regular_file() && ext == ".csv") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      const std::string name = series_name_from_stem(f.stem().string());
      if (index_of(name) != out.size()) continue;
      out.push_back({name, f.string(), ""});
      // A series the catalogue knows by this name or stem is read with its publication
      // lag (docs/data.md): `set lag NAME 0d` or `--lag NAME=0d` overrides it.
      if (const catalog_entry* e = find_catalog_entry(name); e && e->publication_lag.count != 0) {
        out.back().lag = e->publication_lag;
        lag_sources[name] = fmt::format("catalogue {}", e->source);
      }
    }
  }
  for (const auto& [given, path] : args.series) {
    const std::string name = series_name_from_stem(given);
    const std::size_t at = index_of(name);
    if (at == out.size()) out.push_back({name, path, ""});
    else out[at] = {name, path, ""};
    lag_sources.erase(name);
  }
  return true;
}

// --universe NAME=DIR: each CSV of DIR becomes a host series (named by its stem, as with
// --data) and a member of universe NAME, in file-name order.
bool collect_universes(const cli_args& args, compile_options& options) {
  for (const auto& [given, dir] : args.universes) {
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec);
    if (ec) {
      fmt::print(stderr, "sluice: --universe {}: cannot read folder '{}': {}\n", given, dir,
                 ec.message());
      return false;
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : it) {
      const std::string ext = lower(entry.path().extension().string());
      if (entry.is_regular_file() && ext == ".csv") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      fmt::print(stderr, "sluice: --universe {}: no .csv files in '{}'\n", given, dir);
      return false;
    }
    host_universe u;
    u.name = series_name_from_stem(given);
    for (const auto& f : files) {
      const std::string name = series_name_from_stem(f.stem().string());
      bool known = false;
      for (const host_series& h : options.host) {
        if (h.name != name) continue;
        known = true;
        if (std::filesystem::path(h.path) != f) {
          fmt::print(stderr, "sluice: --universe {}: series '{}' is both {} and {}\n", given, name,
                     h.path, f.string());
          return false;
        }
      }
      if (!known) options.host.push_back({name, f.string(), ""});
      u.members.push_back(name);
    }
    options.universes.push_back(std::move(u));
  }
  return true;
}

std::optional<time_point> date_arg(const std::optional<std::string>& text, const char* flag, bool& ok) {
  if (!text) return std::nullopt;
  auto t = parse_iso_date(*text);
  // The command line reads a date as the CSV loader reads a date cell (2026-1-8,
  // 2026/01/08, 01/08/2026 month first, 20260108), so a date copied from a file works.
  if (!t) t = parse_date_cell(*text, slash_order::month_first).time;
  if (!t) {
    fmt::print(stderr, "sluice: {} expects a date like 2021-01-15, found '{}'\n", flag, *text);
    ok = false;
  }
  return t;
}

// --lag NAME=DURATION on the host series of that name (a `set lag` in the rules still wins).
bool apply_lags(const cli_args& args, std::vector<host_series>& host) {
  for (const auto& [given, text] : args.lags) {
    const auto lag = parse_lag(text);
    if (!lag) {
      fmt::print(stderr, "sluice: --lag {}={}: expected a duration like 0d, 1d, 2w or 1mo\n", given, text);
      return false;
    }
    const std::string name = series_name_from_stem(given);
    bool found = false;
    for (host_series& h : host)
      if (h.name == name) {
        h.lag = *lag;
        lag_sources[name] = "--lag";
        found = true;
      }
    if (!found) {
      fmt::print(stderr, "sluice: --lag {}: no --data or --series series is named '{}'\n", given, name);
      return false;
    }
  }
  return true;
}

// The source of each input's lag for its load line: the command line's or the
// catalogue's when the run uses the host's lag, else the rules' (`set lag`, `load ... lag`).
void name_lag_sources(const program& p, const std::vector<host_series>& host,
                      std::vector<input_coverage>& inputs) {
  for (input_coverage& in : inputs) {
    const std::string& full = in.coverage.name;
    const std::string name = full.substr(0, full.find('.'));
    const series_spec* spec = nullptr;
    for (const series_spec& s : p.series)
      if (s.name == name) spec = &s;
    if (!spec || !spec->lag) continue;
    const host_series* h = nullptr;
    for (const host_series& x : host)
      if (x.name == name && x.path == spec->path) h = &x;
    if (h && h->lag == spec->lag) {
      if (auto found = lag_sources.find(name); found != lag_sources.end())
        in.coverage.lag_source = found->second;
    } else {
      in.coverage.lag_source = h ? "set lag in the rules" : "the rules, " + spec->declared_in;
    }
  }
}

std::string plural(std::size_t n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

// Writes the stats where --stats-out says, or to stdout.
bool write_stats(const cli_args& args, const std::vector<watch_stats>& stats) {
  std::string text;
  switch (args.format) {
    case output_format::table:
      text = format_stats_table(stats);
      if (const std::string per_event = format_event_returns_table(stats); !per_event.empty())
        text += "\n" + per_event;
      break;
    case output_format::jsonl: text = format_stats_jsonl(stats); break;
    case output_format::csv: text = format_stats_csv(stats); break;
  }
  if (args.stats_out.empty()) {
    fmt::print("{}{}", args.format == output_format::table ? "\n" : "", text);
    return true;
  }
  std::ofstream out(args.stats_out, std::ios::binary);
  out << text;
  if (!out) {
    fmt::print(stderr, "sluice: cannot write --stats-out '{}'\n", args.stats_out);
    return false;
  }
  return true;
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
  const auto as_of = date_arg(args.as_of, "--as-of", ok);
  compile_options options;
  if (!collect_host_series(args, options.host) || !ok) return 2;
  if (!collect_universes(args, options)) return 2;
  // The command line runs its user's own rules, and a universe multiplies them: 50 rules
  // over 5,000 symbols are 250,000 (scripts/bench --universe). The embedding API keeps the
  // default bound for untrusted text.
  options.limits.max_rules = std::max<std::size_t>(options.limits.max_rules, 2'000'000);
  if (!apply_lags(args, options.host)) return 2;
  options.base_dir = std::filesystem::path(args.file).parent_path().string();
  if (args.command == "run" && args.stats && args.format == output_format::csv && args.stats_out.empty()) {
    // One csv stream holds one table: events and stats have different columns.
    fmt::print(stderr, "sluice: --format csv --stats needs --stats-out FILE (the events go to stdout, the stats to FILE)\n");
    return 2;
  }

  diagnostics diags;
  auto program = compile_source(args.file, source, options, diags);
  print_diagnostics(diags, source);
  if (!program) return 1;
  // Every series column the rules read, looked up in its file first: an unknown column
  // or a wide file used bare is reported at the rule text that reads it.
  csv_provider data;  // each file loaded once, for the check and the run
  const unsigned threads = args.threads ? args.threads : default_threads();
  if ((args.command == "check" || args.command == "run") && has_universe(*program)) {
    // A universe's files (one per member) are loaded on all the run's threads first.
    std::vector<std::string> paths;
    for (const input_spec& in : program->inputs) paths.push_back(program->series[in.series].path);
    data.preload(paths, threads);
  }
  if (args.command == "check" || args.command == "run") {
    diagnostics data_diags;
    if (!check_inputs_against_data(*program, data, data_diags)) {
      print_diagnostics_of(data_diags, *program, source);
      return 1;
    }
  }
  if (args.command == "check") {
    if (!args.quiet) fmt::print(stderr, "{}: {} rules, no errors\n", args.file, program->rules.size());
    return 0;
  }
  if (args.command == "report") return report_command(args, source, *program);
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
    return explain_command(args.file, source, *program, data, args.rule, at, args.exact);
  }

  // Evaluation runs over all the data (cut only by --as-of): --from/--to choose which
  // events are reported and counted, so warm-up, cooldowns and signals are those of the
  // full run, and forward returns read the data after --to (docs/semantics.md).
  run_options run;
  run.to = as_of;
  run.keep_watched = args.stats;
  run.exact = args.exact;
  diagnostics run_diags;
  // A universe program runs member by member on --threads workers (default: all cores),
  // with the same events as one VM over the whole program (interpreter/run/parallel_run.hpp).
  // The inputs' coverage is read from the loaded files before the run: a universe run
  // frees the files' observations once its inputs are aligned (hundreds of MB at
  // thousands of members), keeping what the load reports print.
  auto inputs = coverage_of_inputs(*program, data);
  if (has_universe(*program)) data.keep_only_reports_after_fetch();
  run_result result = has_universe(*program) ? run_parallel(*program, data, run, threads, run_diags)
                                             : run_batch(*program, data, run, run_diags);
  for (const csv_table* t : data.tables()) {
    const bool problems = !t->rejected.empty() || !t->notes.empty();
    if (problems || !args.quiet) fmt::print(stderr, "{}", format_load_report(*t));
  }
  print_diagnostics(run_diags, source);
  if (!result.ok) return 1;
  name_lag_sources(*program, options.host, inputs);
  if (!args.quiet)
    for (const input_coverage& c : inputs) fmt::print(stderr, "  {}\n", format_coverage(c.coverage));
  std::vector<std::string> warnings;
  if (result.timeline_points) warnings = coverage_warnings(inputs, result.first, result.last);
  for (const std::string& w : warnings) fmt::print(stderr, "warning: {}\n", w);

  // The events --from/--to report: a run lists events in time order, so they are one
  // range of the run's events, not a copy of them (a universe run has millions).
  const std::vector<event>& all = result.events;
  auto first = all.begin();
  auto last = all.end();
  if (from)
    first = std::partition_point(all.begin(), all.end(),
                                 [&](const event& e) { return e.time < *from; });
  if (to)
    last = std::partition_point(first, all.end(), [&](const event& e) { return e.time <= *to; });
  const std::span<const event> reported(first, last);
  if (!args.quiet) {
    std::string range;
    if (from || to)
      range = fmt::format(", reported {} .. {}", from ? format_time(*from) : "start", to ? format_time(*to) : "end");
    fmt::print(stderr, "timeline: {} .. {} ({} points){}, {}\n",
               result.timeline_points ? format_time(result.first) : "-",
               result.timeline_points ? format_time(result.last) : "-", result.timeline_points, range,
               plural(reported.size(), "event"));
  }
  // Warned on the whole run's events: a spurious early "all-time" high also starts a
  // cooldown that hides later events, whatever --from reports.
  for (const std::string& w : all_time_warnings(*program, result.events, inputs))
    fmt::print(stderr, "warning: {}\n", w);
  if (reported.empty() && !warnings.empty())
    fmt::print(stderr, "no events, and the data may be why: see the {} above\n",
               plural(warnings.size(), "coverage warning"));
  std::vector<std::string> names;  // csv: every rule's value names, fired or not
  if (args.format == output_format::csv)
    for (const compiled_rule& rule : program->rules)
      for (const std::string& n : rule.value_names)
        if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  if (!write_events(stdout, reported, args.format, color_on(1), std::move(names), threads)) {
    fmt::print(stderr, "sluice: cannot write the events to stdout\n");
    return 1;
  }
  if (args.stats) {
    std::vector<duration> horizons = program->horizons;
    if (horizons.empty())
      horizons = {{duration::unit::days, 30}, {duration::unit::days, 60}, {duration::unit::days, 90}};
    const auto stats = compute_stats(*program, result, horizons, stats_range{from, to});
    for (const std::string& w : basket_warnings(result)) fmt::print(stderr, "warning: {}\n", w);
    if (!write_stats(args, stats)) return 1;
  }
  return 0;
}

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  using namespace sluice;
  if (argc > 1 && std::string_view(argv[1]) == "watch") return watch::watch_main(argc, argv);  // own options
  // `sluice data DIR...` lists a folder's series (cli/data_listing.cpp).
  if (argc > 1 && std::string_view(argv[1]) == "data")
    return data_command(std::vector<std::string>(argv + 2, argv + argc));
  // `sluice fetch` has its own options (cli/fetch/fetch_command.cpp).
  if (argc > 1 && std::string_view(argv[1]) == "fetch")
    return fetch::fetch_main(std::vector<std::string>(argv + 2, argv + argc));
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
