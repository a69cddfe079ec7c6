// Cutting a universe program into member slices (see universe_plan.hpp). Each slice is
// the backward closure of its roots through the bytecode: its rules' conditions, signals,
// values and watched series, and its member's operand of every cross-section. A closure
// stops at a cross-section's output, which the slice reads as an extra input column.
#include "interpreter/run/universe_plan.hpp"

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "interpreter/vm/cross_section.hpp"

namespace sluice {

namespace {

constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

// A register as the closure walks it: numeric or condition.
struct reg_ref {
  bool condition = false;
  reg_index reg = 0;
};

// The program's instructions numbered once: code[i] is i, init_code[i] is code.size() + i.
class bytecode_graph {
 public:
  explicit bytecode_graph(const program& p) : p_(p) {
    num_def_.assign(p.num_registers, none);
    cond_def_.assign(p.cond_registers, none);
    for (std::size_t i = 0; i < count(); ++i) {
      const instruction& in = at(i);
      const std::size_t rows =
          in.op == opcode::xs_rank ? p.aux[in.k].size() : static_cast<std::size_t>(1);
      for (std::size_t r = 0; r < rows; ++r) {
        auto& defs = writes_condition(in.op) ? cond_def_ : num_def_;
        if (in.d + r < defs.size()) defs[in.d + r] = static_cast<std::uint32_t>(i);
      }
    }
    // Levels: 0 below every cross-section; a cross-section is one above its operands.
    level_.assign(count(), 0);
    for (std::size_t i = 0; i < p.code.size(); ++i) {
      const instruction& in = p.code[i];
      int level = 0;
      auto raise = [&](reg_ref r) {
        const std::uint32_t d = def(r);
        if (d != none) level = std::max(level, level_[d]);
      };
      if (is_cross_section(in.op)) {
        for (reg_index r : p.aux[in.k]) raise({in.op == opcode::xs_breadth, r});
        ++level;
      } else {
        for_each_read(in, raise);
      }
      level_[i] = level;
    }
  }
  std::size_t count() const { return p_.code.size() + p_.init_code.size(); }
  bool is_init(std::size_t i) const { return i >= p_.code.size(); }
  const instruction& at(std::size_t i) const {
    return is_init(i) ? p_.init_code[i - p_.code.size()] : p_.code[i];
  }
  std::uint32_t def(reg_ref r) const {
    const auto& defs = r.condition ? cond_def_ : num_def_;
    return r.reg < defs.size() ? defs[r.reg] : none;
  }
  int level(std::size_t i) const { return level_[i]; }

  // The registers `in` reads (a cross-section's operands are not walked through: they
  // belong to each member's own slice).
  template <class F>
  void for_each_read(const instruction& in, F f) const {
    const char* kinds = info(in.op).operands;
    const reg_index regs[3] = {in.a, in.b, in.c};
    for (int i = 0; kinds[i] != '\0' && i < 3; ++i) f(reg_ref{kinds[i] == 'c', regs[i]});
    if (in.op == opcode::basket)
      for (reg_index r : p_.aux[in.k]) f(reg_ref{false, r});
    if (in.op == opcode::host_call)
      for (std::size_t j = 1; j < p_.aux[in.k].size(); ++j) f(reg_ref{false, p_.aux[in.k][j]});
  }

 private:
  const program& p_;
  std::vector<std::uint32_t> num_def_, cond_def_;
  std::vector<int> level_;
};

// Registers reused within a slice once their last reader has run. The whole program
// gives every instruction a register of its own, and a member's slice kept that numbering:
// 86 numeric and 166 condition registers per member for the 50 rules of scripts/bench
// --universe, so that at 5,000 members the blocks had to shrink to 32 points to fit the
// register budget. Live at once are far fewer. Kept for the whole run: constants (the VM
// computes them once), inputs (their registers view the input columns), and `pinned`
// registers, which the driver reads after the block (event values, watched series,
// cross-section operands). A destination never shares a register with its own operands.
class register_compactor {
 public:
  void pin(bool condition, reg_index r) { (condition ? pinned_cond_ : pinned_num_).push_back(r); }

