// Collecting and rendering diagnostics (see diagnostics.hpp).
#include "interpreter/diagnostics.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sluice {

void diagnostics::error(std::string file, source_pos pos, std::string message, std::string note) {
  items_.push_back({severity::error, std::move(file), pos, std::move(message), std::move(note)});
}

void diagnostics::warning(std::string file, source_pos pos, std::string message,
                          std::string note) {
  items_.push_back({severity::warning, std::move(file), pos, std::move(message), std::move(note)});
}

bool diagnostics::has_errors() const { return error_count() > 0; }

std::size_t diagnostics::error_count() const {
  return static_cast<std::size_t>(std::count_if(
      items_.begin(), items_.end(), [](const diagnostic& d) { return d.level == severity::error; }));
}

void diagnostics::append(const diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

void diagnostics::sort_by_position() {
  std::vector<std::string> files;
  for (const diagnostic& d : items_)
    if (std::find(files.begin(), files.end(), d.file) == files.end()) files.push_back(d.file);
  auto rank = [&](const diagnostic& d) {
    return std::find(files.begin(), files.end(), d.file) - files.begin();
  };
  std::stable_sort(items_.begin(), items_.end(), [&](const diagnostic& a, const diagnostic& b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    if (a.pos.line != b.pos.line) return a.pos.line < b.pos.line;
    return a.pos.column < b.pos.column;
  });
}

static std::string_view line_at(std::string_view source, std::uint32_t offset) {
  if (offset > source.size()) return {};
  std::size_t begin = source.rfind('\n', offset == 0 ? 0 : offset - 1);
  begin = (begin == std::string_view::npos || offset == 0) ? 0 : begin + 1;
  if (offset > 0 && source[offset - 1] == '\n') begin = offset;
  std::size_t end = source.find('\n', begin);
  if (end == std::string_view::npos) end = source.size();
  std::string_view line = source.substr(begin, end - begin);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::string render(const diagnostic& d, std::string_view source, bool color) {
  const char* label = d.level == severity::error     ? "error"
                      : d.level == severity::warning ? "warning"
                                                     : "note";
  const char* on = color ? (d.level == severity::error ? "\x1b[1;31m" : "\x1b[1;35m") : "";
  const char* off = color ? "\x1b[0m" : "";
  std::string out;
  if (d.has_pos)
    out = fmt::format("{}:{}:{}: {}{}:{} {}\n", d.file, d.pos.line, d.pos.column, on, label, off,
                      d.message);
  else
    out = fmt::format("{}: {}{}:{} {}\n", d.file, on, label, off, d.message);
  if (d.has_pos && !source.empty()) {
    std::string_view line = line_at(source, d.pos.offset);
    // Long lines (minified or hostile input) are cut around the caret.
    std::size_t caret = d.pos.column > 0 ? d.pos.column - 1 : 0;
    // UTF-8 continuation bytes (10xxxxxx) neither start a cut nor take a caret column:
    // one character of `é` or `€` is one space of padding.
    auto continuation = [&](std::size_t i) {
      return i < line.size() && (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80;
    };
    std::size_t from = caret > 60 ? caret - 60 : 0;
    while (from > 0 && continuation(from)) --from;
    std::size_t to = std::min(line.size(), from + 120);
    while (to > from && to < line.size() && continuation(to)) --to;
    std::string_view shown = line.substr(std::min(from, line.size()), to - std::min(from, to));
    std::string pad;
    for (std::size_t i = from; i < caret && i - from < shown.size(); ++i) {
      if (continuation(i)) continue;
      pad += shown[i - from] == '\t' ? '\t' : ' ';
    }
    out += fmt::format("  {}\n  {}^\n", shown, pad);
  }
  if (!d.note.empty()) out += fmt::format("  note: {}\n", d.note);
  return out;
}

static std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
  if (name.size() > 64) return {};
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(1, std::min<std::size_t>(3, name.size() / 3));
  for (const std::string& c : candidates) {
    if (c.size() > 64) continue;
    std::size_t dist = edit_distance(name, c);
    if (dist <= best_distance && (best.empty() || dist < best_distance)) {
      best = c;
      best_distance = dist;
    }
  }
  return best;
}

}  // namespace sluice
