// Parser tests: every statement form, predicate and literal, precedence, positions,
// error messages with their line:col, per-statement recovery and the input limits.
#include <catch2/catch.hpp>
#include <pthread.h>

#include <chrono>
#include <functional>
#include <string>

#include "grammar/parser.hpp"

using namespace sluice;

namespace {

struct parsed {
  module_ast m;
  diagnostics d;
};

parsed parse(std::string source, const parse_limits& limits = {}) {
  parsed p;
  p.m = parse_module("test.sluice", std::move(source), p.d, limits);
  return p;
}

// A compact rendering of a node tree, so that tests state the shape they expect.
std::string sexpr(const module_ast& m, node_id id) {
  if (id == no_node) return "_";
  const node& n = m.at(id);
  auto kids = [&](std::string head) {
    for (node_id k : n.kids) head += " " + sexpr(m, k);
    return "(" + head + ")";
  };
  const bool up = n.op == static_cast<std::uint8_t>(direction::up);
  switch (n.kind) {
    case node_kind::number: {
      std::string s = n.digits;
      if (n.exponent10 != 0) s += "e" + std::to_string(n.exponent10);
      return n.is_percent ? s + "%" : s;
    }
    case node_kind::duration:  // the stored unit, so that 4w shows as 28d
      return std::to_string(n.dur.count) + (n.dur.kind == duration::unit::days     ? "d"
                                            : n.dur.kind == duration::unit::months ? "mo"
                                                                                   : " bars");
    case node_kind::date: return format_time(n.time);
    case node_kind::string: return "\"" + n.text + "\"";
    case node_kind::name: return n.text;
    case node_kind::field: return n.text + "." + n.field;
    case node_kind::negate: return kids("neg");
    case node_kind::binary: return kids(std::string(1, static_cast<char>(n.op)));
    case node_kind::call: return kids("call " + n.text);
    case node_kind::index: return kids("index") + "[" + std::to_string(n.count) + "]";
    case node_kind::compare: {
      static const char* ops[] = {">", ">=", "<", "<=", "==", "!="};
      return kids(ops[n.op]);
    }
    case node_kind::between: return kids("between");
    case node_kind::crosses:
      return kids((n.text.empty() ? "crosses" : n.text) + (up ? "-up" : "-down"));
    case node_kind::change: return kids(n.text + (up ? "-up" : "-down"));
    case node_kind::perform: return kids(n.text + (up ? "-up" : "-down"));
    case node_kind::new_extreme: return kids(up ? "new-high" : "new-low");
    case node_kind::not_: return kids("not");
    case node_kind::and_: return kids("and");
    case node_kind::or_: return kids("or");
    case node_kind::for_: return kids("for");
    case node_kind::within: return kids("within");
    case node_kind::followed_by: return kids("followed-by");
  }
  return "?";
}

// Parses `let x = EXPR` and renders EXPR.
std::string expr(const std::string& text) {
  parsed p = parse("let x = " + text);
  INFO(text);
  for (const auto& d : p.d.items()) INFO(d.message);
  REQUIRE_FALSE(p.d.has_errors());
  REQUIRE(p.m.statements.size() == 1);
  return sexpr(p.m, std::get<let_stmt>(p.m.statements[0].body).value);
}

// The single diagnostic of `source`, as "line:col: message".
std::string error_of(const std::string& source) {
  parsed p = parse(source);
  INFO(source);
  REQUIRE(p.d.items().size() == 1);
  const diagnostic& d = p.d.items()[0];
  CHECK(d.file == "test.sluice");
  CHECK(d.level == severity::error);
  return std::to_string(d.pos.line) + ":" + std::to_string(d.pos.column) + ": " + d.message;
}

const rule_stmt& rule_at(const parsed& p, std::size_t i) {
  return std::get<rule_stmt>(p.m.statements.at(i).body);
}

// Runs `f` on a thread with an ordinary 8 MB stack, as a host application would.
void on_8mb_stack(const std::function<void()>& f) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 8u << 20);
  pthread_t thread;
  auto body = [](void* arg) -> void* {
    (*static_cast<const std::function<void()>*>(arg))();
    return nullptr;
  };
  REQUIRE(pthread_create(&thread, &attr, body, const_cast<std::function<void()>*>(&f)) == 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}

}  // namespace

TEST_CASE("parser: load statement with options in any order", "[parser]") {
  parsed p = parse(
      "load tga from \"data/WTREGEN.csv\" column \"Value\" lag 7d stale 10d\n"
      "load Russell from \"rut.csv\" stale 2w lag 1d\n"
      "load btc from \"btc.csv\"\n");
  REQUIRE_FALSE(p.d.has_errors());
  REQUIRE(p.m.statements.size() == 3);
  const auto& a = std::get<load_stmt>(p.m.statements[0].body);
  CHECK(a.name == "tga");
  CHECK(a.path == "data/WTREGEN.csv");
  CHECK(a.column == std::optional<std::string>("Value"));
  CHECK(a.lag == duration{duration::unit::days, 7});
  CHECK(a.stale == duration{duration::unit::days, 10});
  const auto& b = std::get<load_stmt>(p.m.statements[1].body);
  CHECK(b.name == "russell");
  CHECK(b.stale == duration{duration::unit::days, 14});
  CHECK(b.lag == duration{duration::unit::days, 1});
  CHECK_FALSE(b.column);
  const auto& c = std::get<load_stmt>(p.m.statements[2].body);
  CHECK_FALSE(c.lag);
  CHECK_FALSE(c.stale);
}

