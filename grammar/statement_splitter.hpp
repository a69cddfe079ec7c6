// Cuts rule text into statements before any of it is parsed, and checks its bytes: a NUL or
// bytes that are not UTF-8 become a diagnostic at their line and column.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "interpreter/diagnostics.hpp"

namespace sluice::parse_detail {

// Length of the valid UTF-8 sequence at p (1 to 4 bytes), or 0 when the bytes there are
// not UTF-8 (overlong forms, surrogates and code points past U+10FFFF included).
std::size_t utf8_length(const unsigned char* p, const unsigned char* end);

// Scans text for a NUL byte or bytes that are not UTF-8; returns the offset of the first
// one and a message, or nothing when the text is clean.
std::optional<std::pair<std::size_t, std::string>> find_bad_byte(std::string_view text);

inline bool has_bom(std::string_view text) { return text.substr(0, 3) == "\xEF\xBB\xBF"; }

// One statement's text: whole lines [begin, end) starting at `line`, column 1.
struct statement_span {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  std::uint32_t line = 1;
  std::optional<diagnostic> bad;  // first NUL / invalid UTF-8 byte inside it
};

// Cuts `src` into statements, one pass over its bytes. A non-blank line that is not
// indented starts a statement, unless parentheses are still open; blank and comment-only
// lines belong to no statement. Bad bytes on such lines are passed to on_error at once; on
// statement lines they are kept with the statement, which then reports only that.
void split_statements(std::string_view src, const std::string& file,
                      const std::function<void(const statement_span&)>& on_statement,
                      const std::function<void(diagnostic)>& on_error);

}  // namespace sluice::parse_detail
