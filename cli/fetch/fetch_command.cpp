// The `sluice fetch` command: arguments, then per series download -> merge -> check with
// the CSV loader -> atomic replace -> manifest (see fetch_command.hpp).
#include "cli/fetch/fetch_command.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>

#include "cli/digest.hpp"
#include "cli/fetch/manifest.hpp"
#include "cli/fetch/provider.hpp"
#include "cli/fetch/series_file.hpp"
#include "cli/fetch/spec.hpp"
#include "interpreter/data/csv_loader.hpp"

namespace sluice::fetch {
namespace {

struct options {
  std::vector<series_spec> specs;
  std::string dir = "data";
  std::optional<std::string> as;
  long timeout = 60;
  int retries = 3;
  bool revise = false;
  bool quiet = false;
};

void say(const std::string& line) { fmt::print(stderr, "sluice fetch: {}\n", line); }

std::optional<long> whole_number(const std::string& text, long low, long high) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  const long v = std::stol(text);
  if (v < low || v > high) return std::nullopt;
  return v;
}

// nullopt and a message on stderr when the arguments are unusable.
std::optional<options> parse(const std::vector<std::string>& args, bool& help) {
  options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) {
        say(fmt::format("{} needs a value", a));
        return std::nullopt;
      }
      return args[++i];
    };
    if (a == "-h" || a == "--help") {
      help = true;
      return o;
    } else if (a == "--data") {
      auto v = value();
      if (!v) return std::nullopt;
      o.dir = *v;
    } else if (a == "--as") {
      auto v = value();
      if (!v) return std::nullopt;
      if (!valid_name(*v)) {
        say(fmt::format("--as '{}': a name is letters, digits, '_', '-' and '.', not starting with '.'", *v));
        return std::nullopt;
      }
      o.as = *v;
    } else if (a == "--timeout") {
      auto v = value();
      if (!v) return std::nullopt;
      auto n = whole_number(*v, 1, 3600);
      if (!n) {
        say(fmt::format("--timeout expects whole seconds from 1 to 3600, found '{}'", *v));
        return std::nullopt;
      }
      o.timeout = *n;
    } else if (a == "--retries") {
      auto v = value();
      if (!v) return std::nullopt;
      auto n = whole_number(*v, 0, 10);
      if (!n) {
        say(fmt::format("--retries expects 0 to 10, found '{}'", *v));
        return std::nullopt;
      }
      o.retries = static_cast<int>(*n);
    } else if (a == "--revise") {
      o.revise = true;
    } else if (a == "--quiet" || a == "-q") {
      o.quiet = true;
    } else if (!a.empty() && a[0] == '-') {
      say(fmt::format("unknown option '{}'", a));
      return std::nullopt;
    } else {
      // NAME=SPEC names one series of several (`alts=coingecko:ethereum`); an `=` after the
      // provider's colon belongs to the id (`yahoo:GC=F`).
      std::optional<std::string> name;
      std::string text = a;
      if (const auto eq = a.find('='); eq != std::string::npos && eq < a.find(':')) {
        name = a.substr(0, eq);
        text = a.substr(eq + 1);
        if (!valid_name(*name)) {
          say(fmt::format("'{}': a name is letters, digits, '_', '-' and '.', not starting with '.'", a));
          return std::nullopt;
        }
      }
      std::string error;
      auto spec = parse_spec(text, error);
      if (!spec) {
        say(error);
        return std::nullopt;
      }
      spec->name = std::move(name);
      o.specs.push_back(std::move(*spec));
    }
  }
  if (o.specs.empty()) {
    say("no series given: e.g. sluice fetch fred:WTREGEN yahoo:^RUT --data data");
    return std::nullopt;
  }
  if (o.as && o.specs.size() > 1) {
    say("--as names one series; give one SPEC with it, or name each as NAME=SPEC");
    return std::nullopt;
  }
  return o;
}