TEST_CASE("parser: use, let, def and set statements", "[parser]") {
  parsed p = parse(
      "use \"other.sluice\"\n"
      "use Liquidity\n"
      "let spread = hy_spread - ig_spread\n"
      "let risk_on = russell > sma(russell, 50d)\n"
      "def golden_cross(x, fast, slow) = sma(x, fast) crosses above sma(x, slow)\n"
      "def now() = 1\n"
      "set window 4w\n"
      "set horizons 30d 60d 90d\n"
      "set from 2020-01-01\n"
      "set label \"Q1\" 5% alts\n");
  REQUIRE_FALSE(p.d.has_errors());
  REQUIRE(p.m.statements.size() == 10);
  const auto& u1 = std::get<use_stmt>(p.m.statements[0].body);
  CHECK(u1.target == "other.sluice");
  CHECK(u1.is_path);
  const auto& u2 = std::get<use_stmt>(p.m.statements[1].body);
  CHECK(u2.target == "liquidity");
  CHECK_FALSE(u2.is_path);
  const auto& l1 = std::get<let_stmt>(p.m.statements[2].body);
  CHECK(l1.name == "spread");
  CHECK(sexpr(p.m, l1.value) == "(- hy_spread ig_spread)");
  const auto& l2 = std::get<let_stmt>(p.m.statements[3].body);
  CHECK(sexpr(p.m, l2.value) == "(> russell (call sma russell 50d))");
  const auto& d1 = std::get<def_stmt>(p.m.statements[4].body);
  CHECK(d1.name == "golden_cross");
  CHECK(d1.params == std::vector<std::string>{"x", "fast", "slow"});
  CHECK(sexpr(p.m, d1.body) == "(crosses-up (call sma x fast) (call sma x slow))");
  const auto& d2 = std::get<def_stmt>(p.m.statements[5].body);
  CHECK(d2.params.empty());
  const auto& s1 = std::get<set_stmt>(p.m.statements[6].body);
  CHECK(s1.key == "window");
  REQUIRE(s1.values.size() == 1);
  CHECK(p.m.at(s1.values[0]).dur == duration{duration::unit::days, 28});
  const auto& s2 = std::get<set_stmt>(p.m.statements[7].body);
  REQUIRE(s2.values.size() == 3);
  CHECK(sexpr(p.m, s2.values[2]) == "90d");
  const auto& s3 = std::get<set_stmt>(p.m.statements[8].body);
  CHECK(s3.key == "from");
  CHECK(p.m.at(s3.values[0]).kind == node_kind::date);
  const auto& s4 = std::get<set_stmt>(p.m.statements[9].body);
  REQUIRE(s4.values.size() == 3);
  CHECK(p.m.at(s4.values[0]).kind == node_kind::string);
  CHECK(p.m.at(s4.values[1]).is_percent);
  CHECK(p.m.at(s4.values[2]).kind == node_kind::name);
}

TEST_CASE("parser: named rules, actions and options", "[parser]") {
  parsed p = parse(
      "rule \"a\": when x > 1 then watch alts for 90d and alert \"up {x}\", signal stage1\n"
      "rule \"b\" if x then signal s2 cooldown 10d once\n"
      "rule \"c\" when x then watch btc once cooldown 2w\n");
  REQUIRE_FALSE(p.d.has_errors());
  REQUIRE(p.m.statements.size() == 3);
  const rule_stmt& a = rule_at(p, 0);
  CHECK(a.name == "a");
  CHECK_FALSE(a.short_form);
  CHECK(sexpr(p.m, a.condition) == "(> x 1)");
  REQUIRE(a.actions.size() == 3);
  CHECK(a.actions[0].what == action::kind::watch);
  CHECK(a.actions[0].name == "alts");
  REQUIRE(a.actions[0].target != no_node);
  CHECK(p.m.at(a.actions[0].target).kind == node_kind::name);
  CHECK(p.m.at(a.actions[0].target).text == "alts");
  CHECK(a.actions[0].watch_for == duration{duration::unit::days, 90});
  CHECK(a.actions[1].what == action::kind::alert);
  CHECK(a.actions[1].text == "up {x}");
  CHECK(a.actions[1].text_pos.column == 56);  // the opening quote
  CHECK(a.actions[2].what == action::kind::signal);
  CHECK(a.actions[2].name == "stage1");
  CHECK_FALSE(a.cooldown);
  CHECK_FALSE(a.once);
  const rule_stmt& b = rule_at(p, 1);
  CHECK(b.cooldown == duration{duration::unit::days, 10});
  CHECK(b.once);
  const rule_stmt& c = rule_at(p, 2);
  CHECK(c.cooldown == duration{duration::unit::days, 14});
  CHECK(c.once);
  CHECK_FALSE(c.actions[0].watch_for);
}

