// `sluice watch --state FILE`: what a restart needs to send every firing once more at most.
//   FILE          JSON, replaced atomically (write FILE.tmp, fsync, rename, fsync the folder):
//                 the point evaluated through, the ids delivered recently, and the outbox
//                 (events found but not yet delivered to every sink, with their bodies).
//   FILE.journal  the stdin lines watch accepted (observations and clock lines), appended and
//                 fsynced before any point they complete is evaluated, so that a restart
//                 replays history + journal into the same session state.
#pragma once
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "cli/watch/event_json.hpp"

namespace sluice::watch {

struct outbox_entry {
  outgoing event;
  std::vector<std::string> sinks;  // sink names still to deliver to
};

struct watch_state {
  std::int64_t evaluated_through = 0;  // milliseconds (version-1 files' seconds are converted)
  // Deques: events leave the outbox, and old ids the list, at the front.
  std::deque<std::string> delivered;  // the most recent ids, oldest first
  std::deque<outbox_entry> outbox;
};

class state_store {
 public:
  explicit state_store(std::string path);

  // nullopt when FILE does not exist (a first start); an error text when it is unreadable.
  std::optional<watch_state> load(std::string& error) const;
  // Atomic replace; false with `error` on failure.
  bool save(const watch_state& s, std::string& error) const;

  // The journal's lines, in order (a torn last line, from a crash mid-append, is dropped).
  std::vector<std::string> journal_lines() const;
  bool open_journal(std::string& error);
  void append(std::string_view line);  // buffered
  bool sync(std::string& error);       // write the buffer and fsync (no-op when empty)

  const std::string& path() const { return path_; }
  const std::string& journal_path() const { return journal_path_; }
  bool has_journal() const;  // a journal with at least one byte

 private:
  std::string path_;
  std::string journal_path_;
  int journal_fd_ = -1;
  std::string buffer_;
};

}  // namespace sluice::watch