std::string utc_now_text(std::time_t now) {
  std::tm tm{};
  gmtime_r(&now, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

// How far before the file's last row an incremental fetch starts, so recent revisions
// are seen: three usual spacings (at least a week), or 14 days for unknown series.
time_point overlap_start(time_point last, const catalog_entry* row) {
  if (!row) return last - 14 * ms_per_day;
  duration back = row->spacing;
  back.count *= 3;
  if (back.kind == duration::unit::days && back.count < 7) back.count = 7;
  return subtract(last, back);
}

// What replacing a file: download's old file with `fresh` (its new bytes) would change:
// per value column present in both, the values that differ; the old dates the new file
// lacks; the old columns it lacks.
struct file_comparison {
  std::vector<std::pair<std::string, std::vector<revision>>> revisions;  // by column
  std::size_t dropped = 0;
  time_point first_dropped = 0;
  std::vector<std::string> missing_columns;
  std::size_t new_dates = 0;  // dates after the old file's last one
  bool wide = false;          // the old file has several value columns
};

file_comparison compare_files(const std::string& path, const std::string& fresh) {
  file_comparison c;
  const csv_result old_parse = load_csv_file(path);
  const csv_result new_parse = parse_csv(fresh, path);
  // An old file the loader cannot read has nothing to keep; the new one was checked already.
  if (!old_parse.table || !new_parse.table) return c;
  const csv_table& old_t = *old_parse.table;
  const csv_table& new_t = *new_parse.table;
  c.wide = old_t.columns.size() > 1;
  auto rows = [](const csv_table& t, const std::vector<std::string>& text) {
    std::vector<observation> out;
    for (std::size_t i = 0; i < t.times.size(); ++i) out.push_back({t.times[i], text[i]});
    return out;
  };
  for (std::size_t oc = 0; oc < old_t.columns.size(); ++oc) {
    const int nc = find_column(new_t, old_t.columns[oc]);
    if (nc < 0) {
      c.missing_columns.push_back(old_t.columns[oc]);
      continue;
    }
    const auto old_text = load_column_text(path, old_t, static_cast<int>(oc));
    const auto new_text = column_text(fresh, new_t, nc);
    if (!old_text || !new_text) continue;
    merge_result m = merge_rows(rows(old_t, *old_text), rows(new_t, *new_text), false);
    if (!m.revisions.empty()) c.revisions.emplace_back(old_t.columns[oc], std::move(m.revisions));
  }
  std::size_t j = 0;
  for (const time_point t : old_t.times) {
    while (j < new_t.times.size() && new_t.times[j] < t) ++j;
    if (j == new_t.times.size() || new_t.times[j] != t) {
      if (c.dropped++ == 0) c.first_dropped = t;
    }
  }
  for (const time_point t : new_t.times)
    if (old_t.times.empty() || t > old_t.times.back()) ++c.new_dates;
  return c;
}

std::string column_for(const series_spec& spec) {
  switch (spec.source) {
    case provider::fred: return spec.id;
    case provider::yahoo: return "close";
    case provider::coingecko: return "price";
    case provider::file: return "";
  }
  return "";
}

download run_provider(const series_spec& spec, const fetch_context& ctx) {
  switch (spec.source) {
    case provider::fred: return fetch_fred(spec, ctx);
    case provider::yahoo: return fetch_yahoo(spec, ctx);
    case provider::coingecko: return fetch_coingecko(spec, ctx);
    case provider::file: return fetch_file(spec, ctx);
  }
  return {};
}

void report_revisions(const std::string& name, const std::vector<revision>& revisions, bool applied) {
  constexpr std::size_t shown = 20;
  for (std::size_t i = 0; i < revisions.size() && i < shown; ++i) {
    const revision& r = revisions[i];
    say(fmt::format("{}: {} revised: {} -> {}{}", name, format_time(r.date),
                    r.old_value.empty() ? "(empty)" : r.old_value,
                    r.new_value.empty() ? "(empty)" : r.new_value,
                    applied ? "" : " (kept the old value)"));
  }
  if (revisions.size() > shown) say(fmt::format("{}: ... and {} more revised values", name, revisions.size() - shown));
  if (!applied && !revisions.empty())
    say(fmt::format("{}: {} past value(s) differ from the provider's; run again with --revise to "
                    "take the new values", name, revisions.size()));
}

// Fetches one series into the folder; false (with the reason said) when the file was
// left as it was.
bool fetch_one(const options& o, const series_spec& spec, data_manifest& manifest, std::time_t now) {
  const std::string name = spec.name ? *spec.name : o.as ? *o.as : default_name(spec);
  const std::string file = name + ".csv";
  const std::string path = (std::filesystem::path(o.dir) / file).string();
  // The catalogue row by source (fred:WTREGEN), else by the name the file is saved under
  // (`--as tga`): the run reads the series under that name, with that row's lag.
  const catalog_entry* row = catalog_row(spec);
  if (!row) row = find_catalog_entry(name);
  auto fail = [&](const std::string& why) {
    say(fmt::format("{}: {}{}", spec.text, why,
                    std::filesystem::exists(path) ? fmt::format("; {} left as it was", path) : ""));
    return false;
  };

  for (const manifest_entry& e : manifest.series)
    if (e.name == name && !e.source.empty() && !same_source(e.source, spec.text))
      return fail(fmt::format("{} holds {}, not {}; choose another name (NAME=SPEC or --as)",
                              path, e.source, spec.text));

  std::optional<series_file> old;
  fetch_context ctx;
  ctx.now = static_cast<time_point>(now) * ms_per_second;
  ctx.timeout_seconds = o.timeout;
  ctx.retries = o.retries;
  ctx.log = [&](const std::string& line) { say(fmt::format("{}: {}", spec.text, line)); };
  if (const char* b = std::getenv("SLUICE_FETCH_BACKOFF_MS"); b && *b) ctx.backoff_ms = std::atol(b);
  const bool exists = std::filesystem::exists(path);
  if (exists && spec.source != provider::file) {
    std::string error;
    old = read_series_file(path, column_for(spec), error);
    if (!old) return fail(error);
    if (!old->rows.empty()) ctx.since = overlap_start(old->rows.back().date, row);
  }

  download d = run_provider(spec, ctx);
  if (!d.ok) return fail(d.error);
  for (const std::string& note : d.notes) say(fmt::format("{}: {}", spec.text, note));

  std::string bytes;
  merge_result merged;
  if (spec.source == provider::file) {
    // A file: download replaces the whole file, so it may only replace one a fetch wrote.
    if (exists && std::none_of(manifest.series.begin(), manifest.series.end(),
                               [&](const manifest_entry& e) { return e.name == name; }))
      return fail(fmt::format("{} exists and was not written by sluice fetch (it is not in {}); "
                              "move it away or choose another name (NAME=SPEC or --as)",
                              path, manifest_file_name));
    if (exists) {
      const file_comparison c = compare_files(path, *d.raw_csv);
      for (const auto& [column, revisions] : c.revisions)
        report_revisions(c.wide ? name + ":" + column : name, revisions, o.revise);
      if (c.dropped)
        say(fmt::format("{}: the download lacks {} date(s) the file has (the first: {})", name,
                        c.dropped, format_time(c.first_dropped)));
      if (!c.missing_columns.empty())
        say(fmt::format("{}: the download lacks the column(s) {}", name,
                        fmt::join(c.missing_columns, ", ")));
      if ((!c.revisions.empty() || c.dropped || !c.missing_columns.empty()) && !o.revise)
        return fail("the download changes or drops past values; the file was not replaced "
                    "(--revise replaces it)");
      merged.appended = c.new_dates;
    }
    bytes = *d.raw_csv;
  } else {
    if (!old && d.rows.empty()) return fail(fmt::format("{} gave no observations", d.url));
    merged = merge_rows(old ? old->rows : std::vector<observation>{}, d.rows, o.revise);
    report_revisions(name, merged.revisions, o.revise);
    bytes = render_series_csv(old ? old->column : d.column, merged.rows);
  }

  // The file must be one `sluice run --data` reads, row for row, before it replaces anything.
  const csv_result check = parse_csv(bytes, path);
  if (!check.table || !check.table->rejected.empty())
    return fail(fmt::format("the file to be written does not read back cleanly ({}); not written",
                            check.table ? check.table->rejected.front().reason : check.failure.message));
  std::string error;
  if (!write_atomically(path, bytes, error)) return fail(error);

  const csv_table& t = *check.table;
  manifest_entry entry;
  entry.name = name;
  entry.file = file;
  entry.source = spec.text;
  entry.url = d.url;
  entry.fetched_at = utc_now_text(now);
  entry.rows = t.rows_read;
  entry.sha256 = sha256_hex(bytes);
  if (!t.times.empty()) {
    entry.first = format_time(t.times.front());
    entry.last = format_time(t.times.back());
  }
  if (row) {
    entry.units = row->units;
    entry.frequency = row->frequency;
    entry.publication_lag = format_duration(row->publication_lag);
    entry.title = row->title;
  }
  upsert(manifest, entry);
  if (!o.quiet) {
    const std::size_t added = merged.appended + merged.inserted;
    say(fmt::format("{} <- {}: {} rows {} .. {}{}", path, spec.text, entry.rows,
                    entry.first.empty() ? "-" : entry.first, entry.last.empty() ? "-" : entry.last,
                    spec.source == provider::file
                        ? (exists ? fmt::format(" ({} new dates)", merged.appended) : std::string(" (new file)"))
                        : old ? fmt::format(" ({} new, {} filled, {} revised)", added, merged.filled,
                                            merged.revisions.size())
                              : std::string(" (new file)")));
  }
  return true;
}

}  // namespace

std::string fetch_usage() {
  return R"(usage: sluice fetch [NAME=]SPEC... [--data DIR] [--as NAME] [--timeout S] [--retries N] [--revise]

SPEC is one of
  fred:ID            a FRED series (FRED_API_KEY set: the API, else the public CSV)
  fred:ID@YYYY-MM-DD the ALFRED vintage of that date (needs FRED_API_KEY)
  yahoo:SYMBOL       daily closes from Yahoo Finance's chart API (^RUT, BTC-USD)
  coingecko:ID       daily USD prices from CoinGecko (ethereum; COINGECKO_API_KEY if set)
  file:URL           any CSV over http(s), saved as it comes

Each series goes to DIR/NAME.csv (NAME from the series catalogue: fred:WTREGEN -> wtregen,
else the id; NAME=SPEC or --as NAME to choose) and is recorded in DIR/sluice-data.json.
A second fetch asks only for recent dates and appends; changed past values are reported
and kept unless --revise. A failed download leaves the old file as it was.

  --data DIR     the data folder (default: data; created when missing)
  --as NAME      the file stem / series name for a single SPEC
  --timeout S    seconds per HTTP attempt (default 60)
  --retries N    retries after 429 / 5xx / dropped connections (default 3, backoff doubling)
  --revise       take revised past values instead of keeping the old ones
  --quiet        no summary line per series
exit status: 0 all fetched, 1 some failed (reasons on stderr), 2 usage errors
)";
}

