// The REPL session (see repl_session.hpp): statements, expressions and :commands.
#include "cli/repl_session.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "cli/output.hpp"
#include "grammar/keywords.hpp"
#include "grammar/parser.hpp"
#include "interpreter/ascii.hpp"
#include "interpreter/compile/builtins.hpp"
#include "interpreter/data/coverage.hpp"
#include "interpreter/data/csv_loader.hpp"
#include "interpreter/number.hpp"
#include "interpreter/stats/forward_returns.hpp"
#include "interpreter/stdlib_sources.hpp"
#include "interpreter/vm/vm.hpp"

#if __has_include("cli/explain.hpp")
#include "cli/explain.hpp"
#define SLUICE_REPL_HAS_EXPLAIN 1
#endif

namespace sluice {

namespace {

// Names the REPL gives its probe; users are unlikely to pick them.
constexpr std::string_view probe_value = "repl__value";
constexpr std::string_view probe_rule = "repl__probe";
constexpr std::size_t sparkline_points = 40;
constexpr std::size_t rule_events_shown = 20;  // a typed rule shows its last 20 events

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Input without leading blank space on its first line (statements start at column 1).
std::string normalize(std::string_view input) {
  std::size_t i = 0;
  while (i < input.size() && (input[i] == ' ' || input[i] == '\t' || input[i] == '\n' || input[i] == '\r'))
    ++i;
  std::string s(input.substr(i));
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

// Only comments and blank space?
bool is_blank(std::string_view text) {
  bool in_comment = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') in_comment = false;
    else if (in_comment || std::isspace(static_cast<unsigned char>(c))) continue;
    else if (c == '#' || (c == '/' && i + 1 < text.size() && text[i + 1] == '/')) in_comment = true;
    else return false;
  }
  return true;
}

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  for (char c : s) {
    if (quote) {
      if (c == quote) quote = 0;
      else cur += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

repl_layout layout_of(const std::vector<repl_entry>& entries) {
  repl_layout l;
  std::uint32_t line = 1;
  for (const repl_entry& e : entries) {
    l.offsets.push_back(l.text.size());
    l.lines.push_back(line);
    l.text += e.text;
    line += static_cast<std::uint32_t>(std::count(e.text.begin(), e.text.end(), '\n'));
  }
  return l;
}

std::size_t entry_at_line(const repl_layout& l, std::uint32_t line) {
  auto it = std::upper_bound(l.lines.begin(), l.lines.end(), line);
  return it == l.lines.begin() ? 0 : static_cast<std::size_t>(it - l.lines.begin() - 1);
}

// The statement's key: a later statement with the same key replaces it.
std::string key_of(const module_ast& m, const statement& st) {
  return std::visit(
      [&](const auto& s) -> std::string {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, load_stmt>) return "name " + s.name;
        else if constexpr (std::is_same_v<T, use_stmt>) return "use " + s.target;
        else if constexpr (std::is_same_v<T, let_stmt>) return "name " + s.name;
        else if constexpr (std::is_same_v<T, def_stmt>) return "name " + s.name;
        else if constexpr (std::is_same_v<T, set_stmt>) return "set " + s.key;
        else if constexpr (std::is_same_v<T, universe_stmt>)
          return "name " + s.name;
        else if (!s.short_form && !s.name.empty()) return "rule " + s.name;
        else {
          // A short rule is known by its text (entering it again replaces it).
          std::string text = m.source.substr(st.range.begin.offset,
                                             st.range.end.offset - st.range.begin.offset);
          std::string out;
          for (char c : text) {
            if (std::isspace(static_cast<unsigned char>(c))) {
              if (!out.empty() && out.back() != ' ') out += ' ';
            } else {
              out += lower(c);
            }
          }
          return "rule " + std::string(trim(out));
        }
      },
      st.body);
}

// `load x from "data.csv"` / `use "defs.sluice"` in a loaded file: a relative path is
// relative to that file, so it is rewritten to start at the file's folder.
std::string rebase_path(const std::string& text, const statement& st, const std::string& dir) {
  const bool is_load = std::holds_alternative<load_stmt>(st.body);
  const auto* use = std::get_if<use_stmt>(&st.body);
  if (dir.empty() || (!is_load && !(use && use->is_path))) return text;
  const std::string path = is_load ? std::get<load_stmt>(st.body).path : use->target;
  if (std::filesystem::path(path).is_absolute()) return text;
  const std::size_t open = text.find('"');
  if (open == std::string::npos) return text;
  std::size_t close = open + 1;
  while (close < text.size() && text[close] != '"') close += text[close] == '\\' ? 2 : 1;
  if (close >= text.size()) return text;
  std::string joined = (std::filesystem::path(dir) / path).lexically_normal().string();
  std::string quoted = "\"";
  for (char c : joined) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  quoted += '"';
  return text.substr(0, open) + quoted + text.substr(close + 1);
}

std::string frequency(const observations& obs) {
  if (obs.times.size() < 2) return "-";
  std::vector<time_point> gaps;
  for (std::size_t i = 1; i < obs.times.size(); ++i) gaps.push_back(obs.times[i] - obs.times[i - 1]);
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2), gaps.end());
  const std::int64_t days = (gaps[gaps.size() / 2] + ms_per_day / 2) / ms_per_day;
  if (days <= 1) {
    bool weekend = false;
    for (time_point t : obs.times) {
      // 1970-01-01 was a Thursday: day 2 and 3 of the week (counting from Thursday) are
      // Saturday and Sunday.
      const std::int64_t d = (t >= 0 ? t / ms_per_day : (t - ms_per_day + 1) / ms_per_day);
      const std::int64_t wd = ((d % 7) + 7) % 7;
      if (wd == 2 || wd == 3) weekend = true;
    }
    return weekend ? "daily" : "business days";
  }
  if (days >= 6 && days <= 8) return "weekly";
  if (days >= 28 && days <= 31) return "monthly";
  if (days >= 89 && days <= 92) return "quarterly";
  if (days >= 364 && days <= 366) return "yearly";
  return fmt::format("every {} days", days);
}

const char* bars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};