TEST_CASE("parser: short-form rule", "[parser]") {
  parsed p = parse("russell breaks 2600 and tga falls then watch alts\n");
  REQUIRE_FALSE(p.d.has_errors());
  const rule_stmt& r = rule_at(p, 0);
  CHECK(r.short_form);
  CHECK(r.name.empty());
  CHECK(sexpr(p.m, r.condition) == "(and (breaks-up russell 2600) (falls-down tga _ _))");
  REQUIRE(r.actions.size() == 1);
  CHECK(r.actions[0].name == "alts");
}

TEST_CASE("parser: comparison predicates and synonyms", "[parser]") {
  CHECK(expr("a > b") == "(> a b)");
  CHECK(expr("a >= b") == "(>= a b)");
  CHECK(expr("a < b") == "(< a b)");
  CHECK(expr("a <= b") == "(<= a b)");
  CHECK(expr("a == b") == "(== a b)");
  CHECK(expr("a != b") == "(!= a b)");
  CHECK(expr("a above b + 1") == "(> a (+ b 1))");
  CHECK(expr("a below 2 * b") == "(< a (* 2 b))");
  CHECK(expr("x between 1 and 2 + 3") == "(between x 1 (+ 2 3))");
  CHECK(expr("x between 1 and 2 and y") == "(and (between x 1 2) y)");
}

TEST_CASE("parser: crossing, change, performance and extreme predicates", "[parser]") {
  CHECK(expr("x crosses above y") == "(crosses-up x y)");
  CHECK(expr("x crosses below y") == "(crosses-down x y)");
  CHECK(expr("x breaks 2600") == "(breaks-up x 2600)");
  CHECK(expr("x breaks above y") == "(breaks-up x y)");
  CHECK(expr("x breaks below y") == "(breaks-down x y)");
  CHECK(expr("x rises") == "(rises-up x _ _)");
  CHECK(expr("x falls by 5% over 4w") == "(falls-down x 5e-2% 28d)");
  CHECK(expr("x widens over 3mo") == "(widens-up x _ 3mo)");
  CHECK(expr("x narrows by 100") == "(narrows-down x 100 _)");
  CHECK(expr("x outperforms y") == "(outperforms-up x y _)");
  CHECK(expr("x leads y over 4w") == "(leads-up x y 28d)");
  CHECK(expr("x underperforms y over n") == "(underperforms-down x y n)");
  CHECK(expr("x trails y") == "(trails-down x y _)");
  CHECK(expr("x hits new high") == "(new-high x _)");
  CHECK(expr("x hits new low over 1y") == "(new-low x 12mo)");
  CHECK(expr("x rises over 20 bars") == "(rises-up x _ 20 bars)");
}

TEST_CASE("parser: arithmetic, calls, fields and indexing", "[parser]") {
  CHECK(expr("1 + 2 * 3") == "(+ 1 (* 2 3))");
  CHECK(expr("(1 + 2) * 3") == "(* (+ 1 2) 3)");
  CHECK(expr("a - b - c") == "(- (- a b) c)");
  CHECK(expr("a / b * c") == "(* (/ a b) c)");
  CHECK(expr("-a * b") == "(* (neg a) b)");
  CHECK(expr("- -a") == "(neg (neg a))");
  CHECK(expr("x[1]") == "(index x)[1]");
  CHECK(expr("x[1] - -x[2]") == "(- (index x)[1] (neg (index x)[2]))");
  CHECK(expr("btc.volume") == "btc.volume");
  CHECK(expr("BTC.High > btc.low") == "(> btc.high btc.low)");
  CHECK(expr("sma(x, 20d)") == "(call sma x 20d)");
  CHECK(expr("f()") == "(call f)");
  CHECK(expr("lag(x, 5 bars)") == "(call lag x 5 bars)");
  CHECK(expr("max(a > b, not c)") == "(call max (> a b) (not c))");
  CHECK(expr("basket(x, y,\n  z)") == "(call basket x y z)");
  CHECK(expr("\"text\"") == "\"text\"");
}

