// Printing events for people (an aligned table), for programs (JSON lines) and for
// spreadsheets (CSV).
#pragma once
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "interpreter/run/run.hpp"

namespace sluice {

enum class output_format { table, jsonl, csv };

std::string format_events_table(std::span<const event> events, bool color);
std::string format_events_jsonl(std::span<const event> events);
// csv: date, rule, actions, messages, then one column per value name: `names` first (a
// run passes every rule's value names, so the columns do not depend on which rules fired).
std::string format_events_csv(std::span<const event> events, std::vector<std::string> names = {});
// The same text written to `file` as it is formatted, a chunk of about 1 MB at a time, so
// that millions of events (a universe run) never exist as one string; jsonl lines are
// formatted on up to `threads` threads, in blocks written in order. False if a write
// failed.
bool write_events(std::FILE* file, std::span<const event> events, output_format format, bool color,
                  std::vector<std::string> csv_names = {}, unsigned threads = 1);

std::string json_escape(std::string_view text);

}  // namespace sluice
