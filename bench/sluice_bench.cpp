// sluice_bench: Sluice through its library API, timed by phase (CSV loading, compiling,
// computing), printing fire counts and checksums in the format every benchmark program
// shares (`fires R<i> <count> <position sum>`). Subcommands:
//   batch DIR RULES [--weekly] [--reps R] [--block B] [--once] [--time-rules]
//       loads DIR/{russell,spx,tga,alts}.csv (tga_weekly.csv with --weekly), compiles
//       RULES, runs run_batch R times (best time kept); --once hands the loaded data over
//       instead of copying it (one run: the peak-RSS measurement); --time-rules times each
//       rule as the embedding API's program::run does (its cost: docs/performance.md).
//   compile RULES [--reps R]            compile time of a rule file
//   stream DIR RULES [--rules K] [--time-rules]
//                                       streaming latency per bar, first K rules of RULES
//   linear N [--reps R]                 W1 on N generated bars in memory, Sluice vs hand loop
//   pages                               the host's cost of a first touch of a 4 KB page
//                                       (fresh memory) against rewriting touched memory
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "bench/hand_rules.hpp"
#include "bench/timing.hpp"
#include "bench/workload.hpp"
#include "interpreter/compile/compiler.hpp"
#include "interpreter/data/csv_loader.hpp"
#include "interpreter/run/run.hpp"
#include "interpreter/run/stream.hpp"
#include "interpreter/vm/vm.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

using bench::cpu_seconds;
using bench::peak_rss_kb;

std::string format_all(const sluice::diagnostics& diags) {
  std::string out;
  for (const sluice::diagnostic& d : diags.items()) out += sluice::render(d, "") + "\n";
  return out;
}

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "sluice_bench: %s\n", message.c_str());
  std::exit(1);
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) die("cannot read " + path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

const char* const series_names[] = {"russell", "spx", "tga", "alts"};

// Hands run_batch the observations loaded beforehand, so that loading is timed apart.
// Copies (the copy time is measured and subtracted) unless `give` is set: then it moves.
class preloaded : public sluice::series_provider {
 public:
  std::map<std::string, sluice::observations> series;
  bool give = false;
  double copy_seconds = 0;

  bool fetch(const sluice::series_spec& spec, const std::string& field,
             sluice::observations& out, sluice::diagnostics&) override {
    auto found = series.find(spec.name);
    if (found == series.end() || !field.empty()) die("no series " + spec.name);
    const double start = cpu_seconds();
    if (give) out = std::move(found->second);
    else out = found->second;
    copy_seconds += cpu_seconds() - start;
    return true;
  }
};

sluice::compile_options host_options(const std::string& dir, bool weekly) {
  sluice::compile_options options;
  for (const char* name : series_names) {
    std::string file = std::string(name) + (weekly && std::strcmp(name, "tga") == 0 ? "_weekly" : "");
    sluice::host_series h;
    h.name = name;
    h.path = dir + "/" + file + ".csv";
    options.host.push_back(h);
  }
  return options;
}

std::shared_ptr<const sluice::program> compile_rules(const std::string& name,
                                                     const std::string& text,
                                                     const sluice::compile_options& options) {
  sluice::diagnostics diags;
  auto p = sluice::compile_source(name, text, options, diags);
  if (!p) die("compile errors in " + name + ":\n" + format_all(diags));
  return p;
}

// Per rule: fire count and the sum of the positions where it fired.
std::string tally_text(const sluice::program& p, const std::vector<sluice::event>& events) {
  std::vector<bench::tally> t(p.rules.size());
  for (const sluice::event& e : events) {
    ++t[e.rule].count;
    t[e.rule].position_sum += e.index;
  }
  std::string out;
  for (std::size_t r = 0; r < t.size(); ++r)
    out += "fires " + p.rules[r].name + " " + std::to_string(t[r].count) + " " +
           std::to_string(t[r].position_sum) + "\n";
  return out;
}

struct args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
  bool has(const std::string& k) const { return options.count(k) > 0; }
  long number(const std::string& k, long fallback) const {
    auto f = options.find(k);
    return f == options.end() ? fallback : std::stol(f->second);
  }
};