  void run(member_slice& s) {
    program& p = s.code;
    num_.assign(p.num_registers, unmapped);
    cond_.assign(p.cond_registers, unmapped);
    std::vector<std::size_t> last_num(p.num_registers, 0), last_cond(p.cond_registers, 0);
    constexpr std::size_t forever = std::numeric_limits<std::size_t>::max();
    for (std::size_t i = 0; i < p.code.size(); ++i)
      for_each_read(p, p.code[i], [&](bool c, reg_index r) { (c ? last_cond : last_num)[r] = i; });
    for (reg_index r : pinned_num_) last_num[r] = forever;
    for (reg_index r : pinned_cond_) last_cond[r] = forever;
    for (const instruction& in : p.init_code) {
      fixed(writes_condition(in.op), in.d);
      (writes_condition(in.op) ? last_cond : last_num)[in.d] = forever;
    }
    for (const instruction& in : p.code)
      if (in.op == opcode::input) {
        fixed(false, in.d);
        last_num[in.d] = forever;
      }
    for (std::size_t i = 0; i < p.code.size(); ++i) {
      const instruction& in = p.code[i];
      const bool c = writes_condition(in.op);
      if ((c ? cond_ : num_)[in.d] == unmapped) (c ? cond_ : num_)[in.d] = take(c);
      for_each_read(p, in, [&](bool rc, reg_index r) {
        if ((rc ? last_cond : last_num)[r] != i) return;
        (rc ? last_cond : last_num)[r] = forever - 1;  // freed once, even if read twice here
        release(rc, r);
      });
      if ((c ? last_cond : last_num)[in.d] == 0 && !reads(p, i, c, in.d)) release(c, in.d);
    }
    // Registers nothing in the code writes (pinned roots with no instruction) keep one.
    for (reg_index& r : num_)
      if (r == unmapped) r = next_num_++;
    for (reg_index& r : cond_)
      if (r == unmapped) r = next_cond_++;
    apply(s);
  }

 private:
  static constexpr reg_index unmapped = std::numeric_limits<reg_index>::max();

  template <class F>
  static void for_each_read(const program& p, const instruction& in, F f) {
    const char* kinds = info(in.op).operands;
    const reg_index regs[3] = {in.a, in.b, in.c};
    for (int i = 0; kinds[i] != '\0' && i < 3; ++i) f(kinds[i] == 'c', regs[i]);
    if (in.op == opcode::basket)
      for (reg_index r : p.aux[in.k]) f(false, r);
    if (in.op == opcode::host_call)
      for (std::size_t j = 1; j < p.aux[in.k].size(); ++j) f(false, p.aux[in.k][j]);
  }
  // True if instruction i itself reads its destination (never, as registers are assigned
  // once; checked so that a dead result is not freed under a reader).
  static bool reads(const program& p, std::size_t i, bool c, reg_index d) {
    bool found = false;
    for_each_read(p, p.code[i],
                  [&](bool rc, reg_index r) { found = found || (rc == c && r == d); });
    return found;
  }
  void fixed(bool c, reg_index r) {
    reg_index& m = (c ? cond_ : num_)[r];
    if (m == unmapped) m = c ? next_cond_++ : next_num_++;
  }
  reg_index take(bool c) {
    auto& free = c ? free_cond_ : free_num_;
    if (free.empty()) return c ? next_cond_++ : next_num_++;
    const reg_index r = free.back();
    free.pop_back();
    return r;
  }
  void release(bool c, reg_index local) {
    const reg_index r = (c ? cond_ : num_)[local];
    if (r != unmapped) (c ? free_cond_ : free_num_).push_back(r);
  }
  void apply(member_slice& s) {
    program& p = s.code;
    auto move = [&](instruction& in) {
      in.d = (writes_condition(in.op) ? cond_ : num_)[in.d];
      const char* kinds = info(in.op).operands;
      reg_index* regs[3] = {&in.a, &in.b, &in.c};
      for (int i = 0; kinds[i] != '\0' && i < 3; ++i)
        *regs[i] = (kinds[i] == 'c' ? cond_ : num_)[*regs[i]];
      if (in.op == opcode::basket || in.op == opcode::host_call) {
        std::vector<reg_index>& parts = p.aux[in.k];
        for (std::size_t j = in.op == opcode::host_call ? 1 : 0; j < parts.size(); ++j)
          parts[j] = num_[parts[j]];
      }
    };
    for (instruction& in : p.init_code) move(in);
    for (instruction& in : p.code) move(in);
    for (compiled_rule& r : p.rules) {
      r.condition = cond_[r.condition];
      r.fired = cond_[r.fired];
      for (auto& [name, reg] : r.values) reg = num_[reg];
      for (compiled_action& a : r.actions) {
        if (a.what == action::kind::watch) a.watched = num_[a.watched];
        for (alert_piece& piece : a.alert)
          if (piece.what == alert_piece::kind::value) piece.reg = num_[piece.reg];
      }
    }
    for (auto& [global, mine] : s.numbers) mine = num_[mine];
    for (auto& [global, mine] : s.conditions) mine = cond_[mine];
    p.num_registers = next_num_;
    p.cond_registers = next_cond_;
  }