TEST_CASE("parser: precedence of the temporal and logical operators (SPEC 4)", "[parser]") {
  CHECK(expr("a and b followed by c within 30d") == "(followed-by (and a b) c 30d)");
  CHECK(expr("s within 90d and b") == "(and (within s 90d) b)");
  CHECK(expr("a followed by b within 30d followed by c within 60d") ==
        "(followed-by (followed-by a b 30d) c 60d)");
  CHECK(expr("a or b and c") == "(or a (and b c))");
  CHECK(expr("not a and b") == "(and (not a) b)");
  CHECK(expr("not a for 3d") == "(not (for a 3d))");
  CHECK(expr("a > 1 for 5 bars within 20d") == "(within (for (> a 1) 5 bars) 20d)");
  CHECK(expr("a within 1y") == "(within a 12mo)");
  CHECK(expr("not not a") == "(not (not a))");
  CHECK(expr("(a or b) and c") == "(and (or a b) c)");
  CHECK(expr("a followed by b for 2d within 10d") == "(followed-by a (for b 2d) 10d)");
  CHECK(expr("a followed by (b or c) within 10d") == "(followed-by a (or b c) 10d)");
  CHECK(expr("a or b followed by c within w") == "(followed-by (or a b) c w)");
}

TEST_CASE("parser: number literals keep their decimal text", "[parser]") {
  parsed p = parse("let a = 2600\nlet b = 2_600\nlet c = 2600.5\nlet d = 1e3\nlet e = 2.5E-4\n"
                   "let f = 2.6k\nlet g = 1.2t\nlet h = 5%\nlet i = 3m\nlet j = 7B\n");
  REQUIRE_FALSE(p.d.has_errors());
  auto num = [&](std::size_t i) { return p.m.at(std::get<let_stmt>(p.m.statements[i].body).value); };
  CHECK(num(0).digits == "2600");
  CHECK(num(0).exponent10 == 0);
  CHECK(num(1).digits == "2600");
  CHECK(num(2).digits == "2600.5");
  CHECK(num(3).digits == "1");
  CHECK(num(3).exponent10 == 3);
  CHECK(num(4).digits == "2.5");
  CHECK(num(4).exponent10 == -4);
  CHECK(num(5).digits == "2.6");
  CHECK(num(5).exponent10 == 3);
  CHECK(num(6).digits == "1.2");
  CHECK(num(6).exponent10 == 12);
  CHECK(num(7).digits == "5");
  CHECK(num(7).exponent10 == -2);
  CHECK(num(7).is_percent);
  CHECK_FALSE(num(5).is_percent);
  CHECK(num(8).exponent10 == 6);  // m is million
  CHECK(num(9).exponent10 == 9);
}

TEST_CASE("parser: duration and date literals", "[parser]") {
  auto dur = [](const std::string& text) {
    parsed p = parse("let x = " + text);
    INFO(text);
    REQUIRE_FALSE(p.d.has_errors());
    const node& n = p.m.at(std::get<let_stmt>(p.m.statements[0].body).value);
    REQUIRE(n.kind == node_kind::duration);
    return n.dur;
  };
  using u = duration::unit;
  CHECK(dur("20d") == duration{u::days, 20});
  CHECK(dur("4w") == duration{u::days, 28});
  CHECK(dur("3mo") == duration{u::months, 3});
  CHECK(dur("1y") == duration{u::months, 12});
  CHECK(dur("20 days") == duration{u::days, 20});
  CHECK(dur("1 day") == duration{u::days, 1});
  CHECK(dur("4 weeks") == duration{u::days, 28});
  CHECK(dur("1 week") == duration{u::days, 7});
  CHECK(dur("3 months") == duration{u::months, 3});
  CHECK(dur("1 month") == duration{u::months, 1});
  CHECK(dur("1 year") == duration{u::months, 12});
  CHECK(dur("2 years") == duration{u::months, 24});
  CHECK(dur("20 bars") == duration{u::bars, 20});
  CHECK(dur("1 bar") == duration{u::bars, 1});
  CHECK(dur("3MO") == duration{u::months, 3});
  CHECK(dur("20Days") == duration{u::days, 20});

  parsed p = parse("let x = 2021-01-15");
  REQUIRE_FALSE(p.d.has_errors());
  const node& n = p.m.at(std::get<let_stmt>(p.m.statements[0].body).value);
  CHECK(n.kind == node_kind::date);
  CHECK(n.time == *parse_iso_date("2021-01-15"));
}

TEST_CASE("parser: strings resolve their escapes", "[parser]") {
  parsed p = parse(R"(rule "say \"hi\" \\ # not a comment": when x then alert "a\\b")");
  REQUIRE_FALSE(p.d.has_errors());
  CHECK(rule_at(p, 0).name == "say \"hi\" \\ # not a comment");
  CHECK(rule_at(p, 0).actions[0].text == "a\\b");
}

TEST_CASE("parser: keywords and names are case-insensitive", "[parser]") {
  parsed p = parse("RULE \"Risk On\": WHEN Russell Breaks 2600 AND Tga FALLS OVER 4W THEN WATCH Alts\n"
                   "LET X = Btc Hits New High\n");
  REQUIRE_FALSE(p.d.has_errors());
  const rule_stmt& r = rule_at(p, 0);
  CHECK(r.name == "Risk On");  // string contents keep their case
  CHECK(sexpr(p.m, r.condition) == "(and (breaks-up russell 2600) (falls-down tga _ 28d))");
  CHECK(r.actions[0].name == "alts");
  CHECK(std::get<let_stmt>(p.m.statements[1].body).name == "x");
}