args parse_args(int argc, char** argv, int first) {
  args a;
  for (int i = first; i < argc; ++i) {
    std::string s = argv[i];
    if (s.rfind("--", 0) == 0) {
      const bool flag = s == "--weekly" || s == "--once" || s == "--vm" || s == "--time-rules";
      a.options[s] = flag || i + 1 >= argc ? "1" : argv[++i];
    } else {
      a.positional.push_back(s);
    }
  }
  return a;
}

int batch(const args& a) {
  if (a.positional.size() < 2)
    die("usage: batch DIR RULES [--weekly] [--reps R] [--block B] [--once] [--time-rules]");
  const std::string dir = a.positional[0], rules = a.positional[1];
  const bool weekly = a.has("--weekly"), once = a.has("--once");
  const long reps = once ? 1 : std::max(1L, a.number("--reps", 5));
  const auto options = host_options(dir, weekly);

  // 1. CSV loading, as csv_provider does it: parse, then the defined cells of the column.
  preloaded data;
  data.give = once;
  std::size_t bytes = 0;
  const double load_start = cpu_seconds();
  for (const sluice::host_series& h : options.host) {
    sluice::csv_result r = sluice::load_csv_file(h.path);
    if (!r.table) die(h.path + ": " + r.failure.message);
    const sluice::csv_table& table = *r.table;
    if (table.default_column < 0) die(h.path + ": no default column");
    sluice::observations& obs = data.series[h.name];
    sluice::defined_cells(table, table.default_column, obs.times, obs.values);
  }
  const double load_seconds = cpu_seconds() - load_start;
  for (const sluice::host_series& h : options.host) {
    std::ifstream f(h.path, std::ios::binary | std::ios::ate);
    bytes += static_cast<std::size_t>(f.tellg());
  }

  // 2. Compiling.
  const std::string text = read_file(rules);
  const double compile_start = cpu_seconds();
  auto program = compile_rules(rules, text, options);
  const double compile_seconds = cpu_seconds() - compile_start;

  // 3. Computing: run_batch (timeline, alignment, VM, events), best of `reps`.
  sluice::run_options run;
  // --block 0 (the default): the library's choice, as the CLI runs it.
  run.block_size = static_cast<std::size_t>(a.number("--block", 0));
  if (run.block_size == 0) run.block_size = sluice::block_size_for(*program);
  run.time_rules = a.has("--time-rules");
  double best = 1e300, best_copy = 1e300;
  std::string tallies;
  std::size_t points = 0;
  for (long rep = 0; rep < reps; ++rep) {
    data.copy_seconds = 0;
    sluice::diagnostics diags;
    const double start = cpu_seconds();
    sluice::run_result result = sluice::run_batch(*program, data, run, diags);
    // The copy our provider makes (it keeps the loaded data for the next repetition) is
    // loading, not computing: the CLI's csv_provider builds these vectors from the parsed
    // file instead, and that is timed as loading above.
    const double seconds = cpu_seconds() - start - data.copy_seconds;
    if (!result.ok) die("run failed:\n" + format_all(diags));
    best = std::min(best, seconds);
    best_copy = std::min(best_copy, data.copy_seconds);
    std::string t = tally_text(*program, result.events);
    if (!tallies.empty() && t != tallies) die("results differ between repetitions");
    tallies = std::move(t);
    points = result.timeline_points;
  }
  // The VM alone, over the same inputs aligned beforehand (what run_batch adds is the rest).
  double vm_best = 1e300;
  if (a.has("--vm")) {
    const auto& rus = data.series.at("russell").times;
    std::vector<std::vector<double>> columns;
    for (const sluice::input_spec& in : program->inputs) {
      const auto& obs = data.series.at(program->series[in.series].name);
      columns.push_back(sluice::align(obs, rus, in.shift, std::nullopt,
                                      sluice::default_staleness(obs)));
    }
    for (long rep = 0; rep < reps; ++rep) {
      const double start = cpu_seconds();
      sluice::vm<double> machine(*program, run.block_size);
      std::vector<const double*> inputs(columns.size());
      std::vector<sluice::firing> fired;
      for (std::size_t at = 0; at < rus.size(); at += run.block_size) {
        const std::size_t n = std::min(run.block_size, rus.size() - at);
        for (std::size_t k = 0; k < columns.size(); ++k) inputs[k] = columns[k].data() + at;
        fired.clear();
        machine.execute({n, rus.data() + at, static_cast<std::int64_t>(at)}, inputs.data(), fired);
      }
      vm_best = std::min(vm_best, cpu_seconds() - start);
    }
    std::printf("vm_only_s %.6f\n", vm_best);
  }
  std::printf("%s", tallies.c_str());
  std::printf("block %zu\n", run.block_size);
  std::printf("points %zu\nload_s %.6f\nload_bytes %zu\ncompile_s %.6f\ncompute_s %.6f\n"
              "fetch_copy_s %.6f\ninstructions %zu\nrss_kb %ld\n",
              points, load_seconds, bytes, compile_seconds, best, best_copy, program->code.size(),
              peak_rss_kb());
  return 0;
}

