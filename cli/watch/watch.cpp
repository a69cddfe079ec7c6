// `sluice watch`: history, then NDJSON from stdin, evaluated under the no-repaint rule
// (completeness.hpp), events delivered through the sinks with an outbox that survives a crash
// (state.hpp). Built on the public streaming session (include/sluice/sluice.hpp): a session
// fed the same observations reports the same events as a batch run, so watch == run.
#include "cli/watch/watch.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "api/engine_limits.hpp"
#include "cli/args.hpp"
#include "cli/watch/backoff.hpp"
#include "cli/watch/completeness.hpp"
#include "cli/watch/event_json.hpp"
#include "cli/watch/ndjson.hpp"
#include "cli/watch/options.hpp"
#include "cli/watch/shell.hpp"
#include "cli/watch/sinks.hpp"
#include "cli/watch/state.hpp"
#include "interpreter/ascii.hpp"
#include "interpreter/data/catalog.hpp"
#include "sluice/sluice.hpp"

namespace sluice::watch {
namespace {

std::atomic<bool> stop_requested{false};

void on_stop_signal(int) { stop_requested.store(true); }

// As `sluice run` names --data files: the stem, lower case, other characters -> `_`.
std::string series_name_from_stem(std::string stem) {
  for (char& c : stem) {
    c = sluice::lower(c);
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  }
  return stem;
}

// Two decimal texts of the same number compare equal ("2603.90" and "2603.9").
std::string canonical_decimal(std::string_view text) {
  std::string s(text);
  if (!s.empty() && s.front() == '+') s.erase(0, 1);
  if (s.find_first_of("eE") != std::string::npos) return s;
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

std::string shortest(double v) { return fmt::format("{}", v); }

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::min();

// Watch's times are milliseconds (api::timestamp_ms), as stdin's "time" may carry them.
// "2026-01-05", or "2026-01-05 23:59:59" within a day (the horizon is often a day's last
// second), "2026-01-05 23:59:59.999" within a second.
std::string time_text(std::int64_t t) {
  if (t == kNever) return "-";
  const std::int64_t ms = t - day_number(t) * ms_per_day;
  const std::string day = api::format_timestamp_ms(t - ms);
  if (ms == 0) return day;
  const std::int64_t s = ms / ms_per_second;
  std::string text = fmt::format("{} {:02}:{:02}:{:02}", day, s / 3600, s / 60 % 60, s % 60);
  if (ms % ms_per_second != 0) text += fmt::format(".{:03}", ms % ms_per_second);
  return text;
}

struct recorded_value {
  double value = 0;
  std::string text;  // exact mode: the canonical decimal text
};

// Every accepted observation of one series, for the duplicate and revision checks. A series
// accepts observations in increasing time only (the session refuses the others), so they are
// appended to one sorted array and found by binary search: no node allocated per observation.
class recorded_series {
 public:
  // The value recorded at t (a copy: the parts live in separate arrays), or nullopt.
  std::optional<recorded_value> find(std::int64_t t) const {
    if (times_.empty() || t > times_.back()) return std::nullopt;  // the usual new observation
    const auto at = std::lower_bound(times_.begin(), times_.end(), t);
    if (at == times_.end() || *at != t) return std::nullopt;
    const auto k = static_cast<std::size_t>(at - times_.begin());
    return recorded_value{values_[k], texts_on_ ? texts_[k] : std::string()};
  }
  void add(std::int64_t t, recorded_value v) {
    // Texts (exact mode) are kept only once one is not empty: a double watch keeps 16 bytes
    // per observation.
    if (!v.text.empty() && !texts_on_) {
      texts_on_ = true;
      texts_.resize(times_.size());
    }
    auto at = times_.end();
    if (!times_.empty() && times_.back() >= t) {  // not the usual case of a later observation
      at = std::lower_bound(times_.begin(), times_.end(), t);
      if (*at == t) {
        const auto k = static_cast<std::size_t>(at - times_.begin());
        values_[k] = v.value;
        if (texts_on_) texts_[k] = std::move(v.text);
        return;
      }
    }
    const auto k = at - times_.begin();
    times_.insert(at, t);
    values_.insert(values_.begin() + k, v.value);
    if (texts_on_) texts_.insert(texts_.begin() + k, std::move(v.text));
  }
  void assign(std::map<std::int64_t, recorded_value>&& sorted) {
    for (auto& [t, v] : sorted) add(t, std::move(v));
  }

 private:
  std::vector<std::int64_t> times_;
  std::vector<double> values_;
  std::vector<std::string> texts_;  // one per time once texts_on_
  bool texts_on_ = false;
};

// Where an observation came from, for reports: "stdin:12" (a line) or "a.csv, row
// 2026-01-08"; formatted only when something is reported.
struct place {
  std::string_view where;
  std::size_t line = 0;  // 0: `where` says it all
  std::string text() const { return line ? fmt::format("{}:{}", where, line) : std::string(where); }
};

// Counters for the summary line.
struct counts {
  std::size_t lines = 0, observations = 0, clocks = 0, duplicates = 0, revisions = 0, missing = 0;
  std::size_t bad = 0, events = 0, delivered = 0, refused = 0;
};

class watcher {
 public:
  explicit watcher(options o) : opt_(std::move(o)), store_(opt_.state_file) {}

  int run() {
    if (!opt_.poll_command.empty()) run_poll_command();  // fresh files before the history is read
    if (int rc = load_and_compile(); rc != 0) return rc;
    make_sinks();
    if (!opt_.state_file.empty()) {
      std::string error;
      auto loaded = store_.load(error);
      if (!error.empty()) {
        fmt::print(stderr, "sluice watch: {}\n", error);
        return 2;
      }
      if (loaded) {
        first_start_ = false;
        state_ = std::move(*loaded);
        delivered_set_.insert(state_.delivered.begin(), state_.delivered.end());
        for (const outbox_entry& e : state_.outbox) outbox_ids_.insert(e.event.id);
      } else if (store_.has_journal()) {
        // A first start saves the state before it journals anything: a journal without a
        // state file means the state was removed, and starting over would treat the
        // journal's firings as past ones and never send them.
        fmt::print(stderr, "sluice watch: {} exists but {} does not: restore the state file or remove the journal\n",
                   store_.journal_path(), store_.path());
        return 2;
      }
    }
    if (!opt_.state_file.empty()) {
      std::size_t n = 0;
      for (const std::string& line : store_.journal_lines()) handle_line(line, store_.journal_path(), ++n, /*replay=*/true);
    }
    push_history();
    advance();
    if (first_start_) state_.evaluated_through = evaluated_through_;
    take_events();
    dirty_ = true;
    save_state();  // before the journal exists (see the journal check above)
    if (!opt_.state_file.empty()) {
      std::string error;
      if (!store_.open_journal(error)) {
        fmt::print(stderr, "sluice watch: {}\n", error);
        return 2;
      }
    }
    if (!opt_.quiet) {
      fmt::print(stderr, "sluice watch: {} rules over {} series; evaluated through {}{}\n",
                 program_->rules().size(), columns_.size(), time_text(evaluated_through_),
                 !first_start_ ? ""
                 : opt_.replay_from ? fmt::format(" (first start: past firings sent from {})", time_text(*opt_.replay_from))
                                    : std::string(" (first start: past firings not sent)"));
    }
    deliver_outbox();
    read_stdin();
    if (!stop_requested.load()) drain();
    flush();
    if (!opt_.quiet) print_summary();
    if (!state_.outbox.empty() && !stop_requested.load()) {
      fmt::print(stderr, "sluice watch: {} events not delivered: {}\n", state_.outbox.size(),
                 opt_.state_file.empty() ? "lost (no --state file to keep them in)"
                                         : fmt::format("kept in {}, sent on the next start", opt_.state_file));
      return 3;
    }
    return 0;
  }


 private:
  struct journaled_value {
    double value = 0;
    std::string text;   // exact mode: canonical decimal
    std::string shown;  // as written
  };
  struct column {
    std::string name;
    recorded_series values;                             // every accepted observation
    std::map<std::int64_t, journaled_value> journaled;  // at start: the journal's, to merge
  };

  struct sink_slot {
    std::unique_ptr<sink> out;
    backoff retry;
    bool reported_down = false;
    std::string name;  // out->name(), asked once: every event is addressed to it
  };

  std::int64_t now() const {
    return opt_.now ? *opt_.now : static_cast<std::int64_t>(std::time(nullptr)) * ms_per_second;
  }

  int load_and_compile() {
    std::ifstream in(opt_.file, std::ios::binary);
    if (!in) {
      fmt::print(stderr, "sluice watch: cannot read '{}'\n", opt_.file);
      return 2;
    }
    std::ostringstream text;
    text << in.rdbuf();
    source_ = text.str();

    // Series files, as `sluice run` collects them (a later --series overrides a --data file).
    for (const std::string& dir : opt_.data_dirs) {
      std::error_code ec;
      std::filesystem::directory_iterator it(dir, ec);
      if (ec) {
        fmt::print(stderr, "sluice watch: cannot read data folder '{}': {}\n", dir, ec.message());
        return 2;
      }
      std::vector<std::filesystem::path> files;
      for (const auto& entry : it)
        if (entry.is_regular_file() && lower(entry.path().extension().string()) == ".csv") files.push_back(entry.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        const std::string name = series_name_from_stem(f.stem().string());
        files_[name] = f.string();
        // As `sluice run` reads a --data file: with the catalogue's publication lag, so that
        // watch and run see the same values on the same dates (docs/data.md).
        if (const catalog_entry* e = find_catalog_entry(name); e && e->publication_lag.count != 0)
          lags_[name] = e->publication_lag;
      }
    }
    for (const auto& [name, path] : opt_.series) {
      files_[series_name_from_stem(name)] = path;
      lags_.erase(series_name_from_stem(name));  // an explicit file: no catalogue guess
    }
    for (const auto& [name, text] : opt_.lags) {
      const std::string series = series_name_from_stem(name);
      if (!files_.count(series)) {
        fmt::print(stderr, "sluice watch: --lag {}: no --data or --series series is named '{}'\n",
                   name, series);
        return 2;
      }
      lags_[series] = *parse_lag(text);  // checked when the options were read
    }

    // The user's own rule file gets `sluice run`'s bounds (the command line's preset), not
    // the embedding defaults meant for strangers' text: a file that runs also watches.
    api::engine_options eo = api::detail::engine_options_of(own_files_limits);
    eo.allow_files = true;  // the user's own rule file, as with `sluice run`
    eo.quote_file_errors = true;  // their own `use`d files too: full diagnostics
    eo.root_dir = std::filesystem::path(opt_.file).parent_path().string();
    if (eo.root_dir.empty()) eo.root_dir = ".";
    eo.max_compile_time = std::chrono::milliseconds{0};  // `sluice run` has no time bound either
    engine_.emplace(eo);
    // Only the files the rules read are loaded (a broken CSV elsewhere in --data does not
    // matter, as with `sluice run`): compile against names first, then register the data.
    std::vector<std::string> wanted;
    std::map<std::string, api::program::series_file> loaded_files;
    {
      api::engine names(eo);
      for (const auto& [name, path] : files_) {
        const api::timestamp t[1] = {0};
        const double v[1] = {0};
        (void)names.add_series(name, t, v);  // a placeholder: only the names matter here
      }
      auto probe = names.compile(source_, opt_.file);
      if (!probe) {
        fmt::print(stderr, "{}", probe.rendered());
        return 1;
      }
      wanted = probe.value().series();
      for (const std::string& s : wanted)
        if (auto f = probe.value().loaded_file(s)) loaded_files.emplace(s, std::move(*f));
    }
    for (const std::string& s : wanted) {
      // A series the rule text loads is read from its `load` file, as `sluice run` reads it
      // (a `load` in the rule file takes precedence over a --data or --series file of the
      // same name), and followed like the --data files.
      if (auto loaded = loaded_files.find(s); loaded != loaded_files.end()) {
        if (!read_history(s, loaded->second.path, loaded->second.column)) return 1;
        continue;
      }
      const auto dot = s.find('.');
      auto f = files_.find(s.substr(0, dot));
      if (f == files_.end()) continue;
      if (!register_column(s, f->second, dot == std::string::npos ? "" : s.substr(dot + 1))) return 1;
    }
    auto compiled = engine_->compile(source_, opt_.file);
    fmt::print(stderr, "{}", compiled.rendered());
    if (!compiled) return 1;
    program_.emplace(compiled.value());

    std::vector<series_timing> timing;
    for (const std::string& s : program_->series()) {
      by_name_[s] = columns_.size();
      columns_.push_back(column{s, {}, {}});
      auto h = history_.find(s);
      if (h == history_.end())
        fmt::print(
            stderr,
            "sluice watch: series '{}' has no --data or --series file: it starts empty and is "
            "read from stdin only\n",
            s);
      const std::string base = s.substr(0, s.find('.'));
      if (const catalog_entry* e = find_catalog_entry(base)) {
        series_timing t;
        t.name = s;
        t.min_gap_calendar = e->spacing;
        t.grace_ms = add(add(0, e->spacing), e->publication_lag);
        t.source = "catalogue";
        timing.push_back(std::move(t));
      } else {
        timing.push_back(timing_from_history(
            s, h == history_.end() ? std::vector<std::int64_t>{} : h->second.times_ms));
      }
    }
    std::optional<std::int64_t> grace;
    if (opt_.grace_seconds) grace = *opt_.grace_seconds * ms_per_second;
    complete_.emplace(std::move(timing), grace);

    api::stream_options so;
    so.exact = opt_.exact;
    session_.emplace(program_->stream([this](const api::event& e) { found_.push_back(e); }, so));
    return 0;
  }

  bool register_column(const std::string& name, const std::string& path, const std::string& column_name) {
    if (!read_history(name, path, column_name)) return false;
    const api::series_data& data = history_.at(name);
    api::series_options o;
    if (auto lag = lags_.find(name.substr(0, name.find('.'))); lag != lags_.end())
      o.lag = api::period{lag->second.count, lag->second.kind == duration::unit::months
                                                 ? api::period::unit::months
                                                 : api::period::unit::days};
    const api::status s = engine_->add_series_ms(name, data.times_ms, data.values, o);
    if (!s) {
      fmt::print(stderr, "sluice watch: {}\n", s.message);
      return false;
    }
    return true;
  }

  // The history of column `name` from its CSV file, which is then followed (--follow, --poll).
  bool read_history(const std::string& name, const std::string& path,
                    const std::string& column_name) {
    std::string error;
    auto data = api::read_csv(path, column_name, &error);
    if (!data) {
      fmt::print(stderr, "sluice watch: {}\n", error);
      return false;
    }
    history_[name] = std::move(*data);
    followed_.push_back(followed_file{name, path, column_name, file_signature(path)});
    return true;
  }

  // --- following the series files (--follow, --poll) ---

  struct signature {
    std::int64_t size = -1, mtime_ns = -1;
    std::uint64_t inode = 0;
    friend bool operator==(const signature&, const signature&) = default;
  };
  struct followed_file {
    std::string column;       // the program's series name
    std::string path;
    std::string column_name;  // the CSV column ("" = the file's default)
    signature seen;
  };

  static signature file_signature(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return {};
    return {static_cast<std::int64_t>(st.st_size),
            static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
            static_cast<std::uint64_t>(st.st_ino)};
  }

  bool following() const { return opt_.follow || !opt_.poll_command.empty(); }

  void run_poll_command() {
    std::string why;
    if (!run_shell(opt_.poll_command, why)) fmt::print(stderr, "sluice watch: --poll: {}\n", why);
  }

  // Reads each followed file again when its size, time or inode changed. The whole file is
  // read, so a file that was appended to, rewritten or cut short is handled alike: rows
  // after the series' latest observation are new ones, equal rows are skipped, changed past
  // values are revisions (each reported once), rows that vanished are kept as they were.
  void check_files() {
    for (followed_file& f : followed_) {
      const signature now_seen = file_signature(f.path);
      if (now_seen == f.seen) continue;
      const bool shrank = now_seen.size < f.seen.size || now_seen.inode != f.seen.inode;
      f.seen = now_seen;
      std::string error;
      auto data = api::read_csv(f.path, f.column_name, &error);
      if (!data) {
        fmt::print(stderr, "sluice watch: {} (kept the rows read before)\n", error);
        continue;
      }
      if (shrank && !opt_.quiet) fmt::print(stderr, "sluice watch: {} was rewritten or cut short: read again\n", f.path);
      const std::size_t col = by_name_.at(f.column);
      for (std::size_t k = 0; k < data->times_ms.size(); ++k) {
        const std::int64_t t = data->times_ms[k];
        const double v = data->values[k];
        const column& c = columns_[col];
        if (const auto prior = c.values.find(t); prior && prior->value == v) continue;
        if (file_reported_.count({col, t, v})) continue;  // reported on an earlier read
        const std::string text = opt_.exact ? canonical_decimal(shortest(v)) : shortest(v);
        const std::string position = fmt::format("{}, row {}", f.path, api::format_timestamp_ms(t));
        if (!offer(col, t, v, text, place{position}))
          file_reported_.insert({col, t, v});
        else if (journaling())
          store_.append(fmt::format("{{\"series\":\"{}\",\"time\":\"{}\",\"value\":\"{}\"}}", f.column,
                                    iso_time(t), text));
      }
    }
  }

  static std::string iso_time(std::int64_t t) {
    const std::string text = time_text(t);
    return text.size() == 10 ? text : text.substr(0, 10) + "T" + text.substr(11) + "Z";
  }

  void make_sinks() {
    auto add = [&](std::unique_ptr<sink> s) {
      std::string name = s->name();
      sinks_.push_back(sink_slot{std::move(s), backoff(opt_.max_backoff), false, std::move(name)});
    };
    if (opt_.format != stdout_format::none || (opt_.webhooks.empty() && opt_.execs.empty()))
      add(make_stdout_sink(opt_.format, /*flush_each=*/!opt_.state_file.empty()));
    for (const std::string& url : opt_.webhooks) add(make_webhook_sink(url, opt_.webhook_template, opt_.webhook_timeout));
    for (const std::string& cmd : opt_.execs) add(make_exec_sink(cmd));
  }

  // The history files and the journal's observations, merged per series in time order (the
  // files may have grown past the journal's dates while watch was down). A file row wins
  // over a journal line of the same time; a different journal value is reported.
  void push_history() {
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      column& c = columns_[i];
      std::map<std::int64_t, recorded_value> values;
      if (auto h = history_.find(c.name); h != history_.end()) {
        const api::series_data& d = h->second;
        // read_csv already dropped empty cells and kept the first of equal times.
        for (std::size_t k = 0; k < d.times_ms.size(); ++k)
          values[d.times_ms[k]] = {d.values[k],
                                   opt_.exact ? canonical_decimal(shortest(d.values[k])) : ""};
      }
      for (auto& [t, j] : c.journaled) {
        auto [at, added] = values.try_emplace(t, recorded_value{j.value, j.text});
        if (!added && !(at->second.value == j.value && at->second.text == j.text))
          fmt::print(stderr,
                     "sluice watch: {}: {} at {}: the journal's {} differs from the file's {}; the "
                     "file's is used\n",
                     store_.journal_path(), c.name, api::format_timestamp_ms(t), j.shown,
                     shown(at->second));
      }
      for (const auto& [t, v] : values) {
        const api::push_status st = opt_.exact && !v.text.empty()
                                        ? session_->push_decimal_ms(c.name, t, v.text)
                                        : session_->push_ms(c.name, t, v.value);
        if (st == api::push_status::accepted) complete_->observed(i, t);
      }
      c.values.assign(std::move(values));
      c.journaled.clear();
    }
  }

  std::string shown(const recorded_value& v) const { return v.text.empty() ? shortest(v.value) : v.text; }

  void bad_line(std::string_view where, std::size_t line, const std::string& why) {
    ++counts_.bad;
    fmt::print(stderr, "sluice watch: {}:{}: {}\n", where, line, why);
  }

  // One NDJSON line. `replay`: from the journal (accepted once before; not journaled again).
  void handle_line(std::string_view text, std::string_view where, std::size_t line_no, bool replay) {
    if (!replay) ++counts_.lines;
    const input_line in = parse_input_line(text);
    switch (in.what) {
      case input_line::kind::blank: return;
      case input_line::kind::error: bad_line(where, line_no, in.error); return;
      case input_line::kind::clock:
        ++counts_.clocks;
        complete_->clock(in.time);
        if (replay) return;
        if (journaling()) store_.append(text);
        promise();
        return;
      case input_line::kind::observation: break;
    }
    // Producers write names in lower case as a rule: looked up as written, lowered otherwise.
    const bool lower_case = std::none_of(in.series.begin(), in.series.end(),
                                         [](char ch) { return ch >= 'A' && ch <= 'Z'; });
    auto found =
        lower_case ? by_name_.find(std::string_view(in.series)) : by_name_.find(lower(in.series));
    if (found == by_name_.end()) {
      bad_line(where, line_no, fmt::format("unknown series '{}': the rules read {}", in.series,
                                           fmt::join(program_->series(), ", ")));
      return;
    }
    column& c = columns_[found->second];
    if (in.value_text.empty()) {
      ++counts_.missing;  // null: no observation, as an empty CSV cell
      return;
    }
    if (replay) {  // merged with the history files by push_history()
      const std::string text_key = opt_.exact ? canonical_decimal(in.value_text) : "";
      c.journaled.try_emplace(in.time, journaled_value{in.value, text_key, in.value_text});
      return;
    }
    if (offer(found->second, in.time, in.value, in.value_text, place{where, line_no}))
      if (journaling()) store_.append(text);
  }

  // An observation from stdin or a followed file, at `position` ("stdin:12", "a.csv, row
  // 2026-01-08"). False when it was not accepted (a duplicate, a revision, late, ...).
  bool offer(std::size_t col, std::int64_t t, double value, const std::string& value_text,
             const place& at) {
    column& c = columns_[col];
    const std::string text_key = opt_.exact ? canonical_decimal(value_text) : "";
    if (const auto prior = c.values.find(t)) {
      if (prior->value == value && prior->text == text_key) {
        ++counts_.duplicates;  // a producer re-sending after a restart: dropped quietly
        return false;
      }
      ++counts_.revisions;
      fmt::print(stderr, "sluice watch: {}: revision of {} at {}: {} -> {} ({})\n", at.text(),
                 c.name, api::format_timestamp_ms(t), shown(*prior),
                 opt_.exact ? text_key : shortest(value),
                 t <= complete_through_ ? "its point is complete: reported, never re-evaluated"
                                        : "the first value is kept");
      return false;
    }
    if (complete_through_ != kNever && t <= complete_through_) {
      ++counts_.bad;
      fmt::print(stderr,
                 "sluice watch: {}: late: {} at {} is at or before {}, through which every series "
                 "was complete\n",
                 at.text(), c.name, api::format_timestamp_ms(t), time_text(complete_through_));
      return false;
    }
    const api::push_status st = opt_.exact ? session_->push_decimal_ms(c.name, t, value_text)
                                           : session_->push_ms(c.name, t, value);
    if (st != api::push_status::accepted) {
      ++counts_.bad;
      fmt::print(stderr, "sluice watch: {}: {} at {}: {}\n", at.text(), c.name,
                 api::format_timestamp_ms(t), api::to_string(st));
      return false;
    }
    ++counts_.observations;
    c.values.add(t, {value, text_key});
    complete_->observed(col, t);
    promise();
    return true;
  }

  // The horizon after each accepted line, so that whether a line is late does not depend on
  // how the input was split into reads; evaluation itself waits for the end of the read.
  void promise() { complete_through_ = std::max(complete_through_, complete_->horizon(now())); }

  bool journaling() const { return !opt_.state_file.empty(); }

  // Evaluates every point that is complete now. The journal is synced first: a point is never
  // evaluated from observations a restart would not see again.
  void advance() {
    promise();
    const std::int64_t h = complete_through_;
    if (h == kNever || (evaluated_through_ != kNever && h <= evaluated_through_)) return;
    if (journaling()) {
      std::string error;
      if (!store_.sync(error)) {
        fmt::print(stderr, "sluice watch: {}; not evaluating until it can be written\n", error);
        return;
      }
    }
    session_->advance_to_ms(h);
    evaluated_through_ = h;
  }

  // The firings found by the last advance go to the outbox (saved before any delivery),
  // except, after a restart, those at or before the stored point (handled before), and on a
  // first start, the history's (unless --replay-from).
  void take_events() {
    const std::int64_t through = state_.evaluated_through;
    for (const api::event& e : found_) {
      const bool past = first_take_ && first_start_
                            ? !(opt_.replay_from && e.time_ms >= *opt_.replay_from)
                            : e.time_ms <= through;
      if (past) continue;
      outgoing o = make_outgoing(*program_, e);
      if (delivered_set_.count(o.id) || !outbox_ids_.insert(o.id).second) continue;
      ++counts_.events;
      outbox_entry entry{std::move(o), {}};
      for (const auto& s : sinks_) entry.sinks.push_back(s.name);
      state_.outbox.push_back(std::move(entry));
      dirty_ = true;
    }
    found_.clear();
    first_take_ = false;
    // A bare advance (no events) need not reach the disk at once: a restart that loses it
    // re-evaluates points that fired nothing.
    if (evaluated_through_ != kNever && evaluated_through_ > state_.evaluated_through)
      state_.evaluated_through = evaluated_through_;
  }

  void save_state() {
    if (opt_.state_file.empty() || !dirty_) return;
    std::string error;
    if (!store_.save(state_, error)) {
      fmt::print(stderr, "sluice watch: {}\n", error);
      return;
    }
    dirty_ = false;
  }

  void remember_delivered(const std::string& id) {
    state_.delivered.push_back(id);
    delivered_set_.insert(id);
    // Ids are kept for the record and for duplicate checks; any event at or before the stored
    // point is never sent again anyway, so the list need not grow without bound.
    constexpr std::size_t keep = 1000;
    while (state_.delivered.size() > keep) {
      delivered_set_.erase(state_.delivered.front());
      state_.delivered.pop_front();
    }
  }

  sink_slot* find_sink(const std::string& name) {
    for (auto& s : sinks_)
      if (s.name == name) return &s;
    return nullptr;
  }

  // Delivers the outbox in order. A sink that fails keeps its remaining events, in order,
  // until its backoff lets it try again; the other sinks go on. The state is saved after each
  // event leaves the outbox, so that a crash re-sends at most the event in flight.
  void deliver_outbox() {
    const auto t = backoff::clock::now();
    std::unordered_set<std::string> blocked;
    for (auto& s : sinks_)
      if (!s.retry.ready(t)) blocked.insert(s.name);
    for (std::size_t i = 0; i < state_.outbox.size() && !stop_requested.load();) {
      outbox_entry& entry = state_.outbox[i];
      for (auto it = entry.sinks.begin(); it != entry.sinks.end();) {
        sink_slot* s = find_sink(*it);
        if (!s) {
          fmt::print(stderr, "sluice watch: event {} ({} {}) was due to '{}', which is no longer configured\n",
                     entry.event.id, entry.event.date, entry.event.rule, *it);
          it = entry.sinks.erase(it);
          dirty_ = true;
          continue;
        }
        if (blocked.count(*it)) {
          ++it;
          continue;
        }
        std::string why;
        switch (s->out->deliver(entry.event, why)) {
          case delivery::delivered:
            if (s->reported_down)
              fmt::print(stderr, "sluice watch: {} is back after {} failed tries\n", *it, s->retry.failures());
            s->reported_down = false;
            s->retry.succeeded();
            it = entry.sinks.erase(it);
            dirty_ = true;
            break;
          case delivery::gave_up:
            ++counts_.refused;
            fmt::print(stderr, "sluice watch: event {} ({} {}) refused by {}, not retried: {}\n", entry.event.id,
                       entry.event.date, entry.event.rule, *it, why);
            s->retry.succeeded();  // the sink answered: it is up
            it = entry.sinks.erase(it);
            dirty_ = true;
            break;
          case delivery::retry_later:
            s->retry.failed(backoff::clock::now());
            if (s->retry.failures() == 1 || (s->retry.failures() >= opt_.retries && !s->reported_down)) {
              const bool down = s->retry.failures() >= opt_.retries;
              fmt::print(stderr, "sluice watch: {}{}: {}; {} events wait in the outbox{}\n", *it,
                         down ? fmt::format(" is down ({} tries failed)", s->retry.failures()) : " failed",
                         why, pending_for(*it),
                         down ? ", still retrying" : "");
              s->reported_down = down;
            }
            blocked.insert(*it);
            ++it;
            break;
        }
      }
      if (entry.sinks.empty()) {
        ++counts_.delivered;
        remember_delivered(entry.event.id);
        outbox_ids_.erase(entry.event.id);
        state_.outbox.erase(state_.outbox.begin() + static_cast<std::ptrdiff_t>(i));
        save_state();
      } else {
        ++i;
      }
    }
    if (std::fflush(stdout) != 0 && !stdout_failed_) {
      stdout_failed_ = true;  // said once; events not on stdout are lost only without --state
      fmt::print(stderr, "sluice watch: cannot write to stdout: {}\n", std::strerror(errno));
    }
    save_state();
  }

  std::size_t pending_for(const std::string& sink_name) const {
    std::size_t n = 0;
    for (const auto& e : state_.outbox) n += std::count(e.sinks.begin(), e.sinks.end(), sink_name);
    return n;
  }

  // Milliseconds until a waiting sink may try again (-1: none is waiting).
  int retry_wait_ms() const {
    if (state_.outbox.empty()) return -1;
    const auto t = backoff::clock::now();
    std::int64_t ms = std::numeric_limits<std::int64_t>::max();
    for (const auto& s : sinks_) {
      if (s.retry.ready(t)) return 0;
      ms = std::min<std::int64_t>(ms, std::chrono::duration_cast<std::chrono::milliseconds>(s.retry.next_try() - t).count() + 1);
    }
    return static_cast<int>(std::clamp<std::int64_t>(ms, 0, 60'000));
  }

  void step() {
    advance();
    if (!found_.empty()) {
      take_events();
      save_state();
    }
    if (!state_.outbox.empty()) deliver_outbox();
  }

  // Reads stdin to its end (or, when following files, until SIGINT/SIGTERM), evaluating
  // after each read, each file check and each second of a real wall clock.
  void read_stdin() {
    std::string buffer;
    std::size_t line_no = 0;
    static char chunk[1 << 16];
    bool stdin_open = true;
    const auto every = std::chrono::seconds(opt_.every_seconds.value_or(opt_.poll_command.empty() ? 1 : 3600));
    auto next_check = backoff::clock::now() + (opt_.poll_command.empty() ? std::chrono::seconds(0) : every);
    while ((stdin_open || following()) && !stop_requested.load()) {
      if (following() && backoff::clock::now() >= next_check) {
        if (!opt_.poll_command.empty()) run_poll_command();
        check_files();
        step();
        next_check = backoff::clock::now() + every;
      }
      pollfd p{stdin_open ? 0 : -1, POLLIN, 0};
      // A real wall clock completes points on its own (grace): look again every second.
      std::int64_t timeout = opt_.now ? -1 : 1000;
      auto at_most = [&](std::int64_t ms) { timeout = timeout < 0 ? ms : std::min(timeout, ms); };
      if (const int wait = retry_wait_ms(); wait >= 0) at_most(wait);
      if (following())
        at_most(std::max<std::int64_t>(
            0, std::chrono::duration_cast<std::chrono::milliseconds>(next_check - backoff::clock::now()).count() + 1));
      const int r = poll(&p, 1, static_cast<int>(timeout));
      if (r < 0) {
        if (errno == EINTR) continue;
        fmt::print(stderr, "sluice watch: cannot read stdin: {}\n", std::strerror(errno));
        break;
      }
      if (r > 0) {
        const ssize_t n = read(0, chunk, sizeof chunk);
        if (n < 0) {
          if (errno == EINTR || errno == EAGAIN) continue;
          fmt::print(stderr, "sluice watch: cannot read stdin: {}\n", std::strerror(errno));
          stdin_open = false;
        } else if (n == 0) {
          stdin_open = false;
          if (!buffer.empty()) {
            handle_line(buffer, "stdin", ++line_no, false);  // a last line without a newline
            buffer.clear();
          }
        } else {
          buffer.append(chunk, static_cast<std::size_t>(n));
          std::size_t start = 0;
          for (std::size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1)
            handle_line(std::string_view(buffer).substr(start, nl - start), "stdin", ++line_no, false);
          buffer.erase(0, start);
        }
      }
      step();
    }
  }

  // End of input: points not yet complete stay unevaluated (a restart with more data
  // evaluates them); events still waiting get --drain seconds of retries.
  void drain() {
    const auto until = backoff::clock::now() + std::chrono::duration_cast<backoff::clock::duration>(
                                                   std::chrono::duration<double>(opt_.drain));
    while (!state_.outbox.empty() && !stop_requested.load()) {
      const int wait = retry_wait_ms();
      const auto t = backoff::clock::now();
      if (t + std::chrono::milliseconds(std::max(wait, 0)) > until) break;
      if (wait > 0) poll(nullptr, 0, wait);
      deliver_outbox();
    }
  }

  void flush() {
    std::string error;
    if (journaling() && !store_.sync(error)) fmt::print(stderr, "sluice watch: {}\n", error);
    std::fflush(stdout);
    if (!found_.empty()) take_events();
    dirty_ = true;
    save_state();
  }

  void print_summary() const {
    fmt::print(stderr,
               "sluice watch: {} lines: {} observations, {} clock lines, {} duplicates, {} revisions, "
               "{} null values, {} bad lines; {} new events, {} delivered, {} refused, {} waiting; "
               "evaluated through {}\n",
               counts_.lines, counts_.observations, counts_.clocks, counts_.duplicates, counts_.revisions,
               counts_.missing, counts_.bad, counts_.events, counts_.delivered, counts_.refused,
               state_.outbox.size(), time_text(evaluated_through_));
  }

  options opt_;
  state_store store_;
  std::string source_;
  std::map<std::string, std::string> files_;                   // series name -> CSV path
  std::map<std::string, duration> lags_;  // series name -> publication lag (catalogue, --lag)
  std::unordered_map<std::string, api::series_data> history_;  // column -> its history
  std::optional<api::engine> engine_;
  std::optional<api::program> program_;
  std::optional<api::session> session_;
  std::optional<completeness> complete_;
  std::vector<column> columns_;
  // Series name -> index in columns_, looked up by string_view too (no copy per line).
  struct name_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::size_t, name_hash, std::equal_to<>> by_name_;
  std::vector<sink_slot> sinks_;
  std::vector<followed_file> followed_;
  std::set<std::tuple<std::size_t, std::int64_t, double>> file_reported_;
  std::vector<api::event> found_;
  watch_state state_;
  std::unordered_set<std::string> delivered_set_;
  std::unordered_set<std::string> outbox_ids_;
  std::int64_t complete_through_ = kNever;   // every series is complete through it (promised)
  std::int64_t evaluated_through_ = kNever;  // the session has evaluated through it
  bool first_start_ = true;
  bool first_take_ = true;
  bool dirty_ = false;
  bool stdout_failed_ = false;
  counts counts_;
};

}  // namespace

int watch_main(int argc, char** argv) {
  options o = parse_options(argc, argv);
  if (o.help) {
    fmt::print("{}", usage());
    return 0;
  }
  if (!o.error.empty()) {
    fmt::print(stderr, "sluice watch: {}\n\n{}", o.error, usage());
    return 2;
  }
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: poll() returns at once with EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a closed pipe is a failed write, not a dead watcher
  watcher w(std::move(o));
  return w.run();
}

}  // namespace sluice::watch
