// `sluice report` (see report_command.hpp): gather, render, write, and say what was written.
#include "cli/report/report_command.hpp"

#include <fmt/format.h>

#include <chrono>
#include <fstream>

#ifdef SLUICE_REPORT
#include "cli/digest.hpp"
#include "cli/report/gather.hpp"
#include "cli/report/page.hpp"
#endif
#include "interpreter/data/csv_loader.hpp"
#include "interpreter/run/run.hpp"

namespace sluice {

#ifndef SLUICE_REPORT
int report_command(const cli_args&, const std::string&, const program&) {
  fmt::print(stderr,
             "sluice: this sluice was built without `sluice report` (SLUICE_REPORT=OFF: its "
             "charting library could not be fetched from npm at build time); see docs/report.md\n");
  return 2;
}
#else
int report_command(const cli_args& args, const std::string& source, const program& p) {
  const auto started = std::chrono::steady_clock::now();
  csv_provider data;
  report::gather_input in;
  in.rule_file = args.file;
  in.p = &p;
  in.data = &data;
  // As `run`: the evaluation reads all the data up to --as-of; --from/--to choose the
  // events and baseline points reported (the dates were checked by the caller).
  if (args.as_of) in.run.to = parse_iso_date(*args.as_of);
  if (args.from) in.from = parse_iso_date(*args.from);
  if (args.to) in.to = parse_iso_date(*args.to);
  in.horizons = p.horizons;
  if (in.horizons.empty())  // as `run --stats`
    in.horizons = {{duration::unit::days, 30}, {duration::unit::days, 60}, {duration::unit::days, 90}};
  diagnostics diags;
  auto doc = report::gather(in, diags);
  for (const csv_table* t : data.tables()) {
    const bool problems = !t->rejected.empty() || !t->notes.empty();
    if (problems || !args.quiet) fmt::print(stderr, "{}", format_load_report(*t));
  }
  for (const diagnostic& d : diags.items()) fmt::print(stderr, "{}", render(d, source, false));
  if (!doc) return 1;
  // The files the run read, for the page's header (known only after the run loaded them).
  {
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const csv_table* t : data.tables())
      files.push_back({{"path", t->path},
                       {"rows", t->rows_used},
                       {"first", t->times.empty() ? "" : format_time(t->times.front())},
                       {"last", t->times.empty() ? "" : format_time(t->times.back())},
                       {"sha256", sha256_file(t->path)},
                       {"rejected", t->rejected.size()}});
    (*doc)["data"] = std::move(files);
  }
  std::string page;
  try {
    page = report::render_page(*doc);
  } catch (const std::exception& e) {
    fmt::print(stderr, "sluice: cannot build the report page: {}\n", e.what());
    return 1;
  }
  if (args.data_block) {  // the data block alone, for tests and tools
    std::ofstream block(*args.data_block, std::ios::binary);
    block << report::data_block(*doc) << '\n';
    if (!block) {
      fmt::print(stderr, "sluice: cannot write '{}'\n", *args.data_block);
      return 1;
    }
  }
  std::ofstream out(args.output, std::ios::binary);
  out << page;
  out.close();
  if (!out) {
    fmt::print(stderr, "sluice: cannot write '{}'\n", args.output);
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::size_t events = 0;
  for (const auto& r : (*doc)["rules"]) events += r["markers"]["n"].get<std::size_t>();
  if (!args.quiet)
    fmt::print(stderr, "{}: {} rules, {} events, {:.1f} KB, written in {:.2f} s\n", args.output,
               p.rules.size(), events, static_cast<double>(page.size()) / 1024, seconds);
  return 0;
}
#endif

}  // namespace sluice
