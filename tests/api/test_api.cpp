// The embedding API (include/sluice/sluice.hpp): compile results and diagnostics, batch runs
// over series from memory, host functions, and the limits for untrusted rule text.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sluice/sluice.h"
#include "sluice/sluice.hpp"

namespace {

constexpr sluice::timestamp day = 86400;

// A daily series starting 2024-01-01.
struct daily {
  std::vector<sluice::timestamp> times;
  std::vector<double> values;
  explicit daily(std::vector<double> v) : values(std::move(v)) {
    for (std::size_t i = 0; i < values.size(); ++i)
      times.push_back(sluice::to_timestamp({2024, 1, 1}) + static_cast<sluice::timestamp>(i) * day);
  }
};

std::string first_error(const sluice::compile_result& r) {
  for (const auto& d : r.diagnostics())
    if (d.is_error) return d.message;
  return {};
}

bool mentions(const sluice::compile_result& r, const std::string& text) {
  for (const auto& d : r.diagnostics())
    if (d.message.find(text) != std::string::npos || d.note.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("api: version macros match version()", "[api]") {
  const std::string expected = std::to_string(SLUICE_VERSION_MAJOR) + "." +
                               std::to_string(SLUICE_VERSION_MINOR) + "." +
                               std::to_string(SLUICE_VERSION_PATCH);
  CHECK(expected == sluice::version());
  CHECK(expected == SLUICE_VERSION_STRING);
}

TEST_CASE("api: dates convert both ways", "[api]") {
  const sluice::timestamp t = sluice::to_timestamp({2021, 3, 15});
  CHECK(t == 1615766400);
  const sluice::date d = sluice::to_date(t + 3600);
  CHECK((d.year == 2021 && d.month == 3 && d.day == 15));
  CHECK(sluice::format_timestamp(t) == "2021-03-15");
  CHECK(sluice::parse_date("2021-03-15") == t);
  CHECK_FALSE(sluice::parse_date("2021-02-30"));
}

TEST_CASE("api: compile returns diagnostics for bad text, never throws", "[api]") {
  sluice::engine eng;
  daily x({1, 2, 3});
  REQUIRE(eng.add_series("russell", x.times, x.values));
  const auto r = eng.compile("russel breaks 2600 then watch alts\nrule \"x\": when then", "bad.sluice");
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.diagnostics().size() >= 2);
  CHECK(mentions(r, "did you mean 'russell'?"));
  const auto& d = r.diagnostics().front();
  CHECK(d.file == "bad.sluice");
  CHECK(d.line >= 1);
  CHECK(d.rendered.find("bad.sluice:") == 0);
  CHECK(d.rendered.find('^') != std::string::npos);  // the caret under the source line
}

TEST_CASE("api: a batch run over series from memory reports events", "[api]") {
  sluice::engine eng;
  daily x({1, 2, 3, 2, 5, 6});
  REQUIRE(eng.add_series("x", x.times, x.values));
  const auto r = eng.compile("rule \"up\": when x crosses above 2.5 then watch x and alert \"x={x} on {date}\"");
  INFO(r.rendered());
  REQUIRE(r.ok());
  const sluice::run_result run = r.value().run();
  REQUIRE(run.ok);
  CHECK(run.points == 6);
  REQUIRE(run.events.size() == 2);
  CHECK(run.events[0].time == x.times[2]);
  CHECK(run.events[0].rule == "up");
  CHECK(run.events[0].actions == std::vector<std::string>{"watch x", "alert"});
  CHECK(run.events[0].messages == std::vector<std::string>{"x=3 on 2024-01-03"});
  REQUIRE(run.events[0].values.size() == 1);
  CHECK(run.events[0].values[0].name == "x");
  CHECK(run.events[0].values[0].value == 3);
  CHECK(run.events[1].time == x.times[4]);

  sluice::run_options from;
  from.from = x.times[3];
  CHECK(r.value().run(from).events.size() == 1);
  CHECK(r.value().rules() == std::vector<std::string>{"up"});
  CHECK(r.value().series() == std::vector<std::string>{"x"});
  CHECK(r.value().disassemble().find("fire") != std::string::npos);
}

TEST_CASE("api: add_series validates at the boundary", "[api]") {
  sluice::engine eng;
  const std::vector<sluice::timestamp> t{2 * day, day};
  const std::vector<double> v{1, 2};
  CHECK_FALSE(eng.add_series("x", t, v));                      // descending
  CHECK_FALSE(eng.add_series("1x", std::span(t).first(1), std::span(v).first(1)));
  CHECK_FALSE(eng.add_series("x", t, std::span(v).first(1)));  // sizes differ
  const std::vector<double> gap{1, std::nan("")};
  CHECK(eng.add_series("x", std::vector<sluice::timestamp>{day, day}, gap));  // NaN: no observation
}

TEST_CASE("api: a program keeps the series it was compiled with", "[api]") {
  sluice::engine eng;
  daily a({1, 3});
  REQUIRE(eng.add_series("x", a.times, a.values));
  const auto r = eng.compile("x > 2 then watch x");
  REQUIRE(r.ok());
  daily b({3, 3, 3, 1, 3});
  REQUIRE(eng.add_series("x", b.times, b.values));
  CHECK(r.value().run().points == 2);
  CHECK(eng.compile("x > 2 then watch x").value().run().events.size() == 2);
}

TEST_CASE("api: host functions are checked and called like builtins", "[api]") {
  sluice::engine eng;
  daily x({1, 2, 3, 4, 5, 6});
  REQUIRE(eng.add_series("x", x.times, x.values));
  REQUIRE(eng.add_function("double_it", 1, [](std::span<const double> a) { return 2 * a[0]; }));
  // A windowed function: the last 3 values of its argument, oldest first.
  REQUIRE(eng.add_function("spread3", 1, [](std::span<const double> a) { return a[2] - a[0]; }, 3));
  CHECK_FALSE(eng.add_function("sma", 2, [](std::span<const double>) { return 0.0; }));
  CHECK_FALSE(eng.add_function("f", 1, nullptr));
  CHECK_FALSE(eng.add_function("f", 1, [](std::span<const double>) { return 0.0; }, 0));

  SECTION("values") {
    const auto r = eng.compile(R"(
rule "big": when double_it(x) >= 9 then alert "{double_it(x)}"
rule "slope": when spread3(x) == 2 then alert "{spread3(x)}")");
    INFO(r.rendered());
    REQUIRE(r.ok());
    const auto run = r.value().run();
    REQUIRE(run.events.size() == 2);
    CHECK(run.events[0].rule == "slope");  // from the 3rd point on (warm-up: 2 points of na)
    CHECK(run.events[0].time == x.times[2]);
    CHECK(run.events[1].rule == "big");
    CHECK(run.events[1].time == x.times[4]);
    CHECK(run.events[1].messages == std::vector<std::string>{"10"});
  }
  SECTION("arity errors") {
    const auto r = eng.compile("double_it(x, 2) > 1 then watch x");
    REQUIRE_FALSE(r.ok());
    CHECK(first_error(r) == "double_it takes 1 argument, found 2");
  }
  SECTION("suggestions include host functions") {
    const auto r = eng.compile("doubl_it(x) > 1 then watch x");
    REQUIRE_FALSE(r.ok());
    CHECK(mentions(r, "did you mean 'double_it'?"));
  }
  SECTION("a throwing function yields na, not an exception") {
    REQUIRE(eng.add_function("boom", 1, [](std::span<const double>) -> double { throw 1; }));
    const auto r = eng.compile("boom(x) > 0 or x > 5 then watch x");
    REQUIRE(r.ok());
    CHECK(r.value().run().events.size() == 1);
  }
}

TEST_CASE("api: limits for untrusted text are diagnostics", "[api]") {
  sluice::engine_options opt;
  opt.max_source_bytes = 200;
  opt.max_rules = 3;
  opt.max_expansion_depth = 4;
  opt.max_window_bars = 1000;
  opt.max_window_days = 400;
  opt.max_state_bytes = 1u << 20;
  sluice::engine eng(opt);
  daily x({1, 2, 3});
  REQUIRE(eng.add_series("x", x.times, x.values));

  CHECK(first_error(eng.compile(std::string(201, ' '))).find("over the limit of 200") != std::string::npos);
  CHECK(first_error(eng.compile("x > 1 then watch x\nx > 2 then watch x\nx > 3 then watch x\n"
                                "x > 4 then watch x"))
            .find("exceed the limit of 3") != std::string::npos);
  CHECK(first_error(eng.compile("def a(v) = v + 1\ndef b(v) = a(v)\ndef c(v) = b(v)\n"
                                "def d(v) = c(v)\ndef e(v) = d(v)\ne(x) > 1 then watch x"))
            .find("nest more than 4 deep") != std::string::npos);
  CHECK(first_error(eng.compile("sma(x, 1001 bars) > 1 then watch x")).find("longer than the limit") !=
        std::string::npos);
  CHECK(first_error(eng.compile("x rises over 2y then watch x")).find("longer than the limit") !=
        std::string::npos);
  // Each window is allowed, but together they need more state than 1 MiB.
  sluice::engine_options roomy = opt;
  roomy.max_source_bytes = 1u << 20;
  sluice::engine state(roomy);
  REQUIRE(state.add_series("x", x.times, x.values));
  auto sum_of_smas = [](int n) {
    std::string text = "0";
    for (int i = 0; i < n; ++i) text += " + sma(x, " + std::to_string(900 + i) + " bars)";
    return text + " > 1 then watch x";
  };
  CHECK(state.compile(sum_of_smas(5)).ok());
  CHECK(first_error(state.compile(sum_of_smas(60))).find("run state") != std::string::npos);
}

TEST_CASE("api: file access is off unless allowed, and confined to the root", "[api]") {
  const std::filesystem::path root = std::filesystem::temp_directory_path() / "sluice_api_root";
  std::filesystem::create_directories(root / "data");
  {
    std::ofstream(root / "data" / "x.csv") << "date,value\n2024-01-01,1\n2024-01-02,3\n";
    std::ofstream(root / "defs.sluice") << "def big(v) = v > 2\n";
    std::ofstream(root.parent_path() / "sluice_secret.sluice") << "def secret() = 1\n";
  }
  const std::string rules = "load x from \"data/x.csv\"\nuse \"defs.sluice\"\nbig(x) then watch x";

  sluice::engine closed;
  const auto denied = closed.compile(rules);
  REQUIRE_FALSE(denied.ok());
  CHECK(mentions(denied, "file access is disabled"));

  sluice::engine_options opt;
  opt.allow_files = true;
  opt.root_dir = root.string();
  sluice::engine open(opt);
  const auto r = open.compile(rules);
  INFO(r.rendered());
  REQUIRE(r.ok());
  CHECK(r.value().run().events.size() == 1);
  CHECK(mentions(open.compile("use \"../sluice_secret.sluice\"\nx > 1 then watch x"),
                 "outside the allowed folder"));
  CHECK(mentions(open.compile("load y from \"/etc/hostname\"\ny > 1 then watch y"),
                 "outside the allowed folder"));
}

TEST_CASE("api: hostile text is refused with diagnostics, not crashes", "[api]") {
  sluice::engine eng;
  daily x({1, 2, 3});
  REQUIRE(eng.add_series("x", x.times, x.values));
  const std::vector<std::string> hostile = {
      std::string(300, '(') + "x" + std::string(300, ')') + " > 1 then watch x",
      "def f(v) = f(v)\nf(x) > 1 then watch x",
      "let a = b\nlet b = a\na > 1 then watch x",
      std::string("x > 1 then alert \"{") + std::string(50, '{') + "\"",
      "sma(x, 99999999999999999999 bars) > 1 then watch x",
      std::string(1000, 'a') + " > 1 then watch x",
      "\x01\x02\xff\xfe then",
  };
  for (const std::string& text : hostile) {
    INFO(text.substr(0, 60));
    const auto r = eng.compile(text);
    CHECK_FALSE(r.ok());
    CHECK_FALSE(r.diagnostics().empty());
  }
}

TEST_CASE("api: series options give lag and staleness", "[api]") {
  sluice::engine eng;
  daily x({1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  daily y({1});  // one observation on day 0
  REQUIRE(eng.add_series("x", x.times, x.values, {sluice::days(2), std::nullopt}));
  REQUIRE(eng.add_series("y", y.times, y.values, {std::nullopt, sluice::days(3)}));
  const auto r = eng.compile("rule \"a\": when x >= 3 then alert \"{x} {y}\"\n"
                             "rule \"b\": when x >= 2 then alert \"{y}\"");
  INFO(r.rendered());
  REQUIRE(r.ok());
  const auto run = r.value().run();
  REQUIRE(run.events.size() == 2);
  // x lags 2 days: its day-1 value 2 is visible on day 3; y is 3 days old there: still valid.
  CHECK(run.events[0].rule == "b");
  CHECK(run.events[0].time == x.times[3]);
  CHECK(run.events[0].messages == std::vector<std::string>{"1"});
  // On day 4, y is older than 3 days: missing.
  CHECK(run.events[1].rule == "a");
  CHECK(run.events[1].time == x.times[4]);
  CHECK(run.events[1].messages == std::vector<std::string>{"3 na"});
}

TEST_CASE("api: exact mode decides decimal boundaries as written", "[api]") {
  sluice::engine eng;
  daily x({0.0, 0.1});
  daily y({0.0, 0.2});
  REQUIRE(eng.add_series("x", x.times, x.values));
  REQUIRE(eng.add_series("y", y.times, y.values));
  const auto r = eng.compile("x + y == 0.3 then watch x");
  REQUIRE(r.ok());
  CHECK(r.value().run().events.empty());  // 0.1 + 0.2 != 0.3 in binary floating point
  sluice::run_options exact;
  exact.exact = true;
  CHECK(r.value().run(exact).events.size() == 1);
}

// ---------------------------------------------------------------------------------------
// The C API's exact switch: 100 -> 115 is a rise of exactly 15% in decimal; in double,
// 115/100 - 1 = 0.1499999999999999 < 0.15 (the same boundary as test_exact.cpp).

namespace {

struct c_collected {
  std::vector<std::string> rules, texts;
};

void collect_c_event(const sluice_event* e, void* user) {
  auto* out = static_cast<c_collected*>(user);
  out->rules.push_back(e->rule);
  for (std::size_t i = 0; i < e->value_count; ++i)
    out->texts.push_back(e->value_texts ? e->value_texts[i] : "(none)");
}

}  // namespace

TEST_CASE("C API: SLUICE_EXACT runs and sessions decide boundaries in decimal", "[api][exact]") {
  const std::string rules = "rule \"fifteen\": when x rises by 15% over 1 bars then watch x\n";
  int64_t times[2] = {sluice_date(2024, 1, 1), sluice_date(2024, 1, 2)};
  const double values[2] = {100, 115};
  sluice_engine* engine = sluice_engine_new(nullptr);
  REQUIRE(engine);
  REQUIRE(sluice_engine_add_series(engine, "x", times, values, 2, -1, -1) == 0);
  sluice_program* program = sluice_compile(engine, rules.data(), rules.size(), "c.sluice");
  REQUIRE(program);

  sluice_events* binary = sluice_program_run_with(program, nullptr, nullptr, 0);
  sluice_events* exact = sluice_program_run_with(program, nullptr, nullptr, SLUICE_EXACT);
  REQUIRE(sluice_events_ok(binary));
  REQUIRE(sluice_events_ok(exact));
  CHECK(sluice_events_count(binary) == 0);
  REQUIRE(sluice_events_count(exact) == 1);
  const sluice_event* e = sluice_events_get(exact, 0);
  CHECK(std::string(e->rule) == "fifteen");
  REQUIRE(e->value_count == 1);
  REQUIRE(e->value_texts);
  CHECK(std::string(e->value_texts[0]) == "115");
  CHECK(e->values[0] == 115.0);
  sluice_events_free(binary);
  sluice_events_free(exact);

  // Sessions: pushed as decimal text; the double session sees the same values as doubles.
  for (const unsigned flags : {0u, unsigned(SLUICE_EXACT)}) {
    c_collected got;
    sluice_session* session = sluice_program_stream_with(program, collect_c_event, &got, flags);
    REQUIRE(session);
    CHECK(sluice_session_push_decimal(session, "x", times[0], "100.00") == SLUICE_PUSH_ACCEPTED);
    CHECK(sluice_session_push_decimal(session, "x", times[1], "1,15") == SLUICE_PUSH_INVALID_NUMBER);
    CHECK(std::string(sluice_push_status_text(SLUICE_PUSH_INVALID_NUMBER)) != "unknown status");
    CHECK(sluice_session_push_decimal(session, "x", times[1], "115.00") == SLUICE_PUSH_ACCEPTED);
    sluice_session_finish(session);
    sluice_session_free(session);
    if (flags == 0) {
      CHECK(got.rules.empty());
    } else {
      CHECK(got.rules == std::vector<std::string>{"fifteen"});
      CHECK(got.texts == std::vector<std::string>{"115"});
    }
  }
  sluice_program_free(program);
  sluice_engine_free(engine);
}