std::string sparkline(const std::vector<double>& values, double& lo, double& hi) {
  lo = INFINITY;
  hi = -INFINITY;
  for (double v : values)
    if (!std::isnan(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  std::string out;
  for (double v : values) {
    if (std::isnan(v)) {
      out += ' ';
      continue;
    }
    int level = hi > lo ? static_cast<int>(std::lround((v - lo) / (hi - lo) * 7)) : 3;
    out += bars[std::clamp(level, 0, 7)];
  }
  return out;
}

std::string signed_number(double x) {
  if (std::isnan(x)) return "na";
  return x > 0 ? "+" + format_number(x) : format_number(x);
}

}  // namespace

const std::vector<std::string>& repl_session::command_names() {
  static const std::vector<std::string> names = {":help",   ":load",  ":series", ":at",
                                                 ":range",  ":rules", ":run",    ":explain",
                                                 ":disasm", ":exact", ":stats",  ":quit"};
  return names;
}

bool repl_session::incomplete(std::string_view raw) {
  const std::string input = normalize(raw);
  if (input.empty() || input[0] == ':' || !looks_like_statement(input)) return false;
  diagnostics d;
  parse_module("<repl>", input, d);
  if (!d.has_errors()) return false;
  for (const diagnostic& x : d.items())
    if (x.level == severity::error && x.pos.offset < input.size()) return false;
  return true;
}

repl_session::repl_session(std::vector<host_series> host, bool color, std::FILE* out, std::FILE* err)
    : host_(std::move(host)), color_(color), out_(out), err_(err) {
  program_ = compile_entries(entries_, false, nullptr);
}

void repl_session::reset() {
  entries_.clear();
  at_.reset();
  from_.reset();
  to_.reset();
  exact_ = false;
  quit_ = false;
  program_ = compile_entries(entries_, false, nullptr);
}

void repl_session::fail(const std::string& message, const std::string& note) {
  std::fflush(out_);
  const char* on = color_ ? "\x1b[1;31m" : "";
  const char* off = color_ ? "\x1b[0m" : "";
  fmt::print(err_, "{}error:{} {}\n", on, off, message);
  if (!note.empty()) fmt::print(err_, "note: {}\n", note);
  std::fflush(err_);
}

run_options repl_session::current_run_options() const {
  run_options o;
  o.from = from_;
  o.to = to_;
  o.exact = exact_;
  return o;
}

bool repl_session::exact_command(std::string_view args) {
  const std::vector<std::string> words = split_words(args);
  if (words.size() > 1 || (words.size() == 1 && words[0] != "on" && words[0] != "off")) {
    fail("usage: :exact [on|off]");
    return false;
  }
  if (words.size() == 1) exact_ = words[0] == "on";
  fmt::print(out_, "{}\n", exact_ ? "exact: decimal arithmetic, 34 digits (docs/exact.md)"
                                  : "double: binary floating point (:exact on for decimal)");
  std::fflush(out_);
  return true;
}

// ---- compiling and diagnostics -----------------------------------------------------------

std::string repl_session::map_locations(std::string text, const std::vector<repl_entry>& entries,
                                        const repl_layout& layout) const {
  // "<repl>:LINE" (and "<repl>:LINE:COL") in messages name lines of the whole session text.
  const std::string tag = "<repl>:";
  std::size_t at = 0;
  while ((at = text.find(tag, at)) != std::string::npos) {
    std::size_t end = at + tag.size();
    std::uint32_t line = 0;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])))
      line = line * 10 + static_cast<std::uint32_t>(text[end++] - '0');
    if (end == at + tag.size() || entries.empty()) {
      at = end;
      continue;
    }
    const std::size_t i = entry_at_line(layout, line);
    const std::string where =
        fmt::format("{}:{}", entries[i].origin, entries[i].first_line + line - layout.lines[i]);
    text.replace(at, end - at, where);
    at += where.size();
  }
  return text;
}

void repl_session::print_diagnostic(const diagnostic& d, const std::vector<repl_entry>& entries,
                                    const repl_layout& layout) {
  diagnostic m = d;
  m.message = map_locations(m.message, entries, layout);
  m.note = map_locations(m.note, entries, layout);
  std::string source;
  if (d.has_pos && d.file == "<repl>" && !entries.empty()) {
    auto it = std::upper_bound(layout.offsets.begin(), layout.offsets.end(), std::size_t{d.pos.offset});
    const std::size_t i = it == layout.offsets.begin() ? 0 : static_cast<std::size_t>(it - layout.offsets.begin() - 1);
    const repl_entry& e = entries[i];
    std::size_t offset = d.pos.offset - layout.offsets[i];
    std::uint32_t line = d.pos.line - layout.lines[i] + 1;
    std::uint32_t column = d.pos.column;
    if (e.prefix) {
      offset = offset >= e.prefix ? offset - e.prefix : 0;
      if (line == 1) column = column > e.prefix ? column - static_cast<std::uint32_t>(e.prefix) : 1;
    }
    m.file = e.origin;
    m.pos = {static_cast<std::uint32_t>(offset), e.first_line + line - 1, column};
    source = e.text.substr(e.prefix);
  }
  std::fflush(out_);
  fmt::print(err_, "{}", render(m, source, color_));
  std::fflush(err_);
}

std::shared_ptr<const program> repl_session::compile_entries(const std::vector<repl_entry>& entries,
                                                             bool quiet, bool* probe_error,
                                                             std::vector<diagnostic>* kept) {
  const repl_layout layout = layout_of(entries);
  compile_options options;
  options.host = host_;
  diagnostics diags;
  auto p = compile_source("<repl>", layout.text, options, diags);
  if (probe_error) {
    // Errors only on probe lines mean the expression compiled but has the other type.
    bool only_probe = diags.has_errors();
    for (const diagnostic& d : diags.items()) {
      if (d.level != severity::error) continue;
      bool in_probe = false;
      if (d.has_pos && d.file == "<repl>" && !entries.empty()) {
        const std::size_t i = entry_at_line(layout, d.pos.line);
        const repl_entry& e = entries[i];
        const std::size_t offset = d.pos.offset - layout.offsets[i];
        in_probe = e.probe || (e.prefix && offset < e.prefix);
      }
      only_probe = only_probe && in_probe;
    }
    *probe_error = only_probe;
  }
  if (!quiet)
    for (const diagnostic& d : diags.items()) print_diagnostic(d, entries, layout);
  if (kept) {
    // The probe's own lines only echo errors of the expression: leave them out.
    kept->clear();
    for (const diagnostic& d : diags.items()) {
      if (d.has_pos && d.file == "<repl>" && !entries.empty() &&
          entries[entry_at_line(layout, d.pos.line)].probe)
        continue;
      kept->push_back(d);
    }
  }
  return p;
}

