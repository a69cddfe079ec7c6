// Printing events for people (an aligned table), for programs (JSON lines) and for
// spreadsheets (CSV).
#pragma once
#include <string>
#include <vector>

#include "interpreter/run/run.hpp"

namespace sluice {

enum class output_format { table, jsonl, csv };

std::string format_events_table(const std::vector<event>& events, bool color);
std::string format_events_jsonl(const std::vector<event>& events);
std::string format_events_csv(const std::vector<event>& events);

std::string json_escape(std::string_view text);

}  // namespace sluice
