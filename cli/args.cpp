// Parsing the `sluice` command line (see args.hpp).
#include "cli/args.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string_view>
#include <vector>

#include "interpreter/diagnostics.hpp"

namespace sluice {

std::string usage_text() {
  return R"(usage: sluice COMMAND [options]

commands:
  run FILE      evaluate the rules of FILE over history and print the events
  check FILE    report diagnostics only (exit status 0 clean, 1 with errors)
  disasm FILE   print the compiled bytecode, per rule, with source lines
  explain FILE --rule NAME [--at DATE] [--exact]
                why a rule fired or not on a date; without --at, every firing
  report FILE -o OUT.html [--data-block OUT.json]
                the rules, their events and forward returns as one self-contained HTML
                page with charts that opens offline (docs/report.md); takes the options
                of run
  repl [FILE...]  an interactive session: load data, evaluate expressions, draft rules
                (type :help inside; piped input runs as a script)
  watch FILE    live alerts: evaluate new observations (NDJSON on stdin) as each point
                becomes complete, send each new firing once (`sluice watch --help`)
  data DIR...   every series of a data folder as --data names them: file, column,
                first .. last, frequency, observations, catalogue lag, wide-file columns
  fetch [NAME=]SPEC... [--data DIR]
                download series (fred:ID, yahoo:SYMBOL, coingecko:ID, file:URL) into a
                data folder and its manifest (`sluice fetch --help`)

options (run, check, disasm):
  --data DIR            every CSV in DIR becomes a series named by its file stem
  --series NAME=PATH    one CSV file as series NAME (repeatable)
  --from YYYY-MM-DD     report and count events from this date (evaluation still runs over
                        all data: warm-up, cooldowns and signals are those of the full run)
  --to YYYY-MM-DD       report and count events up to this date (forward returns still read
                        the data after it)
  --as-of YYYY-MM-DD    replay what a user saw on that date: every series cut there
  --universe NAME=DIR   every CSV in DIR becomes a series named by its file stem, and
                        together the universe NAME (for each SYM in NAME ...; docs/language.md)
  --threads N           worker threads for universe programs (default: all cores); the
                        events are the same for any N (docs/performance.md, Universes)
  --lag NAME=DURATION   publication lag of a series (0d, 1d, 2w), replacing the catalogue's
                        default for catalogued series (docs/data.md); repeatable
  --format FORMAT       table (default), jsonl or csv
  --stats               forward returns of watched series after each rule's events
                        (horizons from `set horizons`, default 30d 60d 90d), per event
                        and summarised (docs/semantics.md)
  --stats-out FILE      write the stats to FILE (in --format) instead of stdout
  --exact               decimal arithmetic (34 digits) instead of binary floating point:
                        5% from 100 is exactly 105, 0.1 + 0.2 is 0.3 (docs/exact.md)
  --quiet               no data summary on stderr

  -h, --help            this text
  --version             the version

exit status: 0 success, 1 diagnostics (rule or data errors), 2 usage errors
)";
}

namespace {

// The option a mistyped one was meant to be: the only option it begins (`--form` is
// `--format`), else the closest by edit distance (`--fomrat`); "" when none is close. The
// options are the ones usage_text() lists, so a new option is suggested once documented.
std::string nearest_option(std::string_view typed) {
  std::vector<std::string> options;
  const std::string usage = usage_text();
  for (std::size_t i = usage.find("--"); i != std::string::npos; i = usage.find("--", i)) {
    std::size_t end = i + 2;
    while (end < usage.size() && ((usage[end] >= 'a' && usage[end] <= 'z') || usage[end] == '-'))
      ++end;
    if (end > i + 2 && std::find(options.begin(), options.end(), usage.substr(i, end - i)) == options.end())
      options.push_back(usage.substr(i, end - i));
    i = end;
  }
  std::string prefixed;
  for (const std::string& o : options)
    if (typed.size() >= 3 && o.size() > typed.size() && o.compare(0, typed.size(), typed) == 0)
      prefixed = prefixed.empty() ? o : "-";  // "-": more than one option starts so
  if (!prefixed.empty() && prefixed != "-") return prefixed;
  return did_you_mean(typed, options);
}

}  // namespace

