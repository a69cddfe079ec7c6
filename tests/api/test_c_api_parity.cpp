// The C API at parity with the C++ API (issue 17): checked option sizes, the compile bounds,
// periods in months, stream options, structured diagnostics, program introspection and a
// per-thread error channel in which a successful compile's warnings are no error. Expected
// values are worked out by hand in the comments (calendar arithmetic, staleness windows).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "sluice/sluice.h"

namespace {

constexpr int64_t day = 86400;

struct c_engine {
  sluice_engine* engine;
  explicit c_engine(const sluice_options* o = nullptr) : engine(sluice_engine_new(o)) {}
  ~c_engine() { sluice_engine_free(engine); }
};

sluice_program* compile(sluice_engine* e, const std::string& text,
                        sluice_diagnostics** d = nullptr) {
  return sluice_compile_with(e, text.data(), text.size(), "c.sluice", d);
}

struct messages {
  std::vector<std::string> rules, texts;
  std::vector<int64_t> times;
};

void collect(const sluice_event* e, void* user) {
  auto* m = static_cast<messages*>(user);
  m->rules.push_back(e->rule);
  m->times.push_back(e->time);
  m->texts.push_back(e->message_count ? e->messages[0] : "");
}

// The defs that double at each level with distinct arguments (test_compile_bounds.cpp):
// 2^40 expansions unless a bound stops them.
std::string distinct_bomb() {
  std::string text = "def g0(a, b) = a - b\n";
  for (int i = 1; i <= 40; ++i)
    text += "def g" + std::to_string(i) + "(a, b) = g" + std::to_string(i - 1) +
            "(a + b, a * b) + g" + std::to_string(i - 1) + "(a * b, a + b)\n";
  return text + "g40(x, x) > 1 then watch x";
}

}  // namespace

TEST_CASE("C API: options carry struct_size and the compile bounds", "[api][c]") {
  sluice_options o;
  std::memset(&o, 0xff, sizeof o);
  sluice_options_default(&o);
  CHECK(o.struct_size == sizeof(sluice_options));
  CHECK(o.max_def_expansions == 20000);  // the C++ defaults (engine_options)
  CHECK(o.max_compile_ms == 10000);

  // A struct_size this library does not know is refused, with the reason.
  sluice_options wrong = o;
  wrong.struct_size = sizeof(sluice_options) - 8;
  CHECK(sluice_engine_new(&wrong) == nullptr);
  CHECK(std::string(sluice_last_error()).find("struct_size") != std::string::npos);

  // max_def_expansions from C: the bomb stops at 2000 distinct calls with a diagnostic.
  o.max_expansion_depth = 64;
  o.max_def_expansions = 2000;
  c_engine c(&o);
  REQUIRE(c.engine);
  const int64_t t[1] = {sluice_date(2024, 1, 1)};
  const double v[1] = {1};
  REQUIRE(sluice_engine_add_series(c.engine, "x", t, v, 1, -1, -1) == 0);
  sluice_diagnostics* d = nullptr;
  CHECK(compile(c.engine, distinct_bomb(), &d) == nullptr);
  REQUIRE(d);
  REQUIRE(sluice_diagnostics_count(d) >= 1);
  const sluice_diagnostic* first = sluice_diagnostics_get(d, 0);
  CHECK(first->severity == SLUICE_SEVERITY_ERROR);
  CHECK(std::string(first->message).find("more than 2000 distinct calls") != std::string::npos);
  CHECK(first->line > 0);
  sluice_diagnostics_free(d);

  // The deadline: with no expansion budget only max_compile_ms ends this compile.
  o.max_def_expansions = SIZE_MAX;
  o.max_compile_ms = 50;
  c_engine timed(&o);
  REQUIRE(sluice_engine_add_series(timed.engine, "x", t, v, 1, -1, -1) == 0);
  CHECK(compile(timed.engine, distinct_bomb(), &d) == nullptr);
  CHECK(std::string(sluice_diagnostics_get(d, 0)->message) == "the compile ran out of time here");
  sluice_diagnostics_free(d);

  // The cancel flag stops compiles until it is cleared.
  sluice_engine_cancel(c.engine, 1);
  CHECK(compile(c.engine, "x > 0 then watch x", &d) == nullptr);
  CHECK(std::string(sluice_diagnostics_get(d, 0)->message) == "the compile was cancelled here");
  sluice_diagnostics_free(d);
  sluice_engine_cancel(c.engine, 0);
  sluice_program* ok = compile(c.engine, "x > 0 then watch x");
  CHECK(ok);
  sluice_program_free(ok);
}

