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
// csv: date, rule, actions, messages, then one column per value name: `names` first (a
// run passes every rule's value names, so the columns do not depend on which rules fired).
std::string format_events_csv(const std::vector<event>& events, std::vector<std::string> names = {});

std::string json_escape(std::string_view text);

}  // namespace sluice
