// The abstract syntax tree the grammar produces and the compiler, explain and the
// reference evaluator consume. Nodes live in one arena per module; a node's index is its
// stable id (diagnostics, disassembly and explain traces all refer to it).
#pragma once
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "interpreter/diagnostics.hpp"
#include "interpreter/time.hpp"

namespace sluice {

using node_id = std::uint32_t;
constexpr node_id no_node = std::numeric_limits<node_id>::max();

// Expression and condition node kinds. `kids` holds operands in the order listed; an
// optional operand that is absent is `no_node`.
enum class node_kind : std::uint8_t {
  number,       // literal: `digits` x 10^`exponent10`; is_percent when written with %
  duration,     // literal: `dur` (20d, 4w, 3mo, 1y, 20 bars); only valid where a window is
  date,         // literal: `time` (2021-01-15)
  string,       // literal: `text` (escapes resolved)
  name,         // identifier `text` (lower-cased): series, let, def parameter, signal
  field,        // `text`.`field`: a column of a multi-column series (btc.volume)
  negate,       // -kids[0]
  binary,       // kids[0] op kids[1]; op is '+', '-', '*', '/'
  call,         // `text`(kids...): builtin, def or host function
  index,        // kids[0][N]: value N bars ago; N = `count`
  compare,      // kids[0] op kids[1]; op is a compare_op; `above`/`below` are > and <
  between,      // kids[0] between kids[1] and kids[2]
  crosses,      // kids[0] crosses (op: direction) kids[1]; `breaks` sets `text` = "breaks"
  change,       // kids[0] rises/falls (op: direction up/down) [by kids[1]] [over kids[2]];
                // `text` is the word used (rises, falls, widens, narrows)
  perform,      // kids[0] outperforms/underperforms (op: up/down) kids[1] [over kids[2]];
                // `text` is the word used (outperforms, leads, underperforms, trails)
  new_extreme,  // kids[0] hits new high/low (op: up = high, down = low) [over kids[1]]
  not_,         // not kids[0]
  and_,         // kids[0] and kids[1]
  or_,          // kids[0] or kids[1]
  for_,         // kids[0] for kids[1] (window)
  within,       // kids[0] within kids[1] (window)
  followed_by,  // kids[0] followed by kids[1] within kids[2] (window)
};

enum class compare_op : std::uint8_t { gt, ge, lt, le, eq, ne };
enum class direction : std::uint8_t { up, down };  // above/rises/outperforms/high vs the mirror

struct node {
  node_kind kind = node_kind::number;
  std::uint8_t op = 0;  // binary: the operator char; compare: compare_op; else direction
  source_range range;   // the whole text of the node
  std::vector<node_id> kids;

  std::string text;   // name, call name, string contents, predicate word
  std::string field;  // field of a `field` node
  // number literal: value = digits * 10^exponent10, kept as text so that exact mode can
  // read it without passing through double. `2.6k` -> digits "2.6", exponent10 3;
  // `5%` -> digits "5", exponent10 -2, is_percent.
  std::string digits;
  int exponent10 = 0;
  bool is_percent = false;
  duration dur;          // duration literal
  time_point time = 0;   // date literal
  std::int64_t count = 0;  // index: bars back
};

// --- statements ------------------------------------------------------------------

// load NAME from "path" [column "Close"] [lag 1d] [stale 10d]
struct load_stmt {
  std::string name;
  std::string path;
  std::optional<std::string> column;
  std::optional<duration> lag;
  std::optional<duration> stale;
};

// use "other.sluice"  (is_path) / use liquidity  (a stdlib module)
struct use_stmt {
  std::string target;
  bool is_path = false;
};

// let NAME = EXPR
struct let_stmt {
  std::string name;
  node_id value = no_node;
};

// def NAME(p1, p2) = EXPR
struct def_stmt {
  std::string name;
  std::vector<std::string> params;
  node_id body = no_node;
};

// set KEY VALUE...   (set window 4w; set horizons 30d 60d 90d; set from 2020-01-01)
struct set_stmt {
  std::string key;
  std::vector<node_id> values;  // literal nodes
};

struct action {
  enum class kind : std::uint8_t { watch, alert, signal };
  kind what = kind::watch;
  std::string name;                  // watch: series name; signal: signal name
  node_id target = no_node;          // watch: the watched expression (a name node)
  std::string text;                  // alert: the message template with {expr} holes
  source_pos text_pos;               // alert: position of the opening quote
  std::optional<duration> watch_for; // watch X for D
  source_range range;
};

// rule "name": when COND then ACTIONS [cooldown D] [once]   or   COND then ACTIONS
struct rule_stmt {
  std::string name;       // empty for the short form; the compiler names it after its line
  bool short_form = false;
  node_id condition = no_node;
  std::vector<action> actions;
  std::optional<duration> cooldown;
  bool once = false;
  // `for each SYM in UNIVERSE when ...`: the rule is compiled once per member of the
  // universe, with SYM naming that member (docs/language.md, Universes).
  std::string each_symbol;    // SYM, lower case; empty for an ordinary rule
  std::string each_universe;  // UNIVERSE
  source_pos each_pos;        // where UNIVERSE is written, for diagnostics
};

// universe NAME = a, b, c   |   universe NAME = columns of WIDE
struct universe_stmt {
  std::string name;
  std::vector<std::string> members;  // series names, in the order written
  std::string columns_of;            // non-empty: the members are this series' columns
};

struct statement {
  source_range range;
  std::variant<load_stmt, use_stmt, let_stmt, def_stmt, set_stmt, rule_stmt, universe_stmt> body;
};

// One parsed source file (a rule file, a stdlib module, a REPL line).
struct module_ast {
  std::string source_name;  // as shown in diagnostics
  std::string source;       // the full text (diagnostics print lines from it)
  std::vector<node> nodes;  // arena; node_id indexes it
  std::vector<statement> statements;
  // Offset where each line of `source` starts, built by parse_module (or by the first
  // parse_fragment of a module built by hand), so that the position of each `{expr}` hole
  // is a binary search, not a count from the top of the file (quadratic with many holes).
  std::vector<std::uint32_t> line_starts;

  const node& at(node_id id) const { return nodes[id]; }
};

}  // namespace sluice
