// Parsing `sluice watch`'s command line (see options.hpp).
#include "cli/watch/options.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

#include "cli/args.hpp"
#include "interpreter/data/csv_dates.hpp"

namespace sluice::watch {

std::string usage() {
  return R"(usage: sluice watch FILE [options]

Loads the history, evaluates it silently, then evaluates each new point once every series
the rules read is complete through it, and sends each new firing once (docs/watch.md).

inputs:
  --data DIR            every CSV in DIR becomes a series named by its file stem
  --series NAME=PATH    one CSV file as series NAME (repeatable)
  --lag NAME=DURATION   publication lag of a series (0d, 1d, 2w, 1mo), replacing the
                        catalogue's default for catalogued --data series, as in `sluice run`
  stdin                 NDJSON: {"series":"russell","time":"2026-01-08","value":2603.91}
                        and clock lines {"clock":"2026-01-08"} (all data through then is in)
  --follow              also read the series files as they change: appended rows are new
                        observations; a file rewritten or cut short is read again and
                        changed past values are reported as revisions (checked every second,
                        or --every D)
  --poll CMD            run CMD (sh -c; its output goes to stderr) at start and every D
                        (--every, default 1h), then read the files as --follow does
completeness:
  --grace D             wait D after a point (instead of each series' usual spacing plus
                        its publication lag) before a silent series counts as complete
  --now TIME            a fixed wall clock (tests); also SLUICE_WATCH_NOW
state:
  --state FILE          restart-safe state (FILE and FILE.journal)
  --replay-from DATE    on first start, send the past firings from DATE on
sinks (several at once):
  --format F            stdout as jsonl (default), table or none
  --webhook URL         POST each event as JSON (Idempotency-Key: the event id)
  --template TEXT       POST TEXT instead, with {id} {rule} {date} {message} {json} replaced
  --timeout S           per-request timeout in seconds (default 5)
  --retries N           failed tries in a row before a sink is reported down (default 5);
                        it is still retried, its events wait in the outbox
  --max-backoff S       the longest wait between tries of a failing sink (default 60)
  --drain S             at end of input, keep retrying undelivered events for S seconds
                        (default 10); what is left stays in the --state outbox
  --exec CMD            run CMD per event: the event JSON on stdin, SLUICE_EVENT_* variables
other:
  --exact               decimal arithmetic (values read exactly)
  --quiet               no summary lines on stderr
  D: 90s, 15m, 1h, 2d, 1w
)";
}

std::optional<std::int64_t> parse_span(std::string_view text) {
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || n < 0 || end == text.data()) return std::nullopt;
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  if (unit == "s") return n;
  if (unit == "m") return n * 60;
  if (unit == "h") return n * 3600;
  constexpr std::int64_t seconds_per_day = ms_per_day / ms_per_second;
  if (unit == "d") return n * seconds_per_day;
  if (unit == "w") return n * 7 * seconds_per_day;
  return std::nullopt;
}

std::optional<std::int64_t> parse_time(std::string_view text) {
  // ISO only: the NDJSON producer writes machine dates, so no slash formats are guessed.
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  // A plain date, the usual case, through the CSV loader's fast reader (same time as
  // parse_date_cell for every valid one); date-times, zones and errors through the full one.
  static thread_local iso_day_reader days;
  if (const auto t = days.read(text)) return *t;
  return parse_date_cell(text, slash_order::month_first).time;
}

