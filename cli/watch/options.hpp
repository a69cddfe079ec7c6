// The options of `sluice watch` (docs/watch.md), parsed apart from the other commands' because
// watch has its own inputs, sinks and state.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::watch {

enum class stdout_format : std::uint8_t { jsonl, table, none };

struct options {
  std::string file;                                          // the rule file
  std::vector<std::string> data_dirs;                        // --data DIR
  std::vector<std::pair<std::string, std::string>> series;   // --series NAME=PATH
  std::vector<std::pair<std::string, std::string>> lags;     // --lag NAME=DURATION
  bool follow = false;                                       // --follow: re-read grown files
  std::string poll_command;                                  // --poll CMD (implies --follow)
  std::optional<std::int64_t> every_seconds;                 // --every D: how often
  bool exact = false;                                        // --exact
  stdout_format format = stdout_format::jsonl;               // --format jsonl|table|none
  std::optional<std::int64_t> grace_seconds;                 // --grace DURATION
  std::optional<std::int64_t> now;  // --now TIME or SLUICE_WATCH_NOW, in milliseconds
  std::string state_file;                                    // --state FILE
  std::optional<std::int64_t> replay_from;                   // --replay-from DATE, in milliseconds
  std::vector<std::string> webhooks;                         // --webhook URL
  std::string webhook_template;                              // --template TEXT
  double webhook_timeout = 5.0;                              // --timeout SECONDS
  int retries = 5;                     // --retries N: failed attempts before "down" is reported
  double max_backoff = 60.0;           // --max-backoff SECONDS: the longest wait between tries
  double drain = 10.0;                 // --drain SECONDS: retrying the outbox after end of input
  std::vector<std::string> execs;                            // --exec CMD
  bool quiet = false;                                        // --quiet
  bool help = false;                                         // --help
  std::string error;                                         // set when unusable
};

options parse_options(int argc, char** argv);  // argv[1] is "watch"
std::string usage();

// "90s", "15m", "1h", "2d", "1w" -> seconds; nullopt when it is none of these.
std::optional<std::int64_t> parse_span(std::string_view text);
// "2026-01-08", "2026-01-08T14:30:00Z", "2026-01-08T14:30:00.250+02:00" -> UTC milliseconds
// (Sluice's time resolution; api::timestamp_ms).
std::optional<std::int64_t> parse_time(std::string_view text);

}  // namespace sluice::watch
