// `sluice repl` (see repl.hpp): the terminal front end (libedit: editing, history, Tab
// completion, Ctrl-C) and the script front end, both feeding a repl_session.
#include "cli/repl.hpp"

#include <fmt/format.h>
#include <histedit.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>

#include "cli/repl_session.hpp"
#include "interpreter/ascii.hpp"

namespace sluice {

namespace {

constexpr int history_size = 1000;

bool blank_line(std::string_view line) {
  for (char c : line)
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  return true;
}

bool indented(std::string_view line) {
  return !line.empty() && (line[0] == ' ' || line[0] == '\t') && !blank_line(line);
}

// Scans text outside strings and comments: the open parenthesis count and whether the
// last line ends with ':'.
void scan(std::string_view text, int& depth, bool& colon) {
  depth = 0;
  colon = false;
  bool in_string = false, in_comment = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      in_comment = false;
      in_string = false;
      colon = false;
      continue;
    }
    if (in_comment) continue;
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '#' || (c == '/' && i + 1 < text.size() && text[i + 1] == '/')) in_comment = true;
    else if (c == '(') ++depth;
    else if (c == ')') --depth;
    if (!std::isspace(static_cast<unsigned char>(c)) && !in_comment) colon = c == ':';
  }
}

// A continuation line that is not indented is indented, so that the parser sees it as
// part of the statement (the user pressed Enter after `rule "x":`).
std::string as_continuation(const std::string& line) {
  return indented(line) || blank_line(line) ? line : "  " + line;
}

// ---- the terminal front end --------------------------------------------------------------

struct terminal {
  repl_session* session = nullptr;
  bool continuation = false;
  bool cancelled = false;
};

char* prompt(EditLine* el) {
  void* data = nullptr;
  el_get(el, EL_CLIENTDATA, &data);
  static char main_prompt[] = "sluice> ";
  static char more_prompt[] = "   ...> ";
  return static_cast<terminal*>(data)->continuation ? more_prompt : main_prompt;
}

terminal* state_of(EditLine* el) {
  void* data = nullptr;
  el_get(el, EL_CLIENTDATA, &data);
  return static_cast<terminal*>(data);
}

// Ctrl-C: drop the line (and the statement being entered) and prompt again.
unsigned char cancel_line(EditLine* el, int) {
  state_of(el)->cancelled = true;
  std::fputs("^C", stdout);
  return CC_NEWLINE;
}

bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}

// Tab: complete the word before the cursor; with several candidates, extend to their
// common prefix, or list them.
unsigned char complete_word(EditLine* el, int) {
  const LineInfo* li = el_line(el);
  const char* start = li->cursor;
  // After `:load` the word is a path: everything back to the last space.
  const std::string_view line(li->buffer, static_cast<std::size_t>(li->cursor - li->buffer));
  const bool path = line.substr(line.find_first_not_of(" \t") == std::string_view::npos
                                    ? line.size()
                                    : line.find_first_not_of(" \t"))
                        .rfind(":load ", 0) == 0;
  while (start > li->buffer && (path ? start[-1] != ' ' : word_char(start[-1]))) --start;
  const std::string word(start, li->cursor);
  const std::string before(li->buffer, start);
  const std::vector<std::string> found = state_of(el)->session->complete(before, word);
  if (found.empty()) return CC_REFRESH_BEEP;
  std::string common = found[0];
  for (const std::string& f : found) {
    std::size_t n = 0;
    while (n < common.size() && n < f.size() && sluice::lower(common[n]) == sluice::lower(f[n]))
      ++n;
    common.resize(n);
  }
  if (found.size() == 1 && !common.empty() && common.back() != '/') common += ' ';  // a folder goes on
  if (common.size() > word.size()) {
    // Replace the typed word so that the candidate's spelling wins.
    el_deletestr(el, static_cast<int>(word.size()));
    el_insertstr(el, common.c_str());
    return CC_REFRESH;
  }
  std::size_t width = 0;
  for (const std::string& f : found) width = std::max(width, f.size());
  const std::size_t per_line = std::max<std::size_t>(1, 78 / (width + 2));
  std::string list = "\n";
  for (std::size_t i = 0; i < found.size(); ++i)
    list += fmt::format("{:<{}}{}", found[i], width + 2, (i + 1) % per_line == 0 || i + 1 == found.size() ? "\n" : "");
  std::fputs(list.c_str(), stdout);
  std::fflush(stdout);
  return CC_REDISPLAY;
}

std::string history_path() {
  const char* home = std::getenv("HOME");
  if (!home || !*home) return {};
  return std::string(home) + "/.sluice_history";
}