options parse_options(int argc, char** argv) {
  options o;
  std::vector<std::string> args(argv + 2, argv + argc);
  std::size_t i = 0;
  auto value = [&](const std::string& flag) -> std::optional<std::string> {
    if (i + 1 >= args.size()) {
      o.error = fmt::format("{} needs a value", flag);
      return std::nullopt;
    }
    return args[++i];
  };
  auto span = [&](const std::string& flag) -> std::optional<std::int64_t> {
    auto v = value(flag);
    if (!v) return std::nullopt;
    auto s = parse_span(*v);
    if (!s) o.error = fmt::format("{} expects a duration like 90s, 15m, 1h, 2d or 1w, found '{}'", flag, *v);
    return s;
  };
  auto time = [&](const std::string& flag) -> std::optional<std::int64_t> {
    auto v = value(flag);
    if (!v) return std::nullopt;
    auto t = parse_time(*v);
    if (!t) o.error = fmt::format("{} expects a date like 2026-01-08 or 2026-01-08T14:30:00Z, found '{}'", flag, *v);
    return t;
  };
  for (; i < args.size() && o.error.empty(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      o.help = true;
      return o;
    } else if (a == "--data") {
      if (auto v = value(a)) o.data_dirs.push_back(*v);
    } else if (a == "--series") {
      if (auto v = value(a)) {
        const auto eq = v->find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == v->size())
          o.error = fmt::format("--series expects NAME=PATH, found '{}'", *v);
        else
          o.series.emplace_back(v->substr(0, eq), v->substr(eq + 1));
      }
    } else if (a == "--lag") {
      if (auto v = value(a)) {
        const auto eq = v->find('=');
        if (eq == std::string::npos || eq == 0 || !parse_lag(v->substr(eq + 1)))
          o.error =
              fmt::format("--lag expects NAME=DURATION like tga=1d or tga=0d, found '{}'", *v);
        else
          o.lags.emplace_back(v->substr(0, eq), v->substr(eq + 1));
      }
    } else if (a == "--follow") {
      o.follow = true;
    } else if (a == "--poll") {
      if (auto v = value(a)) o.poll_command = *v;
    } else if (a == "--every") {
      o.every_seconds = span(a);
      if (o.every_seconds && *o.every_seconds == 0) o.error = "--every must be longer than 0s";
    } else if (a == "--exact") {
      o.exact = true;
    } else if (a == "--format") {
      if (auto v = value(a)) {
        if (*v == "jsonl") o.format = stdout_format::jsonl;
        else if (*v == "table") o.format = stdout_format::table;
        else if (*v == "none") o.format = stdout_format::none;
        else o.error = fmt::format("unknown format '{}': use jsonl, table or none", *v);
      }
    } else if (a == "--grace") {
      o.grace_seconds = span(a);
    } else if (a == "--now") {
      o.now = time(a);
    } else if (a == "--state") {
      if (auto v = value(a)) o.state_file = *v;
    } else if (a == "--replay-from") {
      o.replay_from = time(a);
    } else if (a == "--webhook") {
      if (auto v = value(a)) o.webhooks.push_back(*v);
    } else if (a == "--template") {
      if (auto v = value(a)) o.webhook_template = *v;
    } else if (a == "--timeout") {
      if (auto v = value(a)) {
        char* end = nullptr;
        o.webhook_timeout = std::strtod(v->c_str(), &end);
        if (end == v->c_str() || *end != '\0' || !(o.webhook_timeout > 0))
          o.error = fmt::format("--timeout expects seconds, found '{}'", *v);
      }
    } else if (a == "--max-backoff" || a == "--drain") {
      if (auto v = value(a)) {
        char* end = nullptr;
        const double s = std::strtod(v->c_str(), &end);
        if (end == v->c_str() || *end != '\0' || !(s >= 0) || s > ms_per_day / ms_per_second)
          o.error = fmt::format("{} expects seconds, found '{}'", a, *v);
        (a == "--drain" ? o.drain : o.max_backoff) = s;
      }
    } else if (a == "--retries") {
      if (auto v = value(a)) {
        const auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), o.retries);
        if (ec != std::errc() || p != v->data() + v->size() || o.retries < 0)
          o.error = fmt::format("--retries expects a count, found '{}'", *v);
      }
    } else if (a == "--exec") {
      if (auto v = value(a)) o.execs.push_back(*v);
    } else if (a == "--quiet" || a == "-q") {
      o.quiet = true;
    } else if (!a.empty() && a[0] == '-') {
      o.error = fmt::format("unknown option '{}'", a);
    } else if (o.file.empty()) {
      o.file = a;
    } else {
      o.error = fmt::format("unexpected argument '{}'", a);
    }
  }
  if (o.error.empty() && o.file.empty()) o.error = "watch needs a rule file";
  if (o.error.empty() && o.every_seconds && !o.follow && o.poll_command.empty())
    o.error = "--every goes with --follow or --poll";
  if (o.error.empty() && !o.now) {
    if (const char* env = std::getenv("SLUICE_WATCH_NOW"); env && *env) {
      o.now = parse_time(env);
      if (!o.now) o.error = fmt::format("SLUICE_WATCH_NOW is not a date or time: '{}'", env);
    }
  }
  return o;
}

}  // namespace sluice::watch