int fetch_main(const std::vector<std::string>& args) {
  bool help = false;
  const auto o = parse(args, help);
  if (help) {
    fmt::print("{}", fetch_usage());
    return 0;
  }
  if (!o) {
    fmt::print(stderr, "\n{}", fetch_usage());
    return 2;
  }
  std::error_code ec;
  std::filesystem::create_directories(o->dir, ec);
  if (ec || !std::filesystem::is_directory(o->dir)) {
    say(fmt::format("cannot use data folder '{}': {}", o->dir, ec ? ec.message() : "not a folder"));
    return 1;
  }
  // One fetch at a time per folder (a watcher's hourly fetch and a user's, say): the
  // manifest is read, updated and rewritten, and two writers would lose each other's entries.
  // The lock is held until the process exits.
  const std::string lock_path = (std::filesystem::path(o->dir) / ".sluice-fetch.lock").string();
  const int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
    say(fmt::format("cannot lock {}: {}", lock_path, std::strerror(errno)));
    return 1;
  }
  std::string error;
  auto manifest = read_manifest(o->dir, error);
  if (!manifest) {
    say(error + "; move it away to start a new one");
    return 1;
  }
  const http_session curl;
  const std::time_t now = std::time(nullptr);
  std::size_t failed = 0;
  for (const series_spec& spec : o->specs) {
    if (!fetch_one(*o, spec, *manifest, now)) ++failed;
    // Written after every series, so a later failure never loses an earlier one's record.
    if (!write_manifest(o->dir, *manifest, error)) {
      say(error);
      return 1;
    }
  }
  if (failed) say(fmt::format("{} of {} series failed", failed, o->specs.size()));
  return failed ? 1 : 0;
}

}  // namespace sluice::fetch