  std::vector<reg_index> pinned_num_, pinned_cond_;
  std::vector<reg_index> num_, cond_;  // slice register -> compacted register
  std::vector<reg_index> free_num_, free_cond_;
  reg_index next_num_ = 0, next_cond_ = 0;
};

// Builds one slice from its roots.
class slice_builder {
 public:
  slice_builder(const program& p, const bytecode_graph& g, int levels,
                const std::vector<std::uint32_t>& step_of, std::vector<std::uint32_t>& mark,
                std::uint32_t stamp)
      : p_(p), g_(g), levels_(levels), step_of_(step_of), mark_(mark), stamp_(stamp) {}

  // A root's register; `pinned`: the driver reads it after the block, so it keeps its
  // register for the whole block (register_compactor).
  void add_root(reg_ref r, bool pinned = false) {
    roots_.push_back(r);
    if (pinned) pinned_.push_back(r);
  }

  member_slice build(std::string member) {
    member_slice s;
    s.member = std::move(member);
    walk();
    std::sort(ids_.begin(), ids_.end());
    program& out = s.code;
    out.modules = p_.modules;
    out.host_functions = p_.host_functions;
    out.default_window = p_.default_window;
    out.horizons = p_.horizons;
    // Constant code first (run once per VM), then the per-block code phase by phase, each
    // phase opening with the reduction outputs it reads.
    for (std::uint32_t id : ids_)
      if (g_.is_init(id)) out.init_code.push_back(translate(g_.at(id), s));
    std::vector<std::vector<std::uint32_t>> by_level(static_cast<std::size_t>(levels_) + 1);
    for (std::uint32_t id : ids_)
      if (!g_.is_init(id)) by_level[static_cast<std::size_t>(g_.level(id))].push_back(id);
    // Reduction outputs read, by the level of their cross-section: (global register, xs).
    std::vector<std::vector<std::pair<reg_index, std::uint32_t>>> feeds_by_level(by_level.size());
    for (const auto& [reg, xs] : feed_regs_)
      feeds_by_level[static_cast<std::size_t>(g_.level(xs))].push_back({reg, xs});
    for (std::size_t level = 0; level < by_level.size(); ++level) {
      s.phase_begin.push_back(out.code.size());
      std::sort(feeds_by_level[level].begin(), feeds_by_level[level].end());
      for (const auto& [global, xs_id] : feeds_by_level[level]) {
        const instruction& xs = p_.code[xs_id];
        instruction in;
        in.op = opcode::input;
        in.d = local(false, global);
        in.k = static_cast<std::uint32_t>(s.feeds.size());  // offset by the inputs below
        s.feeds.push_back({step_of_[xs_id], xs.op == opcode::xs_rank ? global - xs.d : 0});
        in.origin = xs.origin;
        in.module = xs.module;
        feed_inputs_.push_back(out.code.size());
        out.code.push_back(in);
      }
      for (std::uint32_t id : by_level[level]) out.code.push_back(translate(g_.at(id), s));
    }
    s.phase_begin.push_back(out.code.size());
    for (std::size_t at : feed_inputs_)
      out.code[at].k += static_cast<std::uint32_t>(s.inputs.size());
    // Roots nothing writes (none in practice) still get a register, as in the whole program.
    for (reg_ref r : roots_) local(r.condition, r.reg);
    for (std::uint32_t rule : rule_order_) {
      compiled_rule copy = p_.rules[rule];
      const bool owned = copy.symbol == s.member;
      copy.condition = local(true, copy.condition);
      copy.fired = local(true, copy.fired);
      if (!owned) {  // only its signal is computed here: no values, no actions to read
        copy.values.clear();
        copy.actions.clear();
      }
      for (auto& [name, reg] : copy.values) reg = local(false, reg);
      for (compiled_action& a : copy.actions) {
        if (a.what == action::kind::watch) a.watched = local(false, a.watched);
        for (alert_piece& piece : a.alert)
          if (piece.what == alert_piece::kind::value) piece.reg = local(false, piece.reg);
      }
      out.rules.push_back(std::move(copy));
      s.rules.push_back(rule);
      s.reports.push_back(owned);
    }
    out.num_registers = next_num_;
    out.cond_registers = next_cond_;
    out.state_slots = next_state_;
    for (const auto& [global, mine] : nums_) s.numbers.push_back({global, mine});
    for (const auto& [global, mine] : conds_) s.conditions.push_back({global, mine});
    register_compactor compactor;
    for (reg_ref r : pinned_) compactor.pin(r.condition, local(r.condition, r.reg));
    // A watched basket's components are read after the block too (--stats).
    for (const instruction& in : out.code)
      if (in.op == opcode::basket)
        for (reg_index r : out.aux[in.k]) compactor.pin(false, r);
    compactor.run(s);
    std::sort(s.numbers.begin(), s.numbers.end());
    std::sort(s.conditions.begin(), s.conditions.end());
    return s;
  }