int interactive(repl_session& session) {
  terminal term;
  term.session = &session;
  EditLine* el = el_init("sluice", stdin, stdout, stderr);
  History* hist = history_init();
  HistEvent ev;
  history(hist, &ev, H_SETSIZE, history_size);
  history(hist, &ev, H_SETUNIQUE, 1);
  const std::string hist_file = history_path();
  if (!hist_file.empty()) history(hist, &ev, H_LOAD, hist_file.c_str());
  el_set(el, EL_CLIENTDATA, &term);
  el_set(el, EL_EDITOR, "emacs");
  el_set(el, EL_SIGNAL, 1);
  el_set(el, EL_PROMPT, prompt);
  el_set(el, EL_HIST, history, hist);
  el_set(el, EL_ADDFN, "sluice-complete", "complete a keyword, name or :command", complete_word);
  el_set(el, EL_BIND, "^I", "sluice-complete", nullptr);
  el_set(el, EL_ADDFN, "sluice-cancel", "cancel the line", cancel_line);
  el_set(el, EL_BIND, "^C", "sluice-cancel", nullptr);
  el_set(el, EL_SETTY, "-d", "-isig", nullptr);  // Ctrl-C reaches the editor as a key
  el_source(el, nullptr);                          // ~/.editrc, like other libedit programs

  auto read = [&](bool more) -> std::optional<std::string> {
    term.continuation = more;
    term.cancelled = false;
    int count = 0;
    const char* line = el_gets(el, &count);
    if (!line || count <= 0) return std::nullopt;
    std::string s(line, static_cast<std::size_t>(count));
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    if (term.cancelled) {
      std::fputs("\n", stdout);
      return std::string("\x03");
    }
    if (!blank_line(s)) {
      std::string entry = s;
      while (!entry.empty() && std::isspace(static_cast<unsigned char>(entry.back()))) entry.pop_back();
      history(hist, &ev, H_ENTER, entry.c_str());
      if (!hist_file.empty()) history(hist, &ev, H_SAVE, hist_file.c_str());
    }
    return s;
  };

  fmt::print("sluice {} repl: type an expression, a statement or :help; Ctrl-D leaves\n",
             SLUICE_VERSION_STRING);
  std::fflush(stdout);
  bool done = false;
  while (!done && !session.quit_requested()) {
    auto line = read(false);
    if (!line) break;
    if (*line == "\x03" || blank_line(*line)) continue;
    std::string input = *line;
    bool cancelled = false;
    if ((*line)[0] != ':') {
      // A statement ending with ':' or with an open parenthesis goes on; an empty line ends
      // it (a parenthesis-only continuation ends when the parentheses close).
      bool block_colon = false;
      int depth = 0;
      bool colon = false;
      scan(input, depth, colon);
      block_colon = colon || repl_session::incomplete(input);
      bool more = block_colon || depth > 0;
      while (more) {
        auto next = read(true);
        if (!next) {
          done = true;
          break;
        }
        if (*next == "\x03") {
          cancelled = true;
          break;
        }
        if (blank_line(*next)) break;
        input += '\n';  // (not "\n" + ...: GCC 12 at -O3 warns falsely about that temporary)
        input += as_continuation(*next);
        scan(input, depth, colon);
        block_colon = block_colon || colon;
        more = block_colon || depth > 0 || colon;
      }
    }
    if (cancelled) continue;
    session.handle(input);
  }
  if (!session.quit_requested()) std::fputs("\n", stdout);
  if (!hist_file.empty()) history(hist, &ev, H_SAVE, hist_file.c_str());
  history_end(hist);
  el_end(el);
  return 0;
}

}  // namespace

bool repl_wants_more(const std::string& text) {
  int depth = 0;
  bool colon = false;
  scan(text, depth, colon);
  return colon || depth > 0;
}

std::vector<std::string> repl_split_script(const std::vector<std::string>& lines) {
  std::vector<std::string> inputs;
  std::size_t i = 0;
  while (i < lines.size()) {
    const std::string& line = lines[i++];
    if (blank_line(line)) continue;
    std::string input = line;
    if (line.find_first_not_of(" \t") != std::string::npos && line[line.find_first_not_of(" \t")] == ':') {
      inputs.push_back(input);
      continue;
    }
    while (i < lines.size() && !blank_line(lines[i])) {
      int depth = 0;
      bool colon = false;
      scan(input, depth, colon);
      if (!colon && !indented(lines[i])) break;
      input += '\n';  // (not "\n" + ...: GCC 12 at -O3 warns falsely about that temporary)
      input += colon ? as_continuation(lines[i++]) : lines[i++];
    }
    inputs.push_back(input);
  }
  return inputs;
}

int repl_command(const std::vector<std::string>& files, std::vector<host_series> host,
                 bool exact) {
  const bool tty = isatty(0) != 0;
  const bool color = tty && isatty(1) && std::getenv("NO_COLOR") == nullptr;
  repl_session session(std::move(host), color, stdout, stderr);
  session.set_exact(exact);
  bool ok = true;
  for (const std::string& f : files) ok = session.load_file(f) && ok;
  if (tty) return interactive(session);

  std::vector<std::string> lines;
  for (std::string line; std::getline(std::cin, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  for (const std::string& input : repl_split_script(lines)) {
    if (session.quit_requested()) break;
    ok = session.handle(input) && ok;
  }
  std::fflush(stdout);
  return ok ? 0 : 1;
}

}  // namespace sluice