TEST_CASE("parser: statements continue on indented lines and inside parentheses", "[parser]") {
  parsed p = parse(
      "# a comment line\n"
      "\n"
      "rule \"multi\":   // trailing comment\n"
      "  when a > 1\n"
      "\n"
      "    # a comment inside the statement\n"
      "    and b\n"
      "  then watch c\n"
      "let y = max(a,\n"
      "b,\n"
      "c)\n"
      "let z = 1\r\n"
      "\t+ 2 # an indented continuation\r\n");
  for (const auto& d : p.d.items()) INFO(d.message);
  REQUIRE_FALSE(p.d.has_errors());
  REQUIRE(p.m.statements.size() == 3);
  CHECK(sexpr(p.m, rule_at(p, 0).condition) == "(and (> a 1) b)");
  CHECK(sexpr(p.m, std::get<let_stmt>(p.m.statements[2].body).value) == "(+ 1 2)");
  CHECK(sexpr(p.m, std::get<let_stmt>(p.m.statements[1].body).value) == "(call max a b c)");
  // An indented line always continues the statement above, even when that makes no sense.
  CHECK(error_of("let z = 1\n  let w = 3\n") == "2:3: unknown text 'let' after the statement");
  // A line at column 1 starts a new statement unless a parenthesis is open.
  CHECK(error_of("let z = 1\n+ 2\n") ==
        "2:1: expected a statement: load, use, let, def, set, rule, or a condition followed by 'then'");
}

TEST_CASE("parser: a byte-order mark and CRLF line ends", "[parser]") {
  parsed p = parse("\xEF\xBB\xBFlet a = 1\r\nlet b = a +\r\n  2\r\n");
  REQUIRE_FALSE(p.d.has_errors());
  REQUIRE(p.m.statements.size() == 2);
  CHECK(p.m.statements[0].range.begin.offset == 3);
  CHECK(p.m.statements[0].range.begin.column == 1);
  CHECK(p.m.statements[1].range.begin.line == 2);
  // Errors at the end of a CRLF line point just past its last visible character.
  parsed q = parse("\xEF\xBB\xBFlet x = (a\r\nlet y = b +\r\n");
  REQUIRE(q.d.items().size() == 2);
  CHECK(q.d.items()[0].pos.line == 1);
  CHECK(q.d.items()[0].pos.column == 11);
  CHECK(q.d.items()[0].message == "expected ')' to close '(' opened at 1:9");
  CHECK(q.d.items()[1].pos.line == 2);
  CHECK(q.d.items()[1].pos.column == 12);
}

TEST_CASE("parser: node and statement positions in a multi-line file", "[parser]") {
  const std::string src =
      "let a = 1\n"
      "\n"
      "rule \"r\":\n"
      "  when russell breaks 2600\n"
      "    and tga falls over 4w\n"
      "  then watch alts\n";
  parsed p = parse(src);
  REQUIRE_FALSE(p.d.has_errors());
  const statement& st = p.m.statements[1];
  CHECK(st.range.begin.line == 3);
  CHECK(st.range.begin.column == 1);
  CHECK(st.range.begin.offset == src.find("rule"));
  CHECK(st.range.end.line == 6);
  CHECK(st.range.end.offset == src.find("alts") + 4);
  const rule_stmt& r = std::get<rule_stmt>(st.body);
  const node& cond = p.m.at(r.condition);
  CHECK(cond.kind == node_kind::and_);
  CHECK(cond.range.begin.line == 4);
  CHECK(cond.range.begin.column == 8);
  CHECK(cond.range.end.line == 5);
  CHECK(cond.range.end.column == 26);
  const node& falls = p.m.at(cond.kids[1]);
  CHECK(falls.range.begin.line == 5);
  CHECK(falls.range.begin.column == 9);
  CHECK(falls.range.begin.offset == src.find("tga"));
  const node& window = p.m.at(falls.kids[2]);
  CHECK(window.range.begin.column == 24);
  CHECK(window.range.end.column == 26);
  const node& level = p.m.at(p.m.at(cond.kids[0]).kids[1]);
  CHECK(level.range.begin.line == 4);
  CHECK(level.range.begin.column == 23);
  CHECK(level.range.end.offset - level.range.begin.offset == 4);
  CHECK(r.actions[0].range.begin.line == 6);
  CHECK(r.actions[0].range.begin.column == 8);
}

