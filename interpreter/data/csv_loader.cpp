// Reading series from downloaded CSV files (see csv_loader.hpp): one buffer, scanned with
// pointers, numbers through std::from_chars. Row problems become rejected rows with their
// line; only problems of the whole file (binary, no header, no date column) fail the load.
// Here: the load's outline, the whole-file checks, reading files, and exact mode's column
// text. Cells and numbers: csv_cells.hpp; the header: csv_header.cpp; the rows:
// csv_rows.cpp; the report: csv_load_report.cpp.
#include "interpreter/data/csv_loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "interpreter/data/csv_loader_internal.hpp"

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace sluice {

namespace csv_detail {

namespace {

// Binary detection looks at this many leading bytes: a NUL among them, or more than 1 in
// 10 of them being control characters or broken UTF-8, means the file is not text.
constexpr std::size_t text_sample_bytes = 64 * 1024;
constexpr std::size_t max_non_text_per_ten = 1;
// Cell text quoted in messages is cut here so a runaway cell cannot flood the report.
constexpr std::size_t max_quoted_cell = 40;

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

}  // namespace

csv_result fail(std::string message, std::size_t line) {
  csv_result result;
  result.failure = {std::move(message), line};
  return result;
}

std::string quote_cell(std::string_view text) {
  if (text.size() <= max_quoted_cell) return fmt::format("'{}'", text);
  return fmt::format("'{}...'", text.substr(0, max_quoted_cell));
}

// Asks the kernel to back [data, data + bytes) with memory now, in one call, instead of
// one page fault per 4 KiB page as the loader first writes it (faults are the largest
// cost of a load on some virtual machines), with huge pages where it grants them. Only a
// hint: contents are unchanged, and failures (old kernels, other systems) are ignored.
void prefault(void* data, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
  const long page = ::sysconf(_SC_PAGESIZE);
  if (page <= 0) return;
  const auto page_size = static_cast<std::uintptr_t>(page);
  const auto begin = (reinterpret_cast<std::uintptr_t>(data) + page_size - 1) & ~(page_size - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(page_size - 1);
  if (end <= begin) return;
#ifdef MADV_HUGEPAGE
  ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#endif
  ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
#else
  (void)data;
  (void)bytes;
#endif
}

// ---------------------------------------------------------------------------------------
// Whole-file checks

namespace {

// Length of a valid UTF-8 sequence starting at p, 0 when invalid. A sequence cut by the
// end of the sample counts as valid.
std::size_t utf8_sequence_length(const unsigned char* p, const unsigned char* end) {
  const unsigned char c = *p;
  std::size_t length = c < 0x80           ? 1
                       : (c >> 5) == 0x6  ? 2
                       : (c >> 4) == 0xE  ? 3
                       : (c >> 3) == 0x1E ? 4
                                          : 0;
  for (std::size_t i = 1; i < length; ++i) {
    if (p + i == end) return i;
    if ((p[i] & 0xC0) != 0x80) return 0;
  }
  return length;
}

// 1-based line and column of `at` in `text`.
std::pair<std::size_t, std::size_t> line_and_column(std::string_view text, std::size_t at) {
  const std::string_view before = text.substr(0, at);
  const std::size_t line =
      static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n')) + 1;
  const std::size_t line_start = before.rfind('\n');
  return {line, line_start == std::string_view::npos ? at + 1 : at - line_start};
}

std::optional<std::string> binary_problem(std::string_view bytes) {
  if (bytes.starts_with("PK\x03\x04"))
    return "a ZIP archive (an Excel .xlsx workbook?), not CSV text; export it as CSV";
  // Only a sample. A NUL counts as one non-text byte: a stray one (anywhere) only makes
  // its row rejected, with its line and column.
  const std::string_view sample = bytes.substr(0, text_sample_bytes);
  const auto* p = reinterpret_cast<const unsigned char*>(sample.data());
  const auto* end = p + sample.size();
  const std::size_t sampled = end - p;
  std::size_t non_text = 0;
  while (p < end) {
    const std::size_t length = utf8_sequence_length(p, end);
    const bool control = *p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r';
    if (length == 0 || control || *p == 0x7F) {
      ++non_text;
      ++p;
    } else {
      p += length;
    }
  }
  if (non_text * 10 > sampled * max_non_text_per_ten) {
    std::string where;
    if (const std::size_t nul = sample.find('\0'); nul != std::string_view::npos) {
      const auto [line, column] = line_and_column(sample, nul);
      // UTF-16 without a byte-order mark has a NUL in every other byte of ASCII text.
      where = fmt::format("a NUL byte at line {}, column {}; ", line, column);
    }
    return fmt::format(
        "binary file ({}{} of the first {} bytes are not text), not CSV text{}", where, non_text,
        sampled, where.empty() ? "" : " (UTF-16 without a byte-order mark? save it as UTF-8)");
  }
  return std::nullopt;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// The load

csv_result loader::run() {
  if (bytes_.empty()) return fail("empty file");
  text_ = normalize_csv_text(bytes_);
  if (!text_.error.empty()) return fail(text_.error, text_.error_line);
  bytes_ = text_.bytes();
  table_.notes = text_.notes;
  if (auto problem = binary_problem(bytes_)) return fail(*problem);
  if (bytes_.starts_with(utf8_bom)) bytes_.remove_prefix(utf8_bom.size());
  row_reader reader(bytes_);
  csv_row header;
  if (!reader.next_nonblank(header)) return fail("no header: the file has only blank lines");
  if (auto failure = read_header(header, reader)) return std::move(*failure);
  read_rows(reader);
  finish();
  // Where each row and column came from, so exact mode can read the text again.
  table_.lines = std::move(lines_);
  for (std::size_t c = 0; c < plan_.value_index.size(); ++c)
    if (plan_.value_index[c] >= 0) table_.source_columns.push_back(c);
  csv_result result;
  result.table = std::move(table_);
  return result;
}

}  // namespace csv_detail

using namespace csv_detail;

csv_result parse_csv(std::string_view bytes, const std::string& path) {
  return loader(bytes, path).run();
}

#if defined(__unix__) || defined(__APPLE__)
// Maps a regular file read-only, so parsing works on the page cache without a copy.
// Returns nullopt for anything mmap cannot take (pipes, empty files); the caller reads.
std::optional<csv_result> parse_mapped(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return std::nullopt;
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) || info.st_size <= 0) {
    ::close(fd);
    return std::nullopt;
  }
  const auto size = static_cast<std::size_t>(info.st_size);
  int flags = MAP_PRIVATE;
#ifdef MAP_POPULATE
  flags |= MAP_POPULATE;  // one fault-in up front instead of one per 4 KiB page
#endif
  void* data = ::mmap(nullptr, size, PROT_READ, flags, fd, 0);
  ::close(fd);
  if (data == MAP_FAILED) return std::nullopt;
  csv_result result = parse_csv({static_cast<const char*>(data), size}, path);
  ::munmap(data, size);
  return result;
}
#endif

namespace {

// The file's bytes, or why not ("cannot open 'x.csv': No such file or directory").
std::string read_whole_file(const std::string& path, std::string& bytes) {
  // A folder opens for reading on POSIX and then fails with a vague error: say what it is.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return fmt::format("'{}' is a folder, not a CSV file", path);
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return fmt::format("cannot open '{}': {}", path, std::strerror(errno));
  char chunk[1 << 16];
  std::size_t got = 0;
  while ((got = std::fread(chunk, 1, sizeof chunk, file)) > 0) bytes.append(chunk, got);
  const bool error = std::ferror(file) != 0;
  std::fclose(file);
  return error ? fmt::format("cannot read '{}'", path) : std::string();
}

}  // namespace

csv_result load_csv_file(const std::string& path) {
#if defined(__unix__) || defined(__APPLE__)
  if (auto result = parse_mapped(path)) return std::move(*result);
#endif
  std::string bytes;
  if (std::string problem = read_whole_file(path, bytes); !problem.empty()) return fail(problem);
  return parse_csv(bytes, path);
}

// ---------------------------------------------------------------------------------------
// Exact mode: a column's decimal text, read again from the bytes the table came from.

std::optional<std::vector<std::string>> column_text(std::string_view bytes, const csv_table& table,
                                                    int column) {
  if (column < 0 || static_cast<std::size_t>(column) >= table.source_columns.size() ||
      table.lines.size() != table.times.size())
    return std::nullopt;
  const std::size_t file_column = table.source_columns[static_cast<std::size_t>(column)];
  const std::vector<double>& values = table.cells[static_cast<std::size_t>(column)];
  // Rows in file order: (line, row of the table).
  std::vector<std::pair<std::uint32_t, std::size_t>> wanted(table.lines.size());
  for (std::size_t r = 0; r < table.lines.size(); ++r) wanted[r] = {table.lines[r], r};
  std::sort(wanted.begin(), wanted.end());
  const csv_text text_form = normalize_csv_text(bytes);  // as the load read them
  if (!text_form.error.empty()) return std::nullopt;
  bytes = text_form.bytes();
  if (bytes.starts_with(utf8_bom)) bytes.remove_prefix(utf8_bom.size());
  std::vector<std::string> out(table.times.size());
  row_reader reader(bytes);
  csv_row row;
  std::size_t next = 0;
  while (next < wanted.size() && reader.next(row)) {
    if (row.number != wanted[next].first) continue;
    if (row.status != split_status::ok || file_column >= row.cells.size()) return std::nullopt;
    const raw_cell& cell = row.cells[file_column];
    const std::size_t r = wanted[next++].second;
    double check = 0;
    const value_status status = parse_value(cell, check);
    // The bytes must still be the ones the table was read from.
    if (status == value_status::missing) {
      if (!std::isnan(values[r])) return std::nullopt;
      continue;
    }
    if (status != value_status::number || !(check == values[r])) return std::nullopt;
    std::string_view text = cell.text;
    char buf[max_number_length];
    if (cell.quoted && text.find(',') != std::string_view::npos) {
      std::size_t length = 0;
      if (!strip_thousands(text, buf, length)) return std::nullopt;
      text = {buf, length};
    }
    if (!text.empty() && text[0] == '+') text.remove_prefix(1);
    out[r] = std::string(text);
  }
  if (next != wanted.size()) return std::nullopt;
  return out;
}

std::optional<std::vector<std::string>> load_column_text(const std::string& path,
                                                         const csv_table& table, int column) {
  std::string bytes;
  if (!read_whole_file(path, bytes).empty()) return std::nullopt;
  return column_text(bytes, table, column);
}

void defined_cells(const csv_table& table, int column, std::vector<time_point>& times,
                   std::vector<double>& values) {
  const std::vector<double>& cells = table.cells[static_cast<std::size_t>(column)];
  const auto defined = static_cast<std::size_t>(
      std::count_if(cells.begin(), cells.end(), [](double v) { return !std::isnan(v); }));
  times.clear();
  values.clear();
  times.reserve(defined);
  values.reserve(defined);
  prefault(times.data(), defined * sizeof(time_point));
  prefault(values.data(), defined * sizeof(double));
  for (std::size_t r = 0; r < table.times.size(); ++r) {
    if (std::isnan(cells[r])) continue;
    times.push_back(table.times[r]);
    values.push_back(cells[r]);
  }
}

int find_column(const csv_table& table, std::string_view wanted) {
  const std::string want = normalize_name(wanted);
  for (std::size_t c = 0; c < table.columns.size(); ++c)
    if (normalize_name(table.columns[c]) == want) return static_cast<int>(c);
  return -1;
}

}  // namespace sluice
