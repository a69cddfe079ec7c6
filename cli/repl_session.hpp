// The state behind `sluice repl`: a growing program source that is recompiled whole for
// every statement (an error leaves it as it was), and expressions evaluated by compiling
// the session plus a probe rule and reading the probe's registers over the timeline.
// Terminal handling lives in repl.cpp; this class only reads text and prints results.
#pragma once
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/compile/compiler.hpp"
#include "interpreter/run/run.hpp"

namespace sluice {

// One statement of the session, with where it came from (for diagnostics and :rules).
struct repl_entry {
  std::string text;              // the statement as compiled, ending with '\n'
  std::string origin;            // "<repl>" or the rule file it was loaded from
  std::uint32_t first_line = 1;  // line of text's first line in `origin`
  std::size_t prefix = 0;        // bytes the REPL put before the user's text (probes)
  std::string key;               // "name x", "series x", "rule r", "set window": a later
                                 // statement with the same key replaces this one
  bool probe = false;            // the REPL's own helper lines, never shown to the user
};

// Where the session's text is cut into entries (offsets and first lines in the whole text).
struct repl_layout {
  std::string text;
  std::vector<std::size_t> offsets;
  std::vector<std::uint32_t> lines;
};

class repl_session {
 public:
  repl_session(std::vector<host_series> host, bool color, std::FILE* out, std::FILE* err);

  // One logical input: a :command, a statement or an expression (possibly several lines).
  // Prints the result; returns false when it failed.
  bool handle(std::string_view input);
  // `:load FILE`: the file's statements join the session (all or none).
  bool load_file(const std::string& path);
  bool quit_requested() const { return quit_; }
  // Back to a new session's state (no statements, no :at or :range, double arithmetic),
  // keeping the series files already read: lets a fuzz target reuse one session.
  void reset();
  // Decimal arithmetic for everything evaluated from here on (`sluice repl --exact`,
  // `:exact on`; docs/exact.md).
  void set_exact(bool on) { exact_ = on; }

  // Candidates for Tab completion of `word`: commands after a leading ':', rule names
  // after `:explain`, file paths after `:load`, otherwise keywords, series, definitions,
  // builtins and signals.
  std::vector<std::string> complete(std::string_view line_before_word, std::string_view word) const;
  static const std::vector<std::string>& command_names();
  // Rule files and folders whose path starts with `word` (after `:load`).
  static std::vector<std::string> complete_path(std::string_view word);
  // A statement whose only parse errors are at its end (`rule "x": when a`): the terminal
  // front end then asks for more lines instead of reporting them.
  static bool incomplete(std::string_view input);

 private:
  bool command(std::string_view input);
  bool statements(const std::string& text, const std::string& origin, const std::string& base_dir);
  bool expression(const std::string& text, const std::string& label, bool disasm_only);

  // Compiles entries; prints mapped diagnostics unless `quiet`. probe_error (optional) is
  // set when every error lies in the REPL's probe lines (the expression has another type).
  std::shared_ptr<const program> compile_entries(const std::vector<repl_entry>& entries,
                                                 bool quiet, bool* probe_error,
                                                 std::vector<diagnostic>* kept = nullptr);
  void print_diagnostic(const diagnostic& d, const std::vector<repl_entry>& entries,
                        const repl_layout& layout);
  std::string map_locations(std::string text, const std::vector<repl_entry>& entries,
                            const repl_layout& layout) const;

  void print_rule_events(const std::vector<std::size_t>& rule_indices);
  bool show_series();
  bool show_rules();
  bool run_all();
  bool stats(std::string_view args);
  bool explain(std::string_view args);
  bool set_at(std::string_view args);
  bool set_range(std::string_view args);
  bool exact_command(std::string_view args);
  void help();

  std::vector<std::string> definition_names() const;
  run_options current_run_options() const;
  void fail(const std::string& message, const std::string& note = {});

  std::vector<host_series> host_;
  bool color_;
  bool exact_ = false;
  std::FILE* out_;
  std::FILE* err_;
  std::vector<repl_entry> entries_;
  std::shared_ptr<const program> program_;  // the session compiled (always without errors)
  csv_provider data_;
  std::optional<time_point> at_, from_, to_;
  bool quit_ = false;
};

}  // namespace sluice