// ---- input dispatch ----------------------------------------------------------------------

bool repl_session::handle(std::string_view raw) {
  const std::string input = normalize(raw);
  if (is_blank(input)) return true;
  if (input[0] == ':') return command(input);
  if (looks_like_statement(input)) return statements(input, "<repl>", "");
  return expression(input, "", false);
}

bool repl_session::command(std::string_view input) {
  std::string_view rest = input;
  std::size_t space = 0;
  while (space < rest.size() && !std::isspace(static_cast<unsigned char>(rest[space]))) ++space;
  const std::string name = lower(std::string(rest.substr(0, space)));
  const std::string_view args = trim(rest.substr(space));
  if (name == ":help" || name == ":h" || name == ":?") {
    help();
    return true;
  }
  if (name == ":quit" || name == ":q" || name == ":exit") {
    quit_ = true;
    return true;
  }
  if (name == ":load") {
    const auto words = split_words(args);
    if (words.empty()) {
      fail(":load needs a rule file, like :load examples/rotation.sluice");
      return false;
    }
    bool ok = true;
    for (const std::string& w : words) ok = load_file(w) && ok;
    return ok;
  }
  if (name == ":series") return show_series();
  if (name == ":at") return set_at(args);
  if (name == ":range") return set_range(args);
  if (name == ":exact") return exact_command(args);
  if (name == ":rules") return show_rules();
  if (name == ":run") return run_all();
  if (name == ":stats") return stats(args);
  if (name == ":explain") return explain(args);
  if (name == ":disasm") {
    if (args.empty()) {
      fail(":disasm needs an expression, like :disasm sma(russell, 20d)");
      return false;
    }
    return expression(std::string(args), "", true);
  }
  const std::string near = did_you_mean(name, command_names());
  fail(fmt::format("unknown command '{}'", name),
       near.empty() ? "type :help for the commands" : fmt::format("did you mean '{}'?", near));
  return false;
}

void repl_session::help() {
  fmt::print(out_, "{}",
             R"(Type a statement to add it to the session, or an expression to evaluate it.
  load x from "file.csv"   let x = EXPR   def f(a) = EXPR   set window 4w
  rule "name": when COND then ACTIONS     COND then ACTIONS
A number shows its value at the current date, its change over the window and a sparkline;
a condition shows whether it holds, when it last held and its rising edges; a rule shows
its events. A statement that fails leaves the session as it was; `let x = ...` again
replaces x. A line ending with ':' or an open '(' continues; an empty line ends it.

  :help               this text
  :load FILE...       add a rule file's statements to the session
  :series             the series: source, first and last date, count, frequency
  :at [DATE|last]     the current date for expressions (default: the last date)
  :range [FROM [TO]|all]  the dates runs cover and edges are counted in
  :rules              the session's rules
  :run                run every rule and print the events
  :stats RULE         forward returns after RULE's watch events, per event and summed up,
                      against the baseline (as `run --stats`)
  :explain RULE [DATE]  why RULE fired or did not (DATE defaults to :at; exact
                      arithmetic under :exact on)
  :disasm EXPR        the bytecode of an expression
  :exact [on|off]     decimal arithmetic (34 digits) instead of double, or show which
  :quit               leave (also Ctrl-D)
)");
  std::fflush(out_);
}

// ---- statements --------------------------------------------------------------------------

bool repl_session::statements(const std::string& text, const std::string& origin,
                              const std::string& base_dir) {
  diagnostics parse_diags;
  const module_ast m = parse_module(origin, text, parse_diags);
  if (parse_diags.has_errors()) {
    std::fflush(out_);
    for (const diagnostic& d : parse_diags.items()) fmt::print(err_, "{}", render(d, text, color_));
    std::fflush(err_);
    return false;
  }
  std::vector<repl_entry> candidate = entries_;
  std::vector<std::size_t> added;  // positions in `candidate` of the new statements
  std::vector<std::string> replaced;
  for (std::size_t k = 0; k < m.statements.size(); ++k) {
    const statement& st = m.statements[k];
    const std::size_t begin = st.range.begin.offset;
    const std::size_t end = k + 1 < m.statements.size() ? m.statements[k + 1].range.begin.offset : text.size();
    repl_entry e;
    e.text = std::string(trim(text.substr(begin, end - begin)));
    e.text = rebase_path(e.text, st, base_dir) + "\n";
    e.origin = origin;
    e.first_line = st.range.begin.line;
    e.key = key_of(m, st);
    auto same = std::find_if(candidate.begin(), candidate.end(),
                             [&](const repl_entry& old) { return old.key == e.key; });
    if (same != candidate.end()) {
      *same = e;
      added.push_back(static_cast<std::size_t>(same - candidate.begin()));
      if (origin == "<repl>") replaced.push_back(e.key.substr(e.key.find(' ') + 1));
    } else {
      candidate.push_back(e);
      added.push_back(candidate.size() - 1);
    }
  }
  auto p = compile_entries(candidate, false, nullptr);
  if (!p) return false;
  entries_ = std::move(candidate);
  program_ = p;
  if (origin != "<repl>") {
    std::size_t rules = 0;
    for (const statement& st : m.statements) rules += std::holds_alternative<rule_stmt>(st.body);
    fmt::print(out_, "loaded {}: {} statement{}, {} rule{}\n", origin, m.statements.size(),
               m.statements.size() == 1 ? "" : "s", rules, rules == 1 ? "" : "s");
    std::fflush(out_);
    return true;
  }
  for (const std::string& r : replaced) fmt::print(out_, "(replaces the earlier {})\n", r);

  // What each new statement did.
  const repl_layout layout = layout_of(entries_);
  std::vector<std::size_t> rules;
  bool ok = true;
  for (std::size_t k = 0; k < m.statements.size(); ++k) {
    const statement& st = m.statements[k];
    if (const auto* let = std::get_if<let_stmt>(&st.body)) {
      ok = expression(let->name, let->name, false) && ok;
    } else if (const auto* def = std::get_if<def_stmt>(&st.body)) {
      fmt::print(out_, "defined {}({})\n", def->name, fmt::join(def->params, ", "));
    } else if (const auto* set = std::get_if<set_stmt>(&st.body)) {
      if (set->key == "window") fmt::print(out_, "window = {}\n", format_duration(program_->default_window));
      else {
        std::vector<std::string> h;
        for (const duration& d : program_->horizons) h.push_back(format_duration(d));
        fmt::print(out_, "horizons = {}\n", fmt::join(h, " "));
      }
    } else if (const auto* use = std::get_if<use_stmt>(&st.body)) {
      fmt::print(out_, "using {}\n", use->target);
    } else if (const auto* load = std::get_if<load_stmt>(&st.body)) {
      for (const series_spec& s : program_->series) {
        if (s.name != load->name) continue;
        observations obs;
        diagnostics d;
        if (!data_.fetch(s, "", obs, d)) {
          for (const diagnostic& x : d.items()) print_diagnostic(x, entries_, layout);
          ok = false;
        } else if (obs.times.empty()) {
          fmt::print(out_, "{}: no observations in {}\n", s.name, s.path);
        } else {
          fmt::print(out_, "{}: {} observations, {} .. {}, {}\n", s.name, obs.times.size(),
                     format_time(obs.times.front()), format_time(obs.times.back()), frequency(obs));
        }
      }
    } else {
      // The compiled rule whose text is this statement's entry.
      const std::size_t entry = added[k];
      for (std::size_t r = 0; r < program_->rules.size(); ++r) {
        const std::string& loc = program_->rules[r].location;
        const std::size_t colon = loc.rfind(':');
        if (loc.compare(0, colon, "<repl>") != 0) continue;
        const auto line = static_cast<std::uint32_t>(std::stoul(loc.substr(colon + 1)));
        if (entry_at_line(layout, line) == entry) rules.push_back(r);
      }
    }
  }
  std::fflush(out_);
  if (!rules.empty()) print_rule_events(rules);
  return ok;
}