TEST_CASE("C API: structured diagnostics; warnings of a success are no error", "[api][c]") {
  c_engine c;
  const int64_t t[2] = {sluice_date(2024, 1, 1), sluice_date(2024, 1, 2)};
  const double v[2] = {1, 2};
  REQUIRE(sluice_engine_add_series(c.engine, "x", t, v, 2, -1, -1) == 0);

  // Line 2, column 5 (1-based bytes): the unknown series `nope`.
  sluice_diagnostics* d = nullptr;
  CHECK(compile(c.engine, "x > 0 then watch x\nx > nope then watch x", &d) == nullptr);
  REQUIRE(sluice_diagnostics_count(d) >= 1);
  const sluice_diagnostic* e = sluice_diagnostics_get(d, 0);
  CHECK(std::string(e->file) == "c.sluice");
  CHECK(e->line == 2);
  CHECK(e->column == 5);
  CHECK(e->severity == SLUICE_SEVERITY_ERROR);
  CHECK(std::string(e->message).find("nope") != std::string::npos);
  CHECK(std::string(e->rendered).rfind("c.sluice:2:5: error: ", 0) == 0);
  CHECK(sluice_diagnostics_get(d, sluice_diagnostics_count(d)) == nullptr);
  // The last-error channel has the same text for hosts that want only text.
  CHECK(std::string(sluice_last_error()) == sluice_diagnostics_rendered(d));
  CHECK(std::string(sluice_engine_last_error(c.engine)) == sluice_last_error());
  sluice_diagnostics_free(d);

  // Run diagnostics are structured too: a series the program loads from a missing file.
  sluice_options files;
  sluice_options_default(&files);
  files.allow_files = 1;
  files.root_dir = SLUICE_SOURCE_DIR;
  c_engine f(&files);
  sluice_program* missing = compile(f.engine, "load q from \"no/such.csv\"\nq > 0 then watch q");
  REQUIRE(missing);
  sluice_events* run = sluice_program_run(missing, nullptr, nullptr);
  CHECK_FALSE(sluice_events_ok(run));
  REQUIRE(sluice_events_diagnostic_count(run) >= 1);
  const sluice_diagnostic* rd = sluice_events_diagnostic(run, 0);
  CHECK(rd->severity == SLUICE_SEVERITY_ERROR);
  CHECK(std::string(sluice_events_error(run)).find(rd->message) != std::string::npos);
  sluice_events_free(run);
  sluice_program_free(missing);
}