TEST_CASE("parser: SPEC section 8 worked example", "[parser]") {
  parsed p = parse(R"(rule "risk-on rotation":
  when russell breaks 2600 and tga falls over 4w
  then watch alts for 90d and alert "Russell {russell} with TGA falling"

rule "liquidity cascade":
  when hy_spread narrows over 4w
       followed by spx rises over 4w within 60d
       followed by russell outperforms spx over 4w within 60d
  then watch btc and signal stage3

stage3 within 90d and btc hits new high over 1y then watch alts
)");
  for (const auto& d : p.d.items()) INFO(d.message);
  REQUIRE_FALSE(p.d.has_errors());
  REQUIRE(p.m.statements.size() == 3);
  const rule_stmt& a = rule_at(p, 0);
  CHECK(a.name == "risk-on rotation");
  CHECK(sexpr(p.m, a.condition) == "(and (breaks-up russell 2600) (falls-down tga _ 28d))");
  REQUIRE(a.actions.size() == 2);
  CHECK(a.actions[0].watch_for == duration{duration::unit::days, 90});
  CHECK(a.actions[1].text == "Russell {russell} with TGA falling");
  CHECK(a.actions[1].text_pos.line == 3);
  CHECK(a.actions[1].text_pos.column == 37);
  const rule_stmt& b = rule_at(p, 1);
  CHECK(sexpr(p.m, b.condition) ==
        "(followed-by (followed-by (narrows-down hy_spread _ 28d) (rises-up spx _ 28d) 60d) "
        "(outperforms-up russell spx 28d) 60d)");
  REQUIRE(b.actions.size() == 2);
  CHECK(b.actions[1].what == action::kind::signal);
  CHECK(b.actions[1].name == "stage3");
  const rule_stmt& c = rule_at(p, 2);
  CHECK(c.short_form);
  CHECK(sexpr(p.m, c.condition) == "(and (within stage3 90d) (new-high btc 12mo))");
  CHECK(p.m.statements[2].range.begin.line == 11);
}

TEST_CASE("parser: error messages name the place and say what was expected", "[parser]") {
  CHECK(error_of("let x = a rises over 20") ==
        "1:22: expected a duration like 20d, 4w or 3mo after 'over'");
  CHECK(error_of("let x = a for 3") == "1:15: expected a duration like 20d, 4w or 3mo after 'for'");
  CHECK(error_of("let x = a within 3") ==
        "1:18: expected a duration like 20d, 4w or 3mo after 'within'");
  CHECK(error_of("rule \"r\": when a then watch b cooldown 5") ==
        "1:40: expected a duration like 20d, 4w or 3mo after 'cooldown'");
  CHECK(error_of("load x from \"x.csv\" lag 1") ==
        "1:25: expected a duration like 20d, 4w or 3mo after 'lag'");
  CHECK(error_of("load x from \"x.csv\" stale x") ==
        "1:27: expected a duration like 20d, 4w or 3mo after 'stale'");
  CHECK(error_of("rule \"r\": when a > 1 watch b") ==
        "1:22: expected 'then' and actions after the condition");
  CHECK(error_of("russell breaks 2600\n") ==
        "1:20: expected 'then' and actions after the condition");
  CHECK(error_of("rule \"r\": when a then buy b") ==
        "1:23: expected an action (watch, alert or signal) after 'then'");
  CHECK(error_of("let x = 1\nlet y = max(a,\n  (b + c) * d") ==
        "3:14: expected ')' to close '(' opened at 2:12");
  CHECK(error_of("let x = (a + b") == "1:15: expected ')' to close '(' opened at 1:9");
  CHECK(error_of("rule \"r\": when a then alert \"oops") == "1:29: unterminated string");
  CHECK(error_of("rule \"r\": when a then watch b xyz") ==
        "1:31: unknown text 'xyz' after the rule");
  CHECK(error_of("let x = a b") == "1:11: unknown text 'b' after the statement");
  CHECK(error_of("a followed by b then watch c") ==
        "1:16: expected 'within D' after 'followed by ...'");
  CHECK(error_of("let x = \"a\\nb\"") ==
        "1:12: unknown escape '\\n' in a string (only \\\" and \\\\ are allowed)");
  CHECK(error_of("let x = 2021-02-30") == "1:9: invalid date '2021-02-30'");
  CHECK(error_of("let x = 2.5d") == "1:9: a duration needs a whole number count, like 20d or 3mo");
  CHECK(error_of("let x = 3mon") ==
        "1:11: unexpected letters after a number (durations are written like 20d, 4w, 3mo or 1y)");
  CHECK(error_of("let for = 1") == "1:5: 'for' is a reserved word and cannot be used as a name");
  CHECK(error_of("rule \"r\": when a then signal High") ==
        "1:30: 'high' is a reserved word and cannot be used as a name");
  CHECK(error_of("rule r: when a then watch b") ==
        "1:6: expected the rule's name in quotes after 'rule'");
  CHECK(error_of("rule \"r\" a then watch b") ==
        "1:10: expected 'when' and a condition after the rule's name");
  CHECK(error_of("let x = a and") == "1:14: expected a condition after 'and'");
  CHECK(error_of("let x = a crosses y") == "1:19: expected 'above' or 'below' after 'crosses'");
  CHECK(error_of("let x = a hits new top") == "1:20: expected 'high' or 'low' after 'hits new'");
  CHECK(error_of("let x = a between 1 2") ==
        "1:21: expected 'and' and the upper bound after 'between ...'");
  CHECK(error_of("let x = a[b]") ==
        "1:11: expected a whole number of bars inside '[ ]', like x[1]");
  CHECK(error_of("rule \"r\": when a then watch b once once") == "1:36: 'once' is given twice");
  CHECK(error_of("load x from \"a\" lag 1d lag 2d") == "1:24: 'lag' is given twice");
  CHECK(error_of("let x = .5") == "1:9: a number needs a digit before its point: write 0.5, not .5");
  CHECK(error_of("when a then watch b") ==
        "1:1: a rule with 'when' needs a name first: rule \"name\": when ... then ...");
  CHECK(error_of("let x = a > b > c") == "1:15: unknown text '>' after the statement");
  CHECK(error_of("%%%") ==
        "1:1: expected a statement: load, use, let, def, set, rule, or a condition followed by 'then'");
}