bool repl_session::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    fail(fmt::format("cannot read '{}'", path));
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return statements(text.str(), path, std::filesystem::path(path).parent_path().string());
}

void repl_session::print_rule_events(const std::vector<std::size_t>& rule_indices) {
  diagnostics diags;
  run_result result = run_batch(*program_, data_, current_run_options(), diags);
  const repl_layout layout = layout_of(entries_);
  for (const diagnostic& d : diags.items()) print_diagnostic(d, entries_, layout);
  if (!result.ok) return;
  for (std::size_t r : rule_indices) {
    std::vector<event> events;
    for (const event& e : result.events)
      if (e.rule == r) events.push_back(e);
    const std::string& name = program_->rules[r].name;
    fmt::print(out_, "rule \"{}\": {} event{}", name, events.size(), events.size() == 1 ? "" : "s");
    if (events.size() > rule_events_shown) {
      fmt::print(out_, ", the last {} shown (:run shows all)", rule_events_shown);
      events.erase(events.begin(), events.end() - static_cast<std::ptrdiff_t>(rule_events_shown));
    }
    fmt::print(out_, " from {} to {}\n", from_ ? format_time(*from_) : format_time(result.first),
               format_time(result.last));
    if (!events.empty()) fmt::print(out_, "{}", format_events_table(events, color_));
  }
  std::fflush(out_);
}

// ---- expressions -------------------------------------------------------------------------