int compile_time(const args& a) {
  if (a.positional.empty()) die("usage: compile RULES [--reps R]");
  const std::string text = read_file(a.positional[0]);
  const auto options = host_options(".", false);
  double best = 1e300;
  std::size_t rules = 0, code = 0;
  for (long rep = 0; rep < std::max(1L, a.number("--reps", 3)); ++rep) {
    const double start = cpu_seconds();
    auto p = compile_rules(a.positional[0], text, options);
    best = std::min(best, cpu_seconds() - start);
    rules = p->rules.size();
    code = p->code.size();
  }
  std::printf("rules %zu\ninstructions %zu\ncompile_s %.6f\n", rules, code, best);
  return 0;
}

// Streaming: the first K rules of RULES over the daily series, one bar at a time (push
// the four values, advance the clock), timing each bar.
int stream(const args& a) {
  if (a.positional.size() < 2) die("usage: stream DIR RULES [--rules K] [--bars B] [--time-rules]");
  const std::string dir = a.positional[0];
  const long k = a.number("--rules", 100);
  std::istringstream all(read_file(a.positional[1]));
  std::string text, line;
  long taken = 0;
  while (std::getline(all, line)) {
    const bool is_rule = line.rfind("rule ", 0) == 0;
    if (is_rule && taken >= k) break;
    taken += is_rule;
    text += line + "\n";
  }
  auto program = compile_rules(a.positional[1], text, host_options(dir, false));
  std::vector<sluice::observations> cols(4);
  for (int s = 0; s < 4; ++s) {
    sluice::csv_result r = sluice::load_csv_file(dir + "/" + series_names[s] + ".csv");
    if (!r.table) die("cannot load data");
    cols[s].times = r.table->times;
    cols[s].values = r.table->cells[0];
  }
  std::vector<sluice::duration> stale(program->series.size(), {sluice::duration::unit::days, 7});
  std::size_t events = 0;
  sluice::stream_session session(program, stale, [&](const sluice::event&) { ++events; });
  if (a.has("--time-rules")) session.time_rules();
  const auto columns = session.columns();
  std::vector<int> column_series;
  for (const std::string& c : columns)
    for (int s = 0; s < 4; ++s)
      if (c == series_names[s]) column_series.push_back(s);
  if (column_series.size() != columns.size()) die("unexpected stream columns");
  const std::size_t bars = std::min<std::size_t>(cols[0].times.size(),
                                                 static_cast<std::size_t>(a.number("--bars", 200000)));
  std::vector<double> ns(bars);
  for (std::size_t i = 0; i < bars; ++i) {
    const auto start = clock_type::now();
    const sluice::time_point t = cols[0].times[i];
    for (std::size_t c = 0; c < columns.size(); ++c)
      session.push(columns[c], t, cols[static_cast<std::size_t>(column_series[c])].values[i]);
    session.advance_to(t);
    ns[i] = std::chrono::duration<double, std::nano>(clock_type::now() - start).count();
  }
  std::sort(ns.begin(), ns.end());
  std::printf("rules %zu\nbars %zu\nevents %zu\nstream_median_ns %.0f\nstream_p99_ns %.0f\n"
              "state_bytes %zu\n",
              program->rules.size(), bars, events, ns[bars / 2], ns[bars * 99 / 100],
              session.state_bytes());
  return 0;
}

