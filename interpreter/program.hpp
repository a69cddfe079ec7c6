// A compiled Sluice program: immutable bytecode plus the tables the VM and the drivers
// need (series to load, inputs to align, rules and their actions). Built by the compiler,
// shared read-only by any number of runs and streaming sessions, on any thread.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "interpreter/ast.hpp"
#include "interpreter/numeric/alert_format.hpp"
#include "interpreter/opcodes.hpp"
#include "interpreter/time.hpp"

namespace sluice {

using reg_index = std::uint32_t;

// Where a series comes from: a CSV file (with a column) or the host.
struct series_spec {
  std::string name;            // as referenced in rule text (lower case)
  std::string path;            // CSV file; empty for host-provided series
  std::string column;          // requested column; empty = the file's default column
  std::optional<duration> lag;    // publication delay
  std::optional<duration> stale;  // age after which a value is missing (default: auto)
  std::string declared_in;     // "rules.sluice:3:1" or "--data" for diagnostics
};

// A column the drivers align to the timeline: series[series].field read as-of t - shift.
struct input_spec {
  std::uint32_t series = 0;
  std::string field;      // empty: the series' own column
  duration shift{duration::unit::days, 0};
};

struct instruction {
  opcode op;
  reg_index d = 0, a = 0, b = 0, c = 0;
  duration w{duration::unit::days, 0};
  std::uint32_t k = 0;  // constant / input / aux / rule index
  std::uint32_t s = 0;  // state slot
  node_id origin = no_node;      // AST node that produced it
  std::uint32_t module = 0;      // which module's arena `origin` indexes
};

// A piece of alert text: literal text, or the value of a numeric register, or the date.
struct alert_piece {
  enum class kind : std::uint8_t { text, value, date, rule } what = kind::text;
  std::string text;
  reg_index reg = 0;
  std::optional<number_format> format;  // value: `{expr:FORMAT}`'s spec, if written
};

struct compiled_action {
  action::kind what = action::kind::watch;
  std::string name;                     // watched series or signal name
  reg_index watched = 0;                // watch: numeric register of the watched series
  std::optional<duration> watch_for;
  std::vector<alert_piece> alert;       // alert: the interpolated message
};

// Texts shared by every event of a rule (its action texts): an event copies a pointer
// instead of allocating and copying the strings (W1's run builds ~67,000 events, W3's
// 1.8 million). Reads like a const std::vector<std::string>; never null.
class shared_texts {
 public:
  shared_texts() : texts_(none()) {}
  explicit shared_texts(std::vector<std::string> texts)
      : texts_(std::make_shared<const std::vector<std::string>>(std::move(texts))) {}
  std::size_t size() const { return texts_->size(); }
  bool empty() const { return texts_->empty(); }
  const std::string& operator[](std::size_t i) const { return (*texts_)[i]; }
  std::vector<std::string>::const_iterator begin() const { return texts_->begin(); }
  std::vector<std::string>::const_iterator end() const { return texts_->end(); }

 private:
  static const std::shared_ptr<const std::vector<std::string>>& none() {
    static const auto empty = std::make_shared<const std::vector<std::string>>();
    return empty;
  }
  std::shared_ptr<const std::vector<std::string>> texts_;
};

struct compiled_rule {
  std::string name;
  std::string location;  // "rotation.sluice:12"
  reg_index condition = 0;  // condition register
  reg_index fired = 0;      // condition register written by `fire` (the rule's signal)
  std::vector<compiled_action> actions;
  shared_texts action_texts;  // as events list the actions: "watch alts for 90d", "alert"
  std::vector<std::pair<std::string, reg_index>> values;  // series referenced, for events
  shared_texts value_names;   // the names of `values`, as events list them
  std::optional<duration> cooldown;
  bool once = false;
  node_id condition_node = no_node;
  std::uint32_t module = 0;
  // A rule of `for each SYM in U`: the member it was compiled for (its name ends in
  // [member]), the universe, and the node in modules[each_module] that SYM stands for.
  std::string symbol;
  std::string universe;
  std::string each_symbol;
  node_id each_node = no_node;
  std::uint32_t each_module = 0;
};

// A function the host registered (embedding API), callable from rule text. `call` must be
// safe to call from several threads at once: programs are shared across threads.
struct host_function {
  std::string name;        // lower case
  std::uint32_t arity = 0;
  std::int64_t window = 0;  // > 0: call with each argument's last `window` values (bars)
  std::function<double(std::span<const double>)> call;
};

struct program {
  std::vector<std::shared_ptr<const module_ast>> modules;  // sources, for disasm/explain
  std::vector<series_spec> series;
  std::vector<input_spec> inputs;
  std::vector<double> constants;
  std::vector<std::string> constant_text;  // the same constants as decimal text (exact mode)
  std::vector<std::vector<reg_index>> aux;  // operand lists (basket, host_call)
  std::vector<host_function> host_functions;  // HOST[] of host_call
  std::vector<instruction> init_code;  // constant subexpressions, run once per VM
  std::vector<instruction> code;       // run once per block
  std::vector<compiled_rule> rules;
  std::uint32_t num_registers = 0;   // numeric register count
  std::uint32_t cond_registers = 0;  // condition register count
  std::uint32_t state_slots = 0;
  duration default_window{duration::unit::days, 28};
  std::vector<duration> horizons;    // forward-return horizons (set horizons)
  // The universes cross-sectional instructions range over: an xs_* instruction's `a`
  // indexes this list, and AUX[k][j] is the operand of members[j]. The parallel driver
  // (interpreter/run/universe_plan.hpp) splits the work per member with it.
  struct universe_members {
    std::string name;
    std::vector<std::string> members;
  };
  std::vector<universe_members> universes;
};

// `sluice disasm`: the bytecode, per rule, with the source lines behind it.
std::string disassemble(const program& p);

}  // namespace sluice
