// UTF-16 decoding is glibc's iconv (POSIX), not a hand-written decoder; the line-end
// rewrite keeps one output line per input line, so line numbers in messages are the
// file's own.
#include "interpreter/data/csv_text.hpp"

#include <fmt/format.h>
#include <iconv.h>

#include <algorithm>
#include <cerrno>

namespace sluice {

namespace {

// Decodes `bytes` (UTF-16 after its BOM) into out. Returns "" or why not.
std::string decode_utf16(std::string_view bytes, const char* encoding, std::string& out,
                         std::size_t& line) {
  if (bytes.size() % 2 != 0)
    return fmt::format("{} text with an odd number of bytes ({}): the file looks cut short",
                       encoding, bytes.size() + 2);
  const iconv_t cd = ::iconv_open("UTF-8", encoding);
  if (cd == reinterpret_cast<iconv_t>(-1))
    return fmt::format("{} text, and this system cannot decode it (iconv)", encoding);
  out.resize(bytes.size() / 2 * 3 + 16);       // a UTF-16 code unit is at most 3 UTF-8 bytes
  char* in = const_cast<char*>(bytes.data());  // iconv's signature; the input is not written
  std::size_t in_left = bytes.size();
  char* to = out.data();
  std::size_t to_left = out.size();
  const std::size_t status = ::iconv(cd, &in, &in_left, &to, &to_left);
  const int error = errno;
  ::iconv_close(cd);
  out.resize(out.size() - to_left);
  if (status == static_cast<std::size_t>(-1)) {
    line = static_cast<std::size_t>(std::count(out.begin(), out.end(), '\n')) + 1;
    return fmt::format("{} text that is not valid {} at byte {} of the file ({})", encoding,
                       encoding, static_cast<std::size_t>(in - bytes.data()) + 2,
                       error == EINVAL ? "a character cut short" : "an unpaired surrogate");
  }
  return {};
}

// Old Mac OS files end lines with CR alone: the first line break decides.
bool lone_cr_line_ends(std::string_view text) {
  const std::size_t at = text.find_first_of("\r\n");
  return at != std::string_view::npos && text[at] == '\r' &&
         (at + 1 == text.size() || text[at + 1] != '\n');
}

}  // namespace

csv_text normalize_csv_text(std::string_view bytes) {
  csv_text result;
  result.input = bytes;
  const bool le = bytes.starts_with("\xFF\xFE");
  if (le || bytes.starts_with("\xFE\xFF")) {
    const char* encoding = le ? "UTF-16LE" : "UTF-16BE";
    result.error = decode_utf16(bytes.substr(2), encoding, result.storage, result.error_line);
    if (!result.error.empty()) return result;
    result.rewritten = true;
    result.notes.push_back(fmt::format("{} text (byte-order mark); decoded to UTF-8", encoding));
  }
  if (lone_cr_line_ends(result.bytes())) {
    if (!result.rewritten) result.storage.assign(bytes);
    result.rewritten = true;
    // A CR followed by LF stays a CRLF line end; every other CR ends a line.
    std::string& s = result.storage;
    for (std::size_t i = 0; i < s.size(); ++i)
      if (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n')) s[i] = '\n';
    result.notes.push_back("lines end with CR alone (old Mac OS); read as line ends");
  }
  return result;
}

}  // namespace sluice