bool repl_session::expression(const std::string& text, const std::string& label, bool disasm_only) {
  // The session plus `let repl__value = EXPR` and a probe rule that reads it. A number is
  // watched (with its change and percent change over the window); a condition is the
  // probe's `when`. Which one it is, the compiler says: the wrong probe fails only on the
  // probe's own lines.
  {
    // Parse errors are reported against the input itself.
    module_ast alone;
    alone.source_name = "<repl>";
    alone.source = text;
    diagnostics parse_diags;
    const node_id root = parse_fragment(alone, 0, static_cast<std::uint32_t>(text.size()), parse_diags);
    if (root == no_node || parse_diags.has_errors()) {
      std::fflush(out_);
      for (const diagnostic& d : parse_diags.items()) fmt::print(err_, "{}", render(d, text, color_));
      std::fflush(err_);
      return false;
    }
  }
  const std::string window = format_duration(program_->default_window);
  repl_entry value;
  value.text = fmt::format("let {} = {}\n", probe_value, text);
  value.origin = "<repl>";
  value.prefix = value.text.size() - text.size() - 1;
  value.key = std::string("name ") + std::string(probe_value);
  repl_entry numeric;
  numeric.probe = true;
  numeric.origin = "<probe>";
  numeric.text = disasm_only
      ? fmt::format("rule \"{0}\": when {1} == {1} then alert \"p\"\n", probe_rule, probe_value)
      : fmt::format("rule \"{0}\": when {1} == {1} then watch {1} and watch repl__change "
                    "and watch repl__pct\nlet repl__change = change({1}, {2})\n"
                    "let repl__pct = pct({1}, {2})\n",
                    probe_rule, probe_value, window);
  repl_entry condition = numeric;
  condition.text = fmt::format("rule \"{}\": when {} then alert \"p\"\n", probe_rule, probe_value);

  std::vector<repl_entry> base;
  if (disasm_only) {
    // Without the session's rules, so that the listing holds this expression's code only.
    for (const repl_entry& e : entries_)
      if (e.key.rfind("rule ", 0) != 0) base.push_back(e);
  } else {
    base = entries_;
  }
  auto attempt = [&](const repl_entry& probe, bool& probe_error, std::vector<diagnostic>& diags) {
    std::vector<repl_entry> all = base;
    all.push_back(value);
    all.push_back(probe);
    return std::make_pair(compile_entries(all, true, &probe_error, &diags), all);
  };
  bool probe_error = false;
  std::vector<diagnostic> diags;
  auto [p, all] = attempt(numeric, probe_error, diags);
  bool is_condition = false;
  if (!p && probe_error) {
    std::vector<diagnostic> second;
    auto [q, all2] = attempt(condition, probe_error, second);
    if (q) {
      p = q;
      all = all2;
      is_condition = true;
    } else if (probe_error) {
      fail("expected a number or a condition",
           "a window (20d), a date or a string is only valid inside a call or a predicate");
      return false;
    } else {
      diags = second;
      all = all2;
    }
  }
  if (!p && disasm_only && !diags.empty()) {
    // The expression may use a signal of a session rule: try again with the rules.
    base = entries_;
    auto [q, all2] = attempt(numeric, probe_error, diags);
    if (!q && probe_error) std::tie(q, all2) = attempt(condition, probe_error, diags);
    p = q;
    all = all2;
  }
  if (!p) {
    const repl_layout layout = layout_of(all);
    for (const diagnostic& d : diags) print_diagnostic(d, all, layout);
    return false;
  }
  const compiled_rule& probe = p->rules.back();
  const repl_layout layout = layout_of(all);

  if (disasm_only) {
    // The probe rule's section of the listing, without the probe's own instructions.
    const std::string listing = disassemble(*p);
    const std::string probe_line = fmt::format("<repl>:{}  ", layout.lines.back());
    const std::uint32_t value_line = layout.lines[layout.lines.size() - 2];
    // A constant belongs to this expression when its source line is the expression's.
    auto from_value = [&](const std::string& line) {
      const std::size_t tag = line.find("; <repl>:");
      if (tag == std::string::npos) return false;
      const auto n = static_cast<std::uint32_t>(std::strtoul(line.c_str() + tag + 9, nullptr, 10));
      return n >= value_line && n < layout.lines.back();
    };
    std::istringstream lines(listing);
    std::string line, out;
    bool header = true, keep = false, constants = false;
    while (std::getline(lines, line)) {
      if (header) {
        if (line.empty()) header = false;
        else out += line + "\n";
        continue;
      }
      if (line.rfind("; constants", 0) == 0) keep = constants = true;
      else if (line.rfind("; rule ", 0) == 0) keep = line.find(std::string(probe_rule)) != std::string::npos, constants = false;
      else if (line.rfind("; definitions", 0) == 0) keep = false;
      if (!keep || line.empty() || line.rfind("; ", 0) == 0) continue;
      if (constants && !from_value(line)) continue;
      if (line.find(probe_line) != std::string::npos) continue;
      out += map_locations(line, all, layout) + "\n";
    }
    fmt::print(out_, "{}", out);
    std::fflush(out_);
    return true;
  }

  diagnostics run_diags;
  std::vector<reg_index> nums, conds;
  if (is_condition) conds.push_back(probe.condition);
  else
    for (const compiled_action& a : probe.actions) nums.push_back(a.watched);
  const column_result cols = run_columns(*p, data_, current_run_options(), nums, conds, run_diags);
  for (const diagnostic& d : run_diags.items()) print_diagnostic(d, all, layout);
  if (!cols.ok) return false;
  const std::vector<time_point>& tl = cols.timeline;
  if (tl.empty()) {
    fail("no data: the timeline is empty", to_ ? "the :range ends before the data starts" : "");
    return false;
  }
  std::size_t idx = tl.size() - 1;
  if (at_) {
    auto it = std::upper_bound(tl.begin(), tl.end(), *at_);
    if (it == tl.begin()) {
      fail(fmt::format("no data at or before {}; the data starts on {}", format_time(*at_),
                       format_time(tl.front())));
      return false;
    }
    idx = static_cast<std::size_t>(it - tl.begin() - 1);
  }
  std::size_t first = 0;
  if (from_) first = static_cast<std::size_t>(std::lower_bound(tl.begin(), tl.end(), *from_) - tl.begin());
  if (first > idx) first = idx;
  const std::size_t spark_from = std::max(first, idx + 1 >= sparkline_points ? idx + 1 - sparkline_points : 0);
  const std::string date = format_time(tl[idx]);
  const std::string name = label.empty() ? "" : label + " = ";
  const char* dim = color_ ? "\x1b[2m" : "";
  const char* cyan = color_ ? "\x1b[36m" : "";
  const char* off = color_ ? "\x1b[0m" : "";

  if (!is_condition) {
    const std::vector<double>& v = cols.numbers[0];
    const double now = v[idx];
    // Exact mode prints the decimal the VM computed; double mode 10 significant digits.
    auto shown = [&](std::size_t column, std::size_t at) {
      return cols.number_texts.empty() ? format_number(cols.numbers[column][at])
                                       : cols.number_texts[column][at];
    };
    if (std::isnan(now)) {
      std::size_t last = idx + 1;
      while (last > 0 && std::isnan(v[last - 1])) --last;
      fmt::print(out_, "{}na on {}{}\n", name, date,
                 last == 0 ? " (no value on any date up to here)"
                           : fmt::format(" (the last value was {} on {})", shown(0, last - 1),
                                         format_time(tl[last - 1])));
    } else {
      const double change = cols.numbers[1][idx], pct = cols.numbers[2][idx];
      const std::string change_text =
          cols.number_texts.empty() || std::isnan(change)
              ? signed_number(change)
              : (change > 0 ? "+" : "") + cols.number_texts[1][idx];
      fmt::print(out_, "{}{} on {}, change over {} {}{}\n", name, shown(0, idx), date, window,
                 change_text,
                 std::isnan(pct) ? "" : fmt::format(" ({:+.2f}%)", pct * 100));
    }
    const std::vector<double> recent(v.begin() + static_cast<std::ptrdiff_t>(spark_from),
                                     v.begin() + static_cast<std::ptrdiff_t>(idx + 1));
    double lo = 0, hi = 0;
    const std::string line = sparkline(recent, lo, hi);
    if (std::isfinite(lo))
      fmt::print(out_, "{}{}{}  {}{} .. {} ({} points), low {}, high {}{}\n", cyan, line, off, dim,
                 format_time(tl[spark_from]), date, recent.size(), format_number(lo),
                 format_number(hi), off);
  } else {
    const std::vector<std::uint8_t>& c = cols.conditions[0];
    std::size_t edges = 0;
    std::optional<std::size_t> last_held;
    for (std::size_t i = first; i <= idx; ++i) {
      if (c[i] != c_true) continue;
      last_held = i;
      if (i == 0 || c[i - 1] != c_true) ++edges;
    }
    for (std::size_t i = first; !last_held && i > 0; --i)
      if (c[i - 1] == c_true) last_held = i - 1;
    const char* green = color_ ? "\x1b[1;32m" : "";
    const char* red = color_ ? "\x1b[1;31m" : "";
    const std::string now = c[idx] == c_true    ? fmt::format("{}true{}", green, off)
                            : c[idx] == c_false ? fmt::format("{}false{}", red, off)
                                                : std::string("na (no data)");
    fmt::print(out_, "{}{} on {}; {}; {} rising edge{} from {} to {}\n", name, now, date,
               last_held ? fmt::format("last held {}", format_time(tl[*last_held])) : "never held",
               edges, edges == 1 ? "" : "s", format_time(tl[first]), date);
    std::string line;
    for (std::size_t i = spark_from; i <= idx; ++i) line += c[i] == c_true ? "█" : c[i] == c_false ? "▁" : " ";
    fmt::print(out_, "{}{}{}  {}{} .. {} ({} points){}\n", cyan, line, off, dim,
               format_time(tl[spark_from]), date, idx + 1 - spark_from, off);
  }
  std::fflush(out_);
  return true;
}