// Linearity: W1 on N bars generated in memory (no CSV: N up to 1e7 passes year 9999),
// Sluice's run_batch against the hand loop on the same arrays.
int linear(const args& a) {
  if (a.positional.empty()) die("usage: linear N [--reps R]");
  const std::size_t n = std::stoull(a.positional[0]);
  const long reps = std::max(1L, a.number("--reps", 3));
  bench::market m = bench::generate(n);
  preloaded data;
  const std::vector<double>* cols[] = {&m.russell, &m.spx, &m.tga, &m.alts};
  for (int s = 0; s < 4; ++s) data.series[series_names[s]] = {m.times, *cols[s]};
  auto program = compile_rules("w1", bench::w1_rules(), host_options(".", false));
  double best = 1e300, best_hand = 1e300;
  std::string sluice_text, hand_text;
  for (long rep = 0; rep < reps; ++rep) {
    data.copy_seconds = 0;
    sluice::diagnostics diags;
    double start = cpu_seconds();
    sluice::run_result result = sluice::run_batch(*program, data, {}, diags);
    best = std::min(best, cpu_seconds() - start - data.copy_seconds);
    if (!result.ok) die("run failed");
    sluice_text = tally_text(*program, result.events);
    start = cpu_seconds();
    bench::tallies h = bench::hand_w1(m.russell.data(), m.spx.data(), m.tga.data(), m.alts.data(), n);
    best_hand = std::min(best_hand, cpu_seconds() - start);
    hand_text = h.text();
  }
  if (sluice_text != hand_text) die("linear: Sluice and the hand loop disagree:\n" + sluice_text + "--\n" + hand_text);
  std::printf("n %zu\nsluice_ns_per_bar %.2f\nhand_ns_per_bar %.2f\n", n, best * 1e9 / n,
              best_hand * 1e9 / n);
  return 0;
}

// What fresh memory costs on this host: 64 MB written once through new pages, then again.
// On a virtualised host the first write of each page traps to the hypervisor.
int pages() {
  const std::size_t bytes = 64u << 20;
  std::vector<char> memory;
  const double start = cpu_seconds();
  memory.resize(bytes, 1);  // first touch of every page
  const double first = cpu_seconds() - start;
  const double again_start = cpu_seconds();
  std::memset(memory.data(), 2, bytes);
  const double again = cpu_seconds() - again_start;
  const double pages = static_cast<double>(bytes / 4096);
  std::printf("first_touch_us_per_page %.2f\nrewrite_us_per_page %.3f\nchecksum %d\n",
              first * 1e6 / pages, again * 1e6 / pages, memory[bytes / 2] + memory[bytes - 1]);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) die("usage: sluice_bench batch|compile|stream|linear|pages ...");
  const std::string cmd = argv[1];
  const args a = parse_args(argc, argv, 2);
  if (cmd == "batch") return batch(a);
  if (cmd == "compile") return compile_time(a);
  if (cmd == "stream") return stream(a);
  if (cmd == "linear") return linear(a);
  if (cmd == "pages") return pages();
  die("unknown subcommand " + cmd);
}