  // The rules this slice fires (its own, and any whose signal its rules read).
  void add_rule(std::uint32_t rule) { rule_index(rule); }

 private:
  void walk() {
    std::vector<reg_ref> stack = roots_;
    while (!stack.empty()) {
      const reg_ref r = stack.back();
      stack.pop_back();
      const std::uint32_t d = g_.def(r);
      if (d == none) continue;
      const instruction& in = g_.at(d);
      if (is_cross_section(in.op)) {  // read as a reduction's output
        feed_regs_.emplace(r.reg, d);
        continue;
      }
      if (mark_[d] == stamp_) continue;
      mark_[d] = stamp_;
      ids_.push_back(d);
      g_.for_each_read(in, [&](reg_ref x) { stack.push_back(x); });
    }
  }

  reg_index local(bool condition, reg_index global) {
    auto& map = condition ? conds_ : nums_;
    auto& next = condition ? next_cond_ : next_num_;
    auto [it, fresh] = map.emplace(global, next);
    if (fresh) ++next;
    return it->second;
  }

  std::uint32_t rule_index(std::uint32_t rule) {
    auto [it, fresh] = rules_.emplace(rule, static_cast<std::uint32_t>(rule_order_.size()));
    if (fresh) rule_order_.push_back(rule);
    return it->second;
  }

  instruction translate(const instruction& from, member_slice& s) {
    instruction in = from;
    in.d = local(writes_condition(from.op), from.d);
    const char* kinds = info(from.op).operands;
    reg_index* regs[3] = {&in.a, &in.b, &in.c};
    for (int i = 0; kinds[i] != '\0' && i < 3; ++i) *regs[i] = local(kinds[i] == 'c', *regs[i]);
    if (is_stateful(from.op)) in.s = ++next_state_;
    switch (from.op) {
      case opcode::constant:
        in.k = static_cast<std::uint32_t>(s.code.constants.size());
        s.code.constants.push_back(p_.constants[from.k]);
        s.code.constant_text.push_back(p_.constant_text[from.k]);
        break;
      case opcode::input: {
        auto [it, fresh] = inputs_.emplace(from.k, static_cast<std::uint32_t>(s.inputs.size()));
        if (fresh) {
          s.inputs.push_back(from.k);
          s.code.inputs.push_back(p_.inputs[from.k]);
        }
        in.k = it->second;
        break;
      }
      case opcode::basket:
      case opcode::host_call: {
        std::vector<reg_index> parts = p_.aux[from.k];
        for (std::size_t j = from.op == opcode::host_call ? 1 : 0; j < parts.size(); ++j)
          parts[j] = local(false, parts[j]);
        in.k = static_cast<std::uint32_t>(s.code.aux.size());
        s.code.aux.push_back(std::move(parts));
        break;
      }
      case opcode::fire:
        in.k = rule_index(from.k);
        break;
      default:
        break;
    }
    return in;
  }