// ---- commands ----------------------------------------------------------------------------

bool repl_session::show_series() {
  struct row {
    std::string name, source, first, last, count, freq;
  };
  std::vector<row> rows;
  bool ok = true;
  const repl_layout layout = layout_of(entries_);
  for (const series_spec& s : program_->series) {
    row r;
    r.name = s.name;
    r.source = s.path.empty() ? s.declared_in : s.path;
    if (!s.column.empty()) r.source += fmt::format(" [{}]", s.column);
    observations obs;
    diagnostics d;
    // A wide file has no series of its own: its columns are listed, each as name.COLUMN.
    if (!s.path.empty() && s.column.empty()) {
      const csv_result loaded = load_csv_file(s.path);
      if (loaded.table && loaded.table->default_column < 0) {
        const csv_table& t = *loaded.table;
        r.first = r.last = r.count = "-";
        r.freq = fmt::format("wide file: {} columns", t.columns.size());
        rows.push_back(r);
        for (std::size_t i = 0; i < t.columns.size(); ++i) {
          std::vector<time_point> times;
          std::vector<double> values;
          defined_cells(t, static_cast<int>(i), times, values);
          row c;
          c.name = "  " + s.name + "." + t.columns[i];
          c.source = "";
          c.count = std::to_string(times.size());
          c.first = times.empty() ? "-" : format_time(times.front());
          c.last = times.empty() ? "-" : format_time(times.back());
          c.freq = frequency_of(times);
          rows.push_back(c);
        }
        continue;
      }
    }
    if (!data_.fetch(s, "", obs, d)) {
      for (const diagnostic& x : d.items()) print_diagnostic(x, entries_, layout);
      ok = false;
      r.first = r.last = r.count = r.freq = "-";
    } else {
      r.count = std::to_string(obs.times.size());
      r.first = obs.times.empty() ? "-" : format_time(obs.times.front());
      r.last = obs.times.empty() ? "-" : format_time(obs.times.back());
      r.freq = frequency(obs);
    }
    rows.push_back(r);
  }
  if (rows.empty()) {
    fmt::print(out_, "no series: pass --data DIR or type load NAME from \"file.csv\"\n");
    std::fflush(out_);
    return true;
  }
  std::size_t w[4] = {4, 6, 5, 5};
  for (const row& r : rows) {
    w[0] = std::max(w[0], r.name.size());
    w[1] = std::max(w[1], r.source.size());
    w[2] = std::max(w[2], r.count.size());
  }
  const char* bold = color_ ? "\x1b[1m" : "";
  const char* off = color_ ? "\x1b[0m" : "";
  fmt::print(out_, "{}{:<{}}  {:<{}}  {:<10}  {:<10}  {:>{}}  {}{}\n", bold, "name", w[0], "source",
             w[1], "first", "last", "count", w[2], "frequency", off);
  for (const row& r : rows)
    fmt::print(out_, "{:<{}}  {:<{}}  {:<10}  {:<10}  {:>{}}  {}\n", r.name, w[0], r.source, w[1],
               r.first, r.last, r.count, w[2], r.freq);
  // The prelude's aliases (`let russell = rut`) and what each resolves to in this session.
  std::vector<std::string> aliases;
  for (const auto& m : program_->modules) {
    if (m->source_name != "<prelude>") continue;
    for (const statement& st : m->statements) {
      const auto* let = std::get_if<let_stmt>(&st.body);
      if (!let || let->value == no_node || m->at(let->value).kind != node_kind::name) continue;
      const std::string& target = m->at(let->value).text;
      const series_spec* own = nullptr;
      const series_spec* to = nullptr;
      for (const series_spec& s : program_->series) {
        if (s.name == let->name) own = &s;
        if (s.name == target) to = &s;
      }
      if (own)
        aliases.push_back(fmt::format(
            "{} is a series of its own ({}); the prelude's {} = {} does not apply", let->name,
            own->path.empty() ? own->declared_in : own->path, let->name, target));
      else if (to)
        aliases.push_back(fmt::format("{} = {} ({})", let->name, target,
                                      to->path.empty() ? to->declared_in : to->path));
    }
  }
  if (!aliases.empty()) {
    fmt::print(out_, "{}prelude aliases{}\n", bold, off);
    for (const std::string& a : aliases) fmt::print(out_, "  {}\n", a);
  }
  std::fflush(out_);
  return ok;
}