TEST_CASE("parser: a reserved word where a value belongs gets a note", "[parser]") {
  parsed p = parse("let x = high + 1");
  REQUIRE(p.d.items().size() == 1);
  CHECK(p.d.items()[0].message == "expected an expression after '='");
  CHECK(p.d.items()[0].note == "'high' is a reserved word and cannot be used as a name");
  parsed q = parse("let x = a or then");
  REQUIRE(q.d.items().size() == 1);
  CHECK(q.d.items()[0].message == "expected a condition after 'or'");
  CHECK(q.d.items()[0].note.empty());
}

TEST_CASE("parser: bytes that are not text are reported with their position", "[parser]") {
  CHECK(error_of(std::string("let x = a\0b", 11)) == "1:10: NUL byte in the source");
  CHECK(error_of("let x = a\xff") == "1:10: invalid UTF-8 (byte 0xff)");
  CHECK(error_of("rule \"r\": when a then alert \"caf\xc3\"") == "1:33: invalid UTF-8 (byte 0xc3)");
  CHECK(error_of("let x = 1\n# comment \xe0\x80\x80\n") == "2:11: invalid UTF-8 (byte 0xe0)");
  parsed ok = parse("rule \"r\": when a then alert \"caf\xc3\xa9 \xe2\x82\xac\" # \xf0\x9f\x9a\x80\n");
  REQUIRE_FALSE(ok.d.has_errors());
  CHECK(rule_at(ok, 0).actions[0].text == "caf\xc3\xa9 \xe2\x82\xac");
}

TEST_CASE("parser: recovery reports each bad statement once and keeps the good ones", "[parser]") {
  parsed p = parse(
      "let a = 1\n"
      "let b = (1 +\n"          // unclosed: stops at the next statement keyword
      "let c = 2\n"
      "rule \"r\": when a then\n"
      "  buy it\n"
      "let d = a rises over 5\n"
      "let e = 3\n");
  REQUIRE(p.d.error_count() == 3);
  // `let` on line 3 cannot continue `(1 +`, so statement 2 ends with line 2.
  CHECK(p.d.items()[0].pos.line == 2);
  CHECK(p.d.items()[0].pos.column == 13);
  CHECK(p.d.items()[0].message == "expected a value after '+'");
  CHECK(p.d.items()[1].pos.line == 5);
  CHECK(p.d.items()[1].message == "expected an action (watch, alert or signal) after 'then'");
  CHECK(p.d.items()[2].pos.line == 6);
  REQUIRE(p.m.statements.size() == 3);
  CHECK(std::get<let_stmt>(p.m.statements[0].body).name == "a");
  CHECK(std::get<let_stmt>(p.m.statements[1].body).name == "c");
  CHECK(std::get<let_stmt>(p.m.statements[2].body).name == "e");
  // Nodes of failed statements do not stay in the arena.
  for (const statement& st : p.m.statements)
    CHECK(std::get<let_stmt>(st.body).value < p.m.nodes.size());
  CHECK(p.m.nodes.size() == 3);
}

TEST_CASE("parser: deep nesting is an error, not a stack overflow", "[parser]") {
  for (const std::string opener : {"(", "not ", "-", "f("}) {
    INFO(opener);
    std::string src = "let x = ";
    for (int i = 0; i < 100000; ++i) src += opener;
    src += "a";
    parsed p;
    on_8mb_stack([&] { p = parse(src); });
    REQUIRE(p.d.items().size() == 1);
    CHECK(p.d.items()[0].message == "expression nested too deeply (limit 256)");
    // At the 257th opener (for a call, at its name).
    CHECK(p.d.items()[0].pos.column == 9 + 256 * opener.size());
  }
  // 256 levels are fine.
  std::string ok = "let x = " + std::string(256, '(') + "a" + std::string(256, ')');
  parsed p = parse(ok);
  CHECK_FALSE(p.d.has_errors());
  parse_limits tight;
  tight.max_nesting = 2;
  CHECK(parse("let x = ((a))", tight).d.error_count() == 0);
  CHECK(parse("let x = (((a)))", tight).d.error_count() == 1);
}