  const program& p_;
  const bytecode_graph& g_;
  int levels_;
  const std::vector<std::uint32_t>& step_of_;
  std::vector<std::uint32_t>& mark_;
  std::uint32_t stamp_;
  std::vector<reg_ref> roots_, pinned_;
  std::vector<std::uint32_t> ids_;
  std::unordered_map<reg_index, std::uint32_t> feed_regs_;  // global register -> its xs
  std::vector<std::size_t> feed_inputs_;
  std::unordered_map<reg_index, reg_index> nums_, conds_;
  std::unordered_map<std::uint32_t, std::uint32_t> inputs_, rules_;
  std::vector<std::uint32_t> rule_order_;
  reg_index next_num_ = 0, next_cond_ = 0;
  std::uint32_t next_state_ = 0;
};

}  // namespace

std::int64_t find_local(const std::vector<std::pair<reg_index, reg_index>>& map, reg_index global) {
  auto it = std::lower_bound(map.begin(), map.end(), std::pair<reg_index, reg_index>{global, 0});
  return it != map.end() && it->first == global ? static_cast<std::int64_t>(it->second) : -1;
}

std::vector<reg_index> event_registers(const compiled_rule& rule) {
  std::vector<reg_index> regs;
  for (const auto& [name, reg] : rule.values) regs.push_back(reg);
  for (const compiled_action& a : rule.actions)
    for (const alert_piece& piece : a.alert)
      if (piece.what == alert_piece::kind::value) regs.push_back(piece.reg);
  return regs;
}

universe_plan plan_universe(const program& p) {
  universe_plan plan;
  const bytecode_graph g(p);
  std::vector<std::uint32_t> step_of(p.code.size(), none);
  for (std::size_t i = 0; i < p.code.size(); ++i) {
    if (!is_cross_section(p.code[i].op)) continue;
    step_of[i] = static_cast<std::uint32_t>(plan.steps.size());
    xs_step step;
    step.op = p.code[i].op;
    step.instruction = i;
    step.level = g.level(i);
    plan.levels = std::max(plan.levels, step.level);
    plan.steps.push_back(std::move(step));
  }
  // Slices in order of first mention: the rules' members, then members only read.
  std::vector<std::string> names;
  std::unordered_map<std::string, std::uint32_t> slice_of;
  auto slice = [&](const std::string& member) {
    auto [it, fresh] = slice_of.emplace(member, static_cast<std::uint32_t>(names.size()));
    if (fresh) names.push_back(member);
    return it->second;
  };
  for (const compiled_rule& r : p.rules) slice(r.symbol);
  for (const xs_step& step : plan.steps) {
    const instruction& in = p.code[step.instruction];
    for (const std::string& m : p.universes[in.a].members) slice(m);
  }
  std::vector<std::uint32_t> mark(g.count(), 0);
  std::vector<slice_builder> builders;
  builders.reserve(names.size());
  for (std::size_t s = 0; s < names.size(); ++s)
    builders.emplace_back(p, g, plan.levels, step_of, mark, static_cast<std::uint32_t>(s + 1));
  for (std::uint32_t r = 0; r < p.rules.size(); ++r) {
    slice_builder& b = builders[slice_of.at(p.rules[r].symbol)];
    b.add_rule(r);
    b.add_root({true, p.rules[r].condition});
    b.add_root({true, p.rules[r].fired});
    for (reg_index reg : event_registers(p.rules[r])) b.add_root({false, reg}, true);
    for (const compiled_action& a : p.rules[r].actions)
      if (a.what == action::kind::watch) b.add_root({false, a.watched}, true);
  }
  for (const xs_step& step : plan.steps) {
    const instruction& in = p.code[step.instruction];
    const auto& members = p.universes[in.a].members;
    for (std::size_t j = 0; j < members.size(); ++j)
      builders[slice_of.at(members[j])].add_root({in.op == opcode::xs_breadth, p.aux[in.k][j]},
                                                 true);
  }
  // Built one after another: the closure marks are shared, stamped with the slice.
  for (std::size_t s = 0; s < names.size(); ++s) plan.slices.push_back(builders[s].build(names[s]));
  for (xs_step& step : plan.steps) {
    const instruction& in = p.code[step.instruction];
    const auto& members = p.universes[in.a].members;
    for (std::size_t j = 0; j < members.size(); ++j) {
      const std::uint32_t s = slice_of.at(members[j]);
      const member_slice& sl = plan.slices[s];
      const std::int64_t mine =
          find_local(in.op == opcode::xs_breadth ? sl.conditions : sl.numbers, p.aux[in.k][j]);
      step.operands.push_back({s, static_cast<reg_index>(mine)});
    }
  }
  return plan;
}

}  // namespace sluice