bool repl_session::show_rules() {
  if (program_->rules.empty()) {
    fmt::print(out_, "no rules yet: type one, like  russell breaks 2600 then watch alts\n");
    std::fflush(out_);
    return true;
  }
  const repl_layout layout = layout_of(entries_);
  for (std::size_t r = 0; r < program_->rules.size(); ++r) {
    const compiled_rule& rule = program_->rules[r];
    std::string cond;
    if (rule.module < program_->modules.size()) {
      const module_ast& m = *program_->modules[rule.module];
      const source_range& range = m.nodes[rule.condition_node].range;
      for (char c : m.source.substr(range.begin.offset, range.end.offset - range.begin.offset)) {
        if (std::isspace(static_cast<unsigned char>(c))) {
          if (!cond.empty() && cond.back() != ' ') cond += ' ';
        } else {
          cond += c;
        }
      }
    }
    std::vector<std::string> actions;
    for (const compiled_action& a : rule.actions)
      actions.push_back(a.what == action::kind::watch    ? "watch " + a.name
                        : a.what == action::kind::signal ? "signal " + a.name
                                                         : std::string("alert"));
    fmt::print(out_, "{}. \"{}\"  ({})\n     when {} then {}\n", r + 1, rule.name,
               map_locations(rule.location, entries_, layout), cond, fmt::join(actions, ", "));
  }
  std::fflush(out_);
  return true;
}

bool repl_session::run_all() {
  diagnostics diags;
  run_result result = run_batch(*program_, data_, current_run_options(), diags);
  const repl_layout layout = layout_of(entries_);
  for (const diagnostic& d : diags.items()) print_diagnostic(d, entries_, layout);
  if (!result.ok) return false;
  fmt::print(out_, "{}", format_events_table(result.events, color_));
  fmt::print(out_, "{} event{} from {} to {} ({} rule{})\n", result.events.size(),
             result.events.size() == 1 ? "" : "s",
             result.timeline_points ? format_time(from_ ? std::max(*from_, result.first) : result.first) : "-",
             result.timeline_points ? format_time(result.last) : "-", program_->rules.size(), program_->rules.size() == 1 ? "" : "s");
  std::fflush(out_);
  return true;
}

bool repl_session::stats(std::string_view args) {
  std::string rule;
  for (const std::string& w : split_words(args)) rule += (rule.empty() ? "" : " ") + w;
  if (rule.size() >= 2 && rule.front() == '"' && rule.back() == '"')
    rule = rule.substr(1, rule.size() - 2);
  if (rule.empty()) {
    fail(":stats needs a rule name, like :stats \"risk-on rotation\"");
    return false;
  }
  std::vector<std::string> names;
  const compiled_rule* found = nullptr;
  for (const compiled_rule& r : program_->rules) {
    names.push_back(r.name);
    if (lower(r.name) == lower(rule)) found = &r;
  }
  if (!found) {
    const std::string near = did_you_mean(rule, names);
    fail(fmt::format("no rule named \"{}\"", rule),
         near.empty()
             ? (names.empty() ? "the session has no rules yet" : "type :rules to list them")
             : fmt::format("did you mean \"{}\"?", near));
    return false;
  }
  std::set<std::string> watched;
  for (const compiled_action& a : found->actions)
    if (a.what == action::kind::watch) watched.insert(a.name);
  if (watched.empty()) {
    fail(fmt::format("rule \"{}\" watches nothing", found->name),
         "forward returns need an action like 'watch alts'");
    return false;
  }
  run_options options = current_run_options();
  // Evaluation over all the data, :range as the report range (as run --from/--to).
  options.from.reset();
  options.to.reset();
  options.keep_watched = true;
  diagnostics diags;
  const run_result result = run_batch(*program_, data_, options, diags);
  const repl_layout layout = layout_of(entries_);
  for (const diagnostic& d : diags.items()) print_diagnostic(d, entries_, layout);
  if (!result.ok) return false;
  std::vector<duration> horizons = program_->horizons;
  if (horizons.empty())
    horizons = {{duration::unit::days, 30}, {duration::unit::days, 60}, {duration::unit::days, 90}};
  std::vector<watch_stats> kept;
  for (watch_stats& s : compute_stats(*program_, result, horizons, stats_range{from_, to_}))
    if (s.rule == found->name || (s.rule == "baseline" && watched.count(s.watched)))
      kept.push_back(std::move(s));
  fmt::print(out_, "{}", format_stats_table(kept));
  if (const std::string per_event = format_event_returns_table(kept); !per_event.empty())
    fmt::print(out_, "\n{}", per_event);
  for (const std::string& w : basket_warnings(result)) fmt::print(out_, "warning: {}\n", w);
  std::fflush(out_);
  return true;
}

bool repl_session::explain(std::string_view args) {
  std::vector<std::string> words = split_words(args);
  std::optional<time_point> date = at_;
  if (words.size() > 1)
    if (auto t = parse_iso_date(words.back())) {
      date = t;
      words.pop_back();
    }
  std::string rule;
  for (const std::string& w : words) rule += (rule.empty() ? "" : " ") + w;
  if (rule.empty()) {
    fail(":explain needs a rule name, like :explain \"risk-on rotation\" 2021-01-05");
    return false;
  }
  std::vector<std::string> names;
  bool found = false;
  for (const compiled_rule& r : program_->rules) {
    names.push_back(r.name);
    found = found || lower(r.name) == lower(rule);
  }
  if (!found) {
    const std::string near = did_you_mean(rule, names);
    fail(fmt::format("no rule named \"{}\"", rule),
         near.empty() ? (names.empty() ? "the session has no rules yet" : "type :rules to list them")
                      : fmt::format("did you mean \"{}\"?", near));
    return false;
  }
#ifdef SLUICE_REPL_HAS_EXPLAIN
  // explain_command prints to stdout; its "<repl>:LINE" locations are mapped back to the
  // lines the user typed or loaded, so its output goes through a scratch file first.
  const repl_layout layout = layout_of(entries_);
  std::fflush(out_);
  std::fflush(stdout);
  std::FILE* scratch = std::tmpfile();
  const int saved = scratch ? dup(1) : -1;
  if (saved >= 0) dup2(fileno(scratch), 1);
  const int status = explain_command("<repl>", layout.text, *program_, data_, rule, date, exact_);
  std::fflush(stdout);
  if (saved >= 0) {
    dup2(saved, 1);
    close(saved);
    std::string text;
    std::rewind(scratch);
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, scratch)) > 0;) text.append(buffer, n);
    fmt::print(out_, "{}", map_locations(text, entries_, layout));
    std::fflush(out_);
  }
  if (scratch) std::fclose(scratch);
  return status == 0;
