// file:URL: any CSV over HTTP(S), checked with Sluice's own CSV loader and saved as it
// came, so the file is one `--data` reads. fetch_command.cpp compares every value column
// with the previous file's before replacing it.
#include <fmt/format.h>

#include "cli/fetch/provider.hpp"
#include "interpreter/data/csv_loader.hpp"

namespace sluice::fetch {

download fetch_file(const series_spec& spec, const fetch_context& ctx) {
  download d;
  d.url = spec.id;
  // Query strings may carry keys (apikey=...); only the path goes to the manifest.
  if (const auto q = d.url.find('?'); q != std::string::npos) d.url = d.url.substr(0, q) + "?...";
  const http_result r = get(ctx, spec.id);
  if (!r.ok) {
    d.error = failure_message(r, d.url);
    return d;
  }
  if (auto html = html_instead_of(r.body, "CSV"); !html.empty()) {
    d.error = fmt::format("{} from {}", html, d.url);
    return d;
  }
  const csv_result parsed = parse_csv(r.body, d.url);
  if (!parsed.table) {
    d.error = fmt::format("{} is not a CSV file Sluice reads: {}{}", d.url, parsed.failure.message,
                          parsed.failure.line ? fmt::format(" (line {})", parsed.failure.line) : "");
    return d;
  }
  const csv_table& t = *parsed.table;
  if (!t.rejected.empty()) {
    d.error = fmt::format("{} has rows Sluice cannot read, e.g. line {}: {}", d.url,
                          t.rejected.front().line, t.rejected.front().reason);
    return d;
  }
  for (const std::string& note : t.notes) d.notes.push_back(note);
  d.raw_csv = r.body;
  d.ok = true;
  return d;
}

}  // namespace sluice::fetch
