// Text the CSV row reader does not take as it is, rewritten before the load: UTF-16 with a
// byte-order mark (Excel's "Unicode text" export) decoded to UTF-8, and old-Mac lone-CR
// line ends turned into LF. Both the load and exact mode's second read (column_text) go
// through here, so line numbers and cells agree between them.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

struct csv_text {
  std::string_view input;  // the bytes as given
  std::string storage;     // the rewritten text when the input needed one
  bool rewritten = false;
  std::vector<std::string> notes;  // what was rewritten, for the load report
  std::string error;               // set when the text cannot be decoded (with its line)
  std::size_t error_line = 0;

  // What to parse. (A view into `storage` is not kept: moving a short string moves its
  // characters.)
  std::string_view bytes() const { return rewritten ? std::string_view(storage) : input; }
};

// Never copies a UTF-8 file with LF or CRLF line ends (the usual case).
csv_text normalize_csv_text(std::string_view bytes);

}  // namespace sluice