TEST_CASE("C API: a warning-only compile leaves the error channel empty", "[api][c]") {
  // Before, sluice_engine_last_error held the rendered warnings of a successful compile.
  // A rule inside a `use`d file is ignored with a warning (docs/language.md).
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("sluice_c_warn_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "m.sluice") << "def two(a) = a * 2\nx > 0 then watch x\n";
  sluice_options o;
  sluice_options_default(&o);
  o.allow_files = 1;
  const std::string root = dir.string();
  o.root_dir = root.c_str();
  c_engine c(&o);
  const int64_t t[2] = {sluice_date(2024, 1, 1), sluice_date(2024, 1, 2)};
  const double v[2] = {1, 2};
  REQUIRE(sluice_engine_add_series(c.engine, "x", t, v, 2, -1, -1) == 0);
  sluice_diagnostics* d = nullptr;
  sluice_program* p = compile(c.engine, "use \"m.sluice\"\ntwo(x) > 3 then watch x", &d);
  std::filesystem::remove_all(dir);
  INFO(sluice_diagnostics_rendered(d));
  REQUIRE(p);
  REQUIRE(sluice_diagnostics_count(d) == 1);
  CHECK(sluice_diagnostics_get(d, 0)->severity == SLUICE_SEVERITY_WARNING);
  CHECK(sluice_diagnostics_get(d, 0)->line == 2);  // the rule's line in m.sluice
  CHECK(std::string(sluice_last_error()).empty());
  CHECK(std::string(sluice_engine_last_error(c.engine)).empty());
  sluice_diagnostics_free(d);
  sluice_program_free(p);
}

TEST_CASE("C API: lag and staleness in months", "[api][c]") {
  // y: daily from 2024-01-01 to 2024-03-31 (the timeline). x: one observation, 7 on
  // 2024-02-10, published a month later: visible from 2024-03-10 (29 days in leap February;
  // no count of days alone gives that date for both Feb and other months).
  std::vector<int64_t> times;
  std::vector<double> ones;
  for (int64_t t = sluice_date(2024, 1, 1); t <= sluice_date(2024, 3, 31); t += day) {
    times.push_back(t);
    ones.push_back(1);
  }
  const int64_t xt[1] = {sluice_date(2024, 2, 10)};
  const double xv[1] = {7};
  c_engine c;
  sluice_series_options o;
  sluice_series_options_default(&o);
  CHECK(o.struct_size == sizeof o);
  CHECK(o.lag.count < 0);
  o.lag = {1, SLUICE_MONTHS};
  o.stale = {2,
             SLUICE_MONTHS};  // valid through the visible date whichever day staleness counts from
  REQUIRE(sluice_engine_add_series_with(c.engine, "x", xt, xv, 1, &o) == 0);
  REQUIRE(sluice_engine_add_series_with(c.engine, "y", times.data(), ones.data(), times.size(),
                                        nullptr) == 0);
  sluice_program* p = compile(c.engine, "rule \"a\": when x > 0 and y > 0 then alert \"{x}\"");
  INFO(sluice_last_error());
  REQUIRE(p);
  sluice_events* run = sluice_program_run(p, nullptr, nullptr);
  REQUIRE(sluice_events_count(run) == 1);
  CHECK(sluice_events_get(run, 0)->time == sluice_date(2024, 3, 10));
  sluice_events_free(run);
  sluice_program_free(p);

  // A unit that is neither days nor months is an error, not a guess.
  o.lag = {1, 7};
  CHECK(sluice_engine_add_series_with(c.engine, "z", xt, xv, 1, &o) == -1);
  CHECK(std::string(sluice_last_error()).find("unit") != std::string::npos);
}

TEST_CASE("C API: stream options give from and per-series staleness", "[api][c]") {
  // y observed once (1 on day 0); x 0, 0, 0, 5 on days 0..3: the rule fires on day 3,
  // when y is 3 days old: valid under the default staleness (7 days), na under 2 days.
  const int64_t d0 = sluice_date(2024, 1, 1);
  c_engine c;
  const double none[1] = {0};
  const int64_t t0[1] = {d0};
  REQUIRE(sluice_engine_add_series(c.engine, "x", t0, none, 1, -1, -1) == 0);
  REQUIRE(sluice_engine_add_series(c.engine, "y", t0, none, 1, -1, -1) == 0);
  sluice_program* p = compile(c.engine, "rule \"a\": when x > 0 then alert \"{x} {y}\"");
  REQUIRE(p);
  REQUIRE(sluice_program_rule_count(p) == 1);
  CHECK(std::string(sluice_program_rule(p, 0)) == "a");
  CHECK(sluice_program_rule(p, 1) == nullptr);
  REQUIRE(sluice_program_series_count(p) == 2);
  CHECK(std::string(sluice_program_series(p, 0)) + "," + sluice_program_series(p, 1) == "x,y");

  auto feed = [&](const sluice_stream_options* o) {
    messages m;
    sluice_session* s = sluice_program_stream_with_options(p, collect, &m, o);
    REQUIRE(s);
    CHECK(sluice_session_push(s, "y", d0, 1) == SLUICE_PUSH_ACCEPTED);
    for (int i = 0; i < 4; ++i)
      CHECK(sluice_session_push(s, "x", d0 + i * day, i == 3 ? 5 : 0) == SLUICE_PUSH_ACCEPTED);
    sluice_session_finish(s);
    sluice_session_free(s);
    return m;
  };
  const messages plain = feed(nullptr);
  REQUIRE(plain.texts.size() == 1);
  CHECK(plain.texts[0] == "5 1");
  CHECK(plain.times[0] == d0 + 3 * day);

  sluice_stream_options o;
  sluice_stream_options_default(&o);
  const char* names[1] = {"y"};
  sluice_period periods[1] = {{2, SLUICE_DAYS}};
  o.stale_count = 1;
  o.stale_series = names;
  o.stale_periods = periods;
  const messages stale = feed(&o);
  REQUIRE(stale.texts.size() == 1);
  CHECK(stale.texts[0] == "5 na");

  periods[0] = {1, SLUICE_MONTHS};  // a month: still valid after 3 days
  CHECK(feed(&o).texts == std::vector<std::string>{"5 1"});

  sluice_stream_options_default(&o);
  o.has_from = 1;
  o.from = d0 + 4 * day;  // the only firing (day 3) is before `from`
  CHECK(feed(&o).texts.empty());

  o.struct_size = 1;
  CHECK(sluice_program_stream_with_options(p, collect, nullptr, &o) == nullptr);
  CHECK(std::string(sluice_last_error()).find("struct_size") != std::string::npos);
  sluice_program_free(p);
}

TEST_CASE("C API: errors are per thread, never another thread's", "[api][c]") {
  c_engine c;
  const int64_t t[1] = {sluice_date(2024, 1, 1)};
  const double v[1] = {1};
  REQUIRE(sluice_engine_add_series(c.engine, "x", t, v, 1, -1, -1) == 0);
  CHECK(compile(c.engine, "x > nope then watch x") == nullptr);
  const std::string mine = sluice_engine_last_error(c.engine);
  CHECK(mine.find("nope") != std::string::npos);
  // Another thread compiles a good program on the same engine: this thread's error stays.
  // (Catch's assertions are not thread-safe: the thread only records what it saw.)
  bool compiled = false;
  std::string its_error = "unset";
  std::thread other([&] {
    sluice_program* p = compile(c.engine, "x > 0 then watch x");
    compiled = p != nullptr;
    its_error = sluice_engine_last_error(c.engine);
    sluice_program_free(p);
  });
  other.join();
  CHECK(compiled);
  CHECK(its_error.empty());
  CHECK(sluice_engine_last_error(c.engine) == mine);
}

TEST_CASE("C API: a refused advance_to says why", "[api][c]") {
  c_engine c;
  const int64_t t[1] = {sluice_date(2024, 1, 1)};
  const double v[1] = {0};
  REQUIRE(sluice_engine_add_series(c.engine, "x", t, v, 1, -1, -1) == 0);
  sluice_program* p = compile(c.engine, "x > 0 then watch x");
  REQUIRE(p);
  struct ctx {
    sluice_session* s = nullptr;
    size_t inner = 99;
    std::string error;
  } x;
  sluice_session* s = sluice_program_stream_with_options(
      p,
      [](const sluice_event*, void* user) {
        auto* c = static_cast<ctx*>(user);
        c->inner = sluice_session_advance_to(c->s, INT64_MAX);  // re-entry: refused
        c->error = sluice_session_last_error(c->s);
      },
      &x, nullptr);
  x.s = s;
  CHECK(sluice_session_push(s, "x", t[0], 1) == SLUICE_PUSH_ACCEPTED);
  CHECK(sluice_session_advance_to(s, t[0]) == 1);
  CHECK(x.inner == 0);
  CHECK_FALSE(x.error.empty());
  CHECK(std::string(sluice_session_last_error(s)).empty());  // the outer call succeeded
  sluice_session_free(s);
  sluice_program_free(p);
}
