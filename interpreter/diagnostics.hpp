// Diagnostics: every error Sluice reports about rule text or data, in one format:
//   file:line:col: error: message
//     the source line
//         ^
//   note: did you mean 'russell'?
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

// A place in a source text. Lines and columns are 1-based; column counts bytes.
struct source_pos {
  std::uint32_t offset = 0;
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

struct source_range {
  source_pos begin;
  source_pos end;
};

enum class severity : std::uint8_t { error, warning, note };

struct diagnostic {
  severity level = severity::error;
  std::string file;     // source name as given by the user ("rules.sluice", "<repl>")
  source_pos pos;       // where the caret goes
  std::string message;  // what is wrong, in words
  std::string note;     // optional hint ("did you mean 'russell'?")
  bool has_pos = true;  // false for whole-file or data problems without a position
};

// Collects diagnostics of a whole pass; errors are values, never exceptions.
class diagnostics {
 public:
  void error(std::string file, source_pos pos, std::string message, std::string note = {});
  void warning(std::string file, source_pos pos, std::string message, std::string note = {});
  void add(diagnostic d) { items_.push_back(std::move(d)); }

  bool has_errors() const;
  std::size_t error_count() const;
  const std::vector<diagnostic>& items() const { return items_; }
  void append(const diagnostics& other);
  // Orders diagnostics of each file by position (files keep their first-seen order).
  void sort_by_position();

 private:
  std::vector<diagnostic> items_;
};

// Renders one diagnostic with the source line and caret; `source` is the text the
// position refers to (empty when not available: then only the first line is printed).
std::string render(const diagnostic& d, std::string_view source, bool color = false);

// The closest candidate within a small edit distance, or "" when none is close enough.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace sluice
