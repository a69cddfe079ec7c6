// The statement splitter: one pass over the bytes of a source, cutting it into statements
// by indentation and open parentheses, and finding bytes that are not text.
#include "grammar/statement_splitter.hpp"

#include <fmt/format.h>

#include "grammar/grammar.hpp"

namespace sluice::parse_detail {

namespace pegtl = tao::pegtl;
namespace g = grammar;


// Length of the valid UTF-8 sequence at p (1 to 4 bytes), or 0 when the bytes there are
// not UTF-8 (overlong forms, surrogates and code points past U+10FFFF included).
std::size_t utf8_length(const unsigned char* p, const unsigned char* end) {
  const unsigned c = p[0];
  auto cont = [&](std::size_t i, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return p + i < end && p[i] >= lo && p[i] <= hi;
  };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

// Scans [begin, end) for a NUL byte or bytes that are not UTF-8; returns the offset of the
// first one (relative to begin) and a message, or nothing when the text is clean.
std::optional<std::pair<std::size_t, std::string>> find_bad_byte(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  for (const auto* q = p; q < end;) {
    if (*q == 0) return std::pair{static_cast<std::size_t>(q - p), std::string("NUL byte in the source")};
    const std::size_t n = utf8_length(q, end);
    if (n == 0)
      return std::pair{static_cast<std::size_t>(q - p), fmt::format("invalid UTF-8 (byte 0x{:02x})", *q)};
    q += n;
  }
  return std::nullopt;
}

namespace {

// A line at column 1 that starts with a statement keyword begins a new statement even while
// parentheses are open: no expression can continue with those (reserved) words, and this
// keeps one unclosed '(' from swallowing the rest of the file.
bool starts_with_statement_keyword(const char* p, const char* end) {
  pegtl::memory_input<> probe(p, end, "");
  return pegtl::parse<pegtl::sor<g::kw_rule, g::kw_let, g::kw_def, g::kw_load, g::kw_use,
                                 g::kw_set>>(probe);
}

}  // namespace

void split_statements(std::string_view src, const std::string& file,
                      const std::function<void(const statement_span&)>& on_statement,
                      const std::function<void(diagnostic)>& on_error) {
  std::optional<statement_span> current;
  long parens = 0;
  std::uint32_t line = 1;
  for (std::size_t pos = has_bom(src) ? 3 : 0; pos < src.size(); ++line) {
    const std::size_t ls = pos;
    std::size_t le = src.find('\n', pos);
    if (le == std::string_view::npos) le = src.size();
    pos = le + 1;

    std::size_t first = ls;
    while (first < le && (src[first] == ' ' || src[first] == '\t' || src[first] == '\r')) ++first;
    const bool blank = first == le || src[first] == '#' ||
                       (src[first] == '/' && first + 1 < le && src[first + 1] == '/');
    // A CRLF line's '\r' is left out, so that "expected ..." at its end points at the
    // last visible column + 1, as it does on an LF line.
    const std::size_t content_end = le > ls && src[le - 1] == '\r' ? le - 1 : le;
    if (!blank) {
      const bool indented = src[ls] == ' ' || src[ls] == '\t';
      const bool continues =
          current && (indented || (parens > 0 && !starts_with_statement_keyword(
                                                     src.data() + first, src.data() + le)));
      if (continues) {
        current->end = static_cast<std::uint32_t>(content_end);
      } else {
        if (current) on_statement(*current);
        current = statement_span{static_cast<std::uint32_t>(ls),
                                 static_cast<std::uint32_t>(content_end), line, std::nullopt};
        parens = 0;
      }
    }

    // Parentheses outside strings and comments; bytes that are not UTF-8 anywhere.
    bool in_string = false;
    bool in_comment = false;
    std::optional<std::size_t> bad_at;
    std::string bad_message;
    const auto* bytes = reinterpret_cast<const unsigned char*>(src.data());
    for (std::size_t i = ls; i < le;) {
      const unsigned char c = bytes[i];
      if (c == 0 || c >= 0x80) {
        const std::size_t n = c == 0 ? 0 : utf8_length(bytes + i, bytes + le);
        if (n == 0) {
          if (!bad_at) {
            bad_at = i;
            bad_message = c == 0 ? std::string("NUL byte in the source")
                                 : fmt::format("invalid UTF-8 (byte 0x{:02x})", c);
          }
          ++i;
        } else {
          i += n;
        }
        continue;
      }
      if (in_comment) {
        ++i;
      } else if (in_string) {
        if (c == '\\' && i + 1 < le && (src[i + 1] == '"' || src[i + 1] == '\\')) ++i;
        else if (c == '"') in_string = false;
        ++i;
      } else {
        if (c == '"') in_string = true;
        else if (c == '#' || (c == '/' && i + 1 < le && src[i + 1] == '/')) in_comment = true;
        else if (c == '(' && !blank) ++parens;
        else if (c == ')' && !blank && parens > 0) --parens;
        ++i;
      }
    }
    if (bad_at) {
      diagnostic d;
      d.file = file;
      d.message = std::move(bad_message);
      const std::size_t col_base = (line == 1 && has_bom(src)) ? 3 : ls;
      d.pos = {static_cast<std::uint32_t>(*bad_at), line,
               static_cast<std::uint32_t>(*bad_at - col_base + 1)};
      if (blank) on_error(std::move(d));
      else if (!current->bad) current->bad = std::move(d);
    }
  }
  if (current) on_statement(*current);
}

}  // namespace sluice::parse_detail
