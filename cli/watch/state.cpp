// Restart-safe state (see state.hpp).
#include "cli/watch/state.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

namespace sluice::watch {
namespace {

using json = nlohmann::json;

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

state_store::state_store(std::string path) : path_(std::move(path)), journal_path_(path_ + ".journal") {}

std::optional<watch_state> state_store::load(std::string& error) const {
  std::ifstream in(path_, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  watch_state s;
  try {
    const json j = json::parse(text.str());
    s.evaluated_through = j.at("evaluated_through").get<std::int64_t>();
    // Version 1 counted seconds; version 2 milliseconds, as watch's times now are.
    if (j.value("version", 1) < 2 && s.evaluated_through > std::numeric_limits<std::int64_t>::min())
      s.evaluated_through *= 1000;
    for (const auto& id : j.at("delivered")) s.delivered.push_back(id.get<std::string>());
    for (const auto& o : j.at("outbox")) {
      outbox_entry e;
      e.event.id = o.at("id").get<std::string>();
      e.event.date = o.at("date").get<std::string>();
      e.event.rule = o.at("rule").get<std::string>();
      e.event.message = o.at("message").get<std::string>();
      e.event.json = o.at("json").get<std::string>();
      for (const auto& k : o.at("sinks")) e.sinks.push_back(k.get<std::string>());
      s.outbox.push_back(std::move(e));
    }
  } catch (const json::exception& ex) {
    error = fmt::format("{}: not a watch state file: {}", path_, ex.what());
    return std::nullopt;
  }
  return s;
}

bool state_store::save(const watch_state& s, std::string& error) const {
  json j;
  j["version"] = 2;  // 2: evaluated_through in milliseconds
  j["evaluated_through"] = s.evaluated_through;
  j["delivered"] = s.delivered;
  j["outbox"] = json::array();
  for (const outbox_entry& e : s.outbox)
    j["outbox"].push_back({{"id", e.event.id}, {"date", e.event.date}, {"rule", e.event.rule},
                           {"message", e.event.message}, {"json", e.event.json}, {"sinks", e.sinks}});
  const std::string text = j.dump() + "\n";
  const std::string tmp = path_ + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = fmt::format("cannot write {}: {}", tmp, std::strerror(errno));
    return false;
  }
  const bool ok = write_all(fd, text) && fsync(fd) == 0;
  close(fd);
  if (!ok || std::rename(tmp.c_str(), path_.c_str()) != 0) {
    error = fmt::format("cannot write {}: {}", path_, std::strerror(errno));
    return false;
  }
  // The rename itself is durable only once the folder is synced.
  std::string dir = std::filesystem::path(path_).parent_path().string();
  if (dir.empty()) dir = ".";
  const int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return true;
}

bool state_store::has_journal() const {
  std::error_code ec;
  return std::filesystem::file_size(journal_path_, ec) > 0 && !ec;
}

std::vector<std::string> state_store::journal_lines() const {
  std::vector<std::string> lines;
  std::ifstream in(journal_path_, std::ios::binary);
  if (!in) return lines;
  std::stringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  std::size_t start = 0;
  for (std::size_t nl; (nl = all.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(all.substr(start, nl - start));
  // Text after the last newline is an append cut short by a crash: it was never synced as a
  // whole line, so nothing was evaluated from it.
  return lines;
}

bool state_store::open_journal(std::string& error) {
  // A torn last line is cut off first, so the next append starts on a line of its own.
  std::error_code ec;
  if (std::filesystem::exists(journal_path_, ec)) {
    std::size_t keep = 0;
    for (const std::string& l : journal_lines()) keep += l.size() + 1;
    if (keep != std::filesystem::file_size(journal_path_, ec)) std::filesystem::resize_file(journal_path_, keep, ec);
  }
  journal_fd_ = open(journal_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (journal_fd_ < 0) {
    error = fmt::format("cannot open {}: {}", journal_path_, std::strerror(errno));
    return false;
  }
  return true;
}

void state_store::append(std::string_view line) {
  buffer_.append(line);
  buffer_ += '\n';
}

bool state_store::sync(std::string& error) {
  if (buffer_.empty() || journal_fd_ < 0) return true;
  if (!write_all(journal_fd_, buffer_) || fdatasync(journal_fd_) != 0) {
    error = fmt::format("cannot write {}: {}", journal_path_, std::strerror(errno));
    return false;
  }
  buffer_.clear();
  return true;
}

}  // namespace sluice::watch