TEST_CASE("parser: a very long name is an error", "[parser]") {
  std::string src = "let x = " + std::string(10'000'000, 'a') + " > 1";
  parsed p = parse(src);
  REQUIRE(p.d.items().size() == 1);
  CHECK(p.d.items()[0].message == "name is longer than 256 characters");
  CHECK(p.d.items()[0].pos.column == 9);
  CHECK_FALSE(parse("let " + std::string(256, 'b') + " = 1").d.has_errors());
  CHECK(parse("let " + std::string(257, 'b') + " = 1").d.error_count() == 1);
}

TEST_CASE("parser: a source over the size limit gets one error", "[parser]") {
  parse_limits small;
  small.max_source_bytes = 100;
  parsed p = parse(std::string(101, '#'), small);
  REQUIRE(p.d.items().size() == 1);
  CHECK_FALSE(p.d.items()[0].has_pos);
  CHECK(p.m.statements.empty());
  CHECK_FALSE(parse(std::string(100, '#'), small).d.has_errors());
}

TEST_CASE("parser: a 50 MB file parses in linear time", "[parser][slow]") {
  const std::string block =
      "load series_name from \"data/series.csv\" column \"Close\" lag 1d stale 10d\n"
      "rule \"risk-on rotation\":\n"
      "  when russell breaks 2600 and tga falls over 4w # stage two\n"
      "  then watch alts for 90d and alert \"Russell {russell} with TGA falling\"\n";
  std::string src;
  src.reserve(50u << 20);
  std::size_t blocks = 0;
  while (src.size() + block.size() <= (50u << 20)) {
    src += block;
    ++blocks;
  }
  const auto start = std::chrono::steady_clock::now();
  parsed p = parse(std::move(src));
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK_FALSE(p.d.has_errors());
  CHECK(p.m.statements.size() == 2 * blocks);
#if !defined(__SANITIZE_ADDRESS__)  // sanitizers slow parsing down tenfold
  CHECK(seconds < 120.0);  // about 6 s of CPU here; quadratic work would take hours
#endif
  (void)seconds;
}

TEST_CASE("parser: fragments parse into the module's arena", "[parser]") {
  parsed p = parse("rule \"r\": when a then alert \"level {russell * 2} at\"\n");
  REQUIRE_FALSE(p.d.has_errors());
  const std::string& src = p.m.source;
  const auto begin = static_cast<std::uint32_t>(src.find('{') + 1);
  const auto end = static_cast<std::uint32_t>(src.find('}'));
  diagnostics d;
  const node_id id = parse_fragment(p.m, begin, end, d);
  REQUIRE_FALSE(d.has_errors());
  REQUIRE(id != no_node);
  CHECK(sexpr(p.m, id) == "(* russell 2)");
  CHECK(p.m.at(id).range.begin.line == 1);
  CHECK(p.m.at(id).range.begin.column == 37);

  module_ast m;
  m.source_name = "<repl>";
  m.source = "x rises\n  by 5% over";
  diagnostics e;
  CHECK(parse_fragment(m, 0, static_cast<std::uint32_t>(m.source.size()), e) == no_node);
  REQUIRE(e.items().size() == 1);
  CHECK(e.items()[0].pos.line == 2);
  CHECK(e.items()[0].pos.column == 13);
  CHECK(e.items()[0].message == "expected a duration like 20d, 4w or 3mo after 'over'");
  diagnostics f;
  m.source = "a b";
  CHECK(parse_fragment(m, 0, 3, f) == no_node);
  CHECK(f.items()[0].message == "unknown text 'b' after the expression");
}

TEST_CASE("parser: REPL input is classified as statement or expression", "[parser]") {
  CHECK(looks_like_statement("let x = 1"));
  CHECK(looks_like_statement("  LOAD x from \"a.csv\""));
  CHECK(looks_like_statement("use liquidity"));
  CHECK(looks_like_statement("def f(x) = x"));
  CHECK(looks_like_statement("set window 4w"));
  CHECK(looks_like_statement("rule \"r\": when a then watch b"));
  CHECK(looks_like_statement("russell breaks 2600 then watch alts"));
  CHECK(looks_like_statement("let x ="));  // incomplete: still meant as a statement
  CHECK_FALSE(looks_like_statement("russell breaks 2600"));
  CHECK_FALSE(looks_like_statement("sma(russell, 20d) * 2"));
  CHECK_FALSE(looks_like_statement("letter > 1"));
  CHECK_FALSE(looks_like_statement("x > 1 # then"));
  CHECK_FALSE(looks_like_statement("\"then\""));
}
