// alert_bot: a tiny host of the embedding API. It compiles a rule file, reads observations as
// `date,series,value` lines from stdin (in time order across series, as a live feed delivers
// them) and prints every alert the moment its rule fires.
//
//   alert_bot RULES.sluice SERIES[:STALE]... < feed.csv
//
// Each SERIES is a series the rules read, declared without history; STALE (e.g. `28d` for a
// weekly series) says after how long its last value counts as missing (default 7 days).
#include <sluice/sluice.hpp>

#include <charconv>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace {

// "28d" / "4w" / "3mo" -> a period; nullopt when it is not one.
std::optional<sluice::period> parse_period(std::string_view text) {
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || n < 0) return std::nullopt;
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  if (unit == "d") return sluice::days(n);
  if (unit == "w") return sluice::weeks(n);
  if (unit == "mo") return sluice::months(n);
  return std::nullopt;
}

void print(const sluice::event& e) {
  const std::string when = sluice::format_timestamp(e.time);
  if (e.messages.empty()) {
    std::cout << when << ' ' << e.rule << ':';
    for (const std::string& a : e.actions) std::cout << ' ' << a;
    std::cout << '\n';
  }
  for (const std::string& m : e.messages) std::cout << when << ' ' << e.rule << ": " << m << '\n';
  std::cout.flush();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: alert_bot RULES.sluice SERIES[:STALE]... < observations (date,series,value)\n";
    return 2;
  }
  std::ifstream file(argv[1]);
  if (!file) {
    std::cerr << "alert_bot: cannot read " << argv[1] << '\n';
    return 2;
  }
  std::stringstream source;
  source << file.rdbuf();

  sluice::engine engine;  // safe defaults: rule text may not read files
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto colon = arg.find(':');
    sluice::series_options options;
    if (colon != std::string::npos) {
      options.stale = parse_period(std::string_view(arg).substr(colon + 1));
      if (!options.stale) {
        std::cerr << "alert_bot: bad staleness in '" << arg << "' (use e.g. 28d, 4w, 3mo)\n";
        return 2;
      }
    }
    const sluice::status s = engine.add_series(arg.substr(0, colon), {}, {}, options);
    if (!s) {
      std::cerr << "alert_bot: " << s.message << '\n';
      return 2;
    }
  }
  const sluice::compile_result compiled = engine.compile(source.str(), argv[1]);
  std::cerr << compiled.rendered();
  if (!compiled) return 1;

  sluice::session session = compiled.value().stream(print);
  std::string line;
  std::size_t number = 0;
  std::optional<sluice::timestamp> current;
  while (std::getline(std::cin, line)) {
    ++number;
    if (line.empty() || line[0] == '#' || line.rfind("date,", 0) == 0) continue;
    std::stringstream fields(line);
    std::string date, series, value;
    std::getline(fields, date, ',');
    std::getline(fields, series, ',');
    std::getline(fields, value);
    const auto t = sluice::parse_date(date);
    double v = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (!t || ec != std::errc()) {
      std::cerr << "alert_bot: line " << number << ": expected date,series,value\n";
      continue;
    }
    // A new date: everything dated before it has arrived, so the clock moves there.
    if (current && *t > *current) session.advance_to(*current);
    current = t;
    const sluice::push_status s = session.push(series, *t, v);
    if (s != sluice::push_status::accepted)
      std::cerr << "alert_bot: line " << number << ": " << sluice::to_string(s) << '\n';
  }
  session.finish();
  return 0;
}
