// Reading, merging and atomically replacing fetched series files (see series_file.hpp).
#include "cli/fetch/series_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>

#include "interpreter/data/csv_loader.hpp"

namespace sluice::fetch {

std::optional<series_file> read_series_file(const std::string& path, const std::string& column,
                                            std::string& error) {
  const csv_result parsed = load_csv_file(path);
  if (!parsed.table) {
    error = fmt::format("{} exists but Sluice cannot read it ({}); move it away to fetch afresh",
                        path, parsed.failure.message);
    return std::nullopt;
  }
  const csv_table& t = *parsed.table;
  const int c = find_column(t, column);
  if (t.columns.size() != 1 || c != 0) {
    error = fmt::format("{} exists with columns '{}', not the single column '{}' a fetch writes; "
                        "move it away or choose another name with --as",
                        path, fmt::join(t.columns, ","), column);
    return std::nullopt;
  }
  if (!t.rejected.empty()) {
    error = fmt::format("{}:{}: {}; fix or move the file before fetching into it", path,
                        t.rejected.front().line, t.rejected.front().reason);
    return std::nullopt;
  }
  const auto text = load_column_text(path, t, 0);
  if (!text) {
    error = fmt::format("{} changed while it was read", path);
    return std::nullopt;
  }
  series_file f;
  f.column = t.columns[0];
  for (std::size_t i = 0; i < t.times.size(); ++i) f.rows.push_back({t.times[i], (*text)[i]});
  return f;
}

bool same_value(const std::string& a, const std::string& b) {
  if (a == b) return true;
  if (a.empty() || b.empty()) return false;
  // 373.94 and 373.940 are the same number; a decimal text compare would call it a revision.
  char* end_a = nullptr;
  char* end_b = nullptr;
  const double x = std::strtod(a.c_str(), &end_a);
  const double y = std::strtod(b.c_str(), &end_b);
  return *end_a == '\0' && *end_b == '\0' && x == y;
}

merge_result merge_rows(const std::vector<observation>& old, const std::vector<observation>& fresh,
                        bool apply_revisions) {
  merge_result m;
  std::map<time_point, std::string> by_date;
  for (const observation& o : old) by_date[o.date] = o.value;
  const time_point last = old.empty() ? 0 : old.back().date;
  for (const observation& o : fresh) {
    auto it = by_date.find(o.date);
    if (it == by_date.end()) {
      by_date.emplace(o.date, o.value);
      if (old.empty() || o.date > last) ++m.appended;
      else ++m.inserted;
    } else if (it->second.empty() && !o.value.empty()) {
      it->second = o.value;
      ++m.filled;
    } else if (!same_value(it->second, o.value)) {
      m.revisions.push_back({o.date, it->second, o.value});
      if (apply_revisions) it->second = o.value;
    }
  }
  m.rows.reserve(by_date.size());
  for (auto& [date, value] : by_date) m.rows.push_back({date, value});
  return m;
}

std::string render_series_csv(const std::string& column, const std::vector<observation>& rows) {
  std::string out = fmt::format("date,{}\n", column);
  for (const observation& o : rows) out += fmt::format("{},{}\n", format_time(o.date), o.value);
  return out;
}

bool write_atomically(const std::string& path, const std::string& bytes, std::string& error) {
  const std::filesystem::path target(path);
  const std::filesystem::path folder = target.has_parent_path() ? target.parent_path() : ".";
  const std::string temp =
      (folder / fmt::format(".{}.part-{}", target.filename().string(), getpid())).string();
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = fmt::format("cannot create {}: {}", temp, std::strerror(errno));
    return false;
  }
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = fmt::format("cannot write {}: {}", temp, std::strerror(errno));
      ::close(fd);
      ::unlink(temp.c_str());
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    error = fmt::format("cannot flush {} to disk: {}", temp, std::strerror(errno));
    ::unlink(temp.c_str());
    return false;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    error = fmt::format("cannot replace {}: {}", path, std::strerror(errno));
    ::unlink(temp.c_str());
    return false;
  }
  // The rename itself is durable only once the folder's entry is on disk.
  if (const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return true;
}

}  // namespace sluice::fetch