#else
  (void)date;
  fmt::print(out_, "explain is not available yet\n");
  return true;
#endif
}

bool repl_session::set_at(std::string_view args) {
  if (args.empty()) {
    fmt::print(out_, "current date: {}\n", at_ ? format_time(*at_) : "the last date");
  } else if (lower(std::string(args)) == "last") {
    at_.reset();
    fmt::print(out_, "current date: the last date\n");
  } else if (auto t = parse_iso_date(args)) {
    // A date outside every series' data would answer for another date: refuse it.
    std::optional<time_point> first, last;
    for (const series_spec& s : program_->series) {
      observations obs;
      diagnostics d;
      if (!data_.fetch(s, "", obs, d) || obs.times.empty()) continue;
      first = first ? std::min(*first, obs.times.front()) : obs.times.front();
      last = last ? std::max(*last, obs.times.back()) : obs.times.back();
    }
    if (first && (*t < *first || *t > *last)) {
      fail(fmt::format(":at {} is outside the data, which runs {} .. {}", format_time(*t),
                       format_time(*first), format_time(*last)),
           "pick a date in that range, or 'last'");
      return false;
    }
    at_ = t;
    fmt::print(out_, "current date: {}\n", format_time(*t));
  } else {
    fail(fmt::format(":at expects a date like 2021-01-15 or 'last', found '{}'", args));
    return false;
  }
  std::fflush(out_);
  return true;
}

bool repl_session::set_range(std::string_view args) {
  const auto words = split_words(args);
  if (words.size() == 1 && lower(words[0]) == "all") {
    from_.reset();
    to_.reset();
  } else if (!words.empty()) {
    if (words.size() > 2) {
      fail(":range expects FROM [TO], like :range 2020-01-01 2021-12-31");
      return false;
    }
    std::optional<time_point> from, to;
    for (std::size_t i = 0; i < words.size(); ++i) {
      auto t = parse_iso_date(words[i]);
      if (!t) {
        fail(fmt::format(":range expects dates like 2021-01-15, found '{}'", words[i]));
        return false;
      }
      (i == 0 ? from : to) = t;
    }
    if (from && to && *to < *from) {
      fail(":range ends before it starts");
      return false;
    }
    from_ = from;
    to_ = to;
  }
  fmt::print(out_, "range: {} .. {}\n", from_ ? format_time(*from_) : "the first date",
             to_ ? format_time(*to_) : "the last date");
  std::fflush(out_);
  return true;
}

// ---- completion --------------------------------------------------------------------------

namespace {

void collect_definitions(std::string_view source, std::set<std::string>& names) {
  diagnostics d;
  const module_ast m = parse_module("", std::string(source), d);
  for (const statement& st : m.statements) {
    if (const auto* l = std::get_if<let_stmt>(&st.body)) names.insert(l->name);
    if (const auto* f = std::get_if<def_stmt>(&st.body)) names.insert(f->name);
  }
}

// The standard modules are compiled in and never change: they are parsed for their names
// once per process, not at every completion (the prelude's parse was most of a completion's
// time).
const std::set<std::string>& stdlib_definitions(const stdlib_module& module) {
  static const std::map<std::string_view, std::set<std::string>> parsed = [] {
    std::map<std::string_view, std::set<std::string>> all;
    for (const stdlib_module& m : stdlib_modules()) collect_definitions(m.source, all[m.name]);
    return all;
  }();
  return parsed.at(module.name);
}

}  // namespace

std::vector<std::string> repl_session::definition_names() const {
  std::set<std::string> names;
  std::set<std::string> used{"prelude"};
  for (const repl_entry& e : entries_)
    if (e.key.rfind("use ", 0) == 0) used.insert(e.key.substr(4));
  for (const stdlib_module& m : stdlib_modules())
    if (used.count(std::string(m.name))) {
      const std::set<std::string>& defined = stdlib_definitions(m);
      names.insert(defined.begin(), defined.end());
    }
  for (const repl_entry& e : entries_) collect_definitions(e.text, names);
  return {names.begin(), names.end()};
}

// `:load` completes file names: rule files and folders under the word's folder (the
// current one when it has none), spelled as typed; folders end with '/'.
std::vector<std::string> repl_session::complete_path(std::string_view word) {
  namespace fs = std::filesystem;
  const std::size_t slash = word.rfind('/');
  const std::string folder(slash == std::string_view::npos ? "" : word.substr(0, slash + 1));
  const std::string prefix(slash == std::string_view::npos ? word : word.substr(slash + 1));
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(folder.empty() ? fs::path(".") : fs::path(folder), ec), end;
       !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0 || (name[0] == '.' && prefix.empty())) continue;
    std::error_code type_ec;
    if (it->is_directory(type_ec))
      out.push_back(folder + name + "/");
    else if (it->path().extension() == ".sluice")
      out.push_back(folder + name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> repl_session::complete(std::string_view before, std::string_view word) const {
  std::vector<std::string> pool;
  const std::string_view head = trim(before);
  if (head.rfind(":load", 0) == 0) return complete_path(word);
  if (head.empty() && !word.empty() && word[0] == ':') {
    pool = command_names();
  } else if (head.rfind(":explain", 0) == 0) {
    for (const compiled_rule& r : program_->rules) pool.push_back(r.name);
  } else {
    pool = reserved_words();  // from the grammar
    for (std::string_view s : setting_names) pool.emplace_back(s);
    for (const series_spec& s : program_->series) pool.push_back(s.name);
    for (const std::string& n : definition_names()) pool.push_back(n);
    for (const std::string& n : builtin_names()) pool.push_back(n);
    for (const compiled_rule& r : program_->rules)
      for (const compiled_action& a : r.actions)
        if (a.what == action::kind::signal) pool.push_back(a.name);
  }
  std::vector<std::string> out;
  const std::string w = lower(std::string(word));
  for (const std::string& p : pool)
    if (lower(p).rfind(w, 0) == 0 && p.rfind("repl__", 0) != 0) out.push_back(p);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace sluice