cli_args parse_args(int argc, char** argv) {
  cli_args a;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    a.error = "no command given";
    return a;
  }
  std::size_t i = 0;
  if (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    a.command = "help";
    return a;
  }
  if (args[0] == "--version" || args[0] == "version") {
    a.command = "version";
    return a;
  }
  a.command = args[i++];
  if (a.command != "run" && a.command != "check" && a.command != "disasm" &&
      a.command != "repl" && a.command != "explain" && a.command != "report") {
    a.error = fmt::format("unknown command '{}'", a.command);
    return a;
  }
  auto value = [&](const std::string& flag) -> std::optional<std::string> {
    if (i + 1 >= args.size()) {
      a.error = fmt::format("{} needs a value", flag);
      return std::nullopt;
    }
    return args[++i];
  };
  for (; i < args.size() && a.error.empty(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      a.command = "help";
      return a;
    } else if (arg == "--data") {
      if (auto v = value(arg)) a.data_dirs.push_back(*v);
    } else if (arg == "--series") {
      if (auto v = value(arg)) {
        const auto eq = v->find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == v->size())
          a.error = fmt::format("--series expects NAME=PATH, found '{}'", *v);
        else
          a.series.emplace_back(v->substr(0, eq), v->substr(eq + 1));
      }
    } else if (arg == "--universe") {
      if (auto v = value(arg)) {
        const auto eq = v->find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == v->size())
          a.error = fmt::format("--universe expects NAME=DIR, like alts=data/alts, found '{}'", *v);
        else
          a.universes.emplace_back(v->substr(0, eq), v->substr(eq + 1));
      }
    } else if (arg == "--threads") {
      if (auto v = value(arg)) {
        unsigned n = 0;
        const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
        if (ec != std::errc() || end != v->data() + v->size() || n == 0 || n > 1024)
          a.error = fmt::format("--threads expects a whole number from 1 to 1024, found '{}'", *v);
        else
          a.threads = n;
      }
    } else if (arg == "--lag") {
      if (auto v = value(arg)) {
        const auto eq = v->find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == v->size())
          a.error = fmt::format("--lag expects NAME=DURATION, like tga=1d, found '{}'", *v);
        else
          a.lags.emplace_back(v->substr(0, eq), v->substr(eq + 1));
      }
    } else if (arg == "--as-of") {
      a.as_of = value(arg);
    } else if (arg == "--stats-out") {
      if (auto v = value(arg)) {
        a.stats_out = *v;
        a.stats = true;
      }
    } else if (arg == "--from") {
      a.from = value(arg);
    } else if (arg == "--to") {
      a.to = value(arg);
    } else if (arg == "--format") {
      if (auto v = value(arg)) {
        if (*v == "table") a.format = output_format::table;
        else if (*v == "jsonl") a.format = output_format::jsonl;
        else if (*v == "csv") a.format = output_format::csv;
        else a.error = fmt::format("unknown format '{}': use table, jsonl or csv", *v);
      }
    } else if (arg == "--rule") {
      if (auto v = value(arg)) a.rule = *v;
    } else if (arg == "--at") {
      a.at = value(arg);
    } else if (a.command == "report" && (arg == "-o" || arg == "--output")) {
      if (auto v = value(arg)) a.output = *v;
    } else if (a.command == "report" && arg == "--data-block") {
      a.data_block = value(arg);
    } else if (arg == "--stats") {
      a.stats = true;
    } else if (arg == "--exact") {
      a.exact = true;
    } else if (arg == "--quiet" || arg == "-q") {
      a.quiet = true;
    } else if (!arg.empty() && arg[0] == '-') {
      a.error = fmt::format("unknown option '{}'", arg);
      if (const std::string near = nearest_option(arg); !near.empty())
        a.error += fmt::format("; did you mean '{}'?", near);
    } else if (a.command == "repl") {
      a.files.push_back(arg);
    } else if (a.file.empty()) {
      a.file = arg;
    } else {
      a.error = fmt::format("unexpected argument '{}'", arg);
    }
  }
  if (a.error.empty() && a.file.empty() && a.command != "repl") a.error = fmt::format("'{}' needs a rule file", a.command);
  if (a.error.empty() && a.command == "report" && a.output.empty())
    a.error = "report needs -o FILE.html (where to write the page)";
  return a;
}

std::optional<duration> parse_lag(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 6) return std::nullopt;
  const std::int64_t n = std::stoll(text.substr(0, digits));
  const std::string unit = text.substr(digits);
  if (unit == "d") return duration{duration::unit::days, n};
  if (unit == "w") return duration{duration::unit::days, 7 * n};
  if (unit == "mo") return duration{duration::unit::months, n};
  if (unit == "y") return duration{duration::unit::months, 12 * n};
  return std::nullopt;
}

}  // namespace sluice
