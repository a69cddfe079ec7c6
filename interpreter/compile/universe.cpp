// Universes: `universe NAME = ...` (and --universe), the members a `for each SYM in NAME`
// rule is expanded over (compiler.cpp's compile_rules numbers one rule per member, and
// compile_rule binds SYM through member_scopes), and the cross-sectional operators rank,
// top K of, mean, median and breadth, each lowered to one shared instruction across the
// members' registers (interpreter/vm/cross_section.cpp). Semantics: docs/semantics.md.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "interpreter/compile/compiler_internal.hpp"
#include "interpreter/data/csv_loader.hpp"

namespace sluice {

namespace {

std::string lower_text(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

}  // namespace

const universe_def* compiler::find_universe(const std::string& name) const {
  auto found = universes_.find(name);
  return found == universes_.end() ? nullptr : &found->second;
}

void compiler::declare_universes(std::uint32_t module) {
  auto member_node = [&](const std::string& series, const std::string& field, source_range at) {
    node n;
    n.kind = field.empty() ? node_kind::name : node_kind::field;
    n.text = series;
    n.field = field;
    n.range = at;
    scratch_->nodes.push_back(std::move(n));
    return static_cast<node_id>(scratch_->nodes.size() - 1);
  };
  for (const host_universe& h : options_.universes) {
    universe_def u;
    u.name = h.name;
    for (const std::string& m : h.members) {
      u.members.push_back(m);
      u.nodes.push_back(member_node(m, "", {}));
    }
    universes_[h.name] = std::move(u);
  }
  for (const statement& st : mod(module).statements) {
    const auto* us = std::get_if<universe_stmt>(&st.body);
    if (!us) continue;
    if (auto old = universes_.find(us->name); old != universes_.end()) {
      error_at(module, st.range.begin, fmt::format("universe '{}' is already defined", us->name),
               old->second.pos.line > 0
                   ? fmt::format("the first definition is at line {}", old->second.pos.line)
                   : "it is given on the command line (--universe)");
      continue;
    }
    universe_def u;
    u.name = us->name;
    u.module = module;
    u.pos = st.range.begin;
    if (us->columns_of.empty()) {
      bool ok = true;
      for (const std::string& m : us->members) {
        auto found = symbols_.find(m);
        if (found == symbols_.end() ||
            (found->second.kind != symbol_kind::series && found->second.kind != symbol_kind::let)) {
          const std::string near = did_you_mean(m, known_names());
          error_at(module, st.range.begin,
                   fmt::format("universe '{}': '{}' is not a series", us->name, m),
                   near.empty() ? "members are series names (loaded, --data, or a let of one)"
                                : fmt::format("did you mean '{}'?", near));
          ok = false;
          continue;
        }
        u.members.push_back(m);
        u.nodes.push_back(member_node(m, "", st.range));
      }
      if (!ok) continue;
    } else {
      // The columns of a wide file, read from its header now: the rules are expanded per
      // member at compile time. A column named <other column>_<suffix> (SPX_volume) is a
      // field of that other column, not a member.
      auto found = symbols_.find(us->columns_of);
      const int series = found == symbols_.end() ? -1 : found->second.series;
      if (found == symbols_.end() || found->second.kind != symbol_kind::series || series < 0 ||
          prog_.series[static_cast<std::size_t>(series)].path.empty()) {
        error_at(
            module, st.range.begin,
            fmt::format("universe '{}': '{}' is not a series loaded from a file", us->name,
                        us->columns_of),
            "columns of WIDE takes a wide CSV loaded with `load WIDE from \"file.csv\"` or --data");
        continue;
      }
      const std::string& path = prog_.series[static_cast<std::size_t>(series)].path;
      const csv_result csv = load_csv_file(path);
      if (!csv.table) {
        error_at(module, st.range.begin,
                 fmt::format("universe '{}': cannot read the columns of '{}': {}", us->name, path,
                             csv.failure.message));
        continue;
      }
      const std::vector<std::string>& columns = csv.table->columns;
      std::set<std::string> lowered;
      for (const std::string& c : columns) lowered.insert(lower_text(c));
      for (const std::string& c : columns) {
        const std::string name = lower_text(c);
        const std::size_t underscore = name.rfind('_');
        if (underscore != std::string::npos && underscore > 0 &&
            lowered.count(name.substr(0, underscore)))
          continue;
        if (std::find(u.members.begin(), u.members.end(), name) != u.members.end()) continue;
        u.members.push_back(name);
        u.nodes.push_back(member_node(us->columns_of, c, st.range));
      }
    }
    if (u.members.empty()) {
      error_at(module, st.range.begin, fmt::format("universe '{}' has no members", us->name));
      continue;
    }
    universes_[us->name] = std::move(u);
  }
}

const std::vector<std::unique_ptr<scope>>& compiler::member_scopes(const universe_def& u,
                                                                   const std::string& symbol) {
  auto& scopes = member_scopes_[u.name + "|" + symbol];
  if (scopes.empty()) {
    for (node_id member : u.nodes) {
      auto s = std::make_unique<scope>();
      s->id = ++next_scope_id_;
      s->params[symbol] = bound_arg{scratch_module_, member, nullptr, 0};
      scopes.push_back(std::move(s));
    }
  }
  return scopes;
}

bool compiler::is_cross_section_call(const node& nd) const {
  if (nd.text == "top") return true;  // only `top K of U by X` makes this call
  if (nd.text != "rank" && nd.text != "breadth" && nd.text != "mean" && nd.text != "median")
    return false;
  // A def or host function of the same name (written before universes existed) wins.
  for (const host_function& f : options_.functions)
    if (f.name == nd.text) return false;
  auto found = symbols_.find(nd.text);
  return found == symbols_.end() || found->second.kind != symbol_kind::def;
}

value compiler::compile_cross_section(std::uint32_t module, node_id n, const scope* env) {
  const node& nd = at(module, n);
  const std::string fn = nd.text;
  const char* usage = fn == "rank"      ? "rank(pct(coin, 4w))"
                      : fn == "top"     ? "top 3 of alts by pct(coin, 4w)"
                      : fn == "breadth" ? "breadth(alts, coin above sma(coin, 50 bars))"
                                        : (fn == "mean" ? "mean(alts, pct(coin, 4w))"
                                                        : "median(alts, pct(coin, 4w))");
  if (!each_ || env != each_->env) {
    error(module, n,
          fmt::format("'{}' compares the symbols of a universe: use it directly in a "
                      "'for each SYM in UNIVERSE' rule (not in a let or def)",
                      fn),
          fmt::format("for example: for each coin in alts when ... {} ... then watch coin", usage));
    return {};
  }
  const std::size_t want = fn == "rank" ? 1 : 2;
  if (nd.kids.size() != want || (fn == "top" && nd.count < 1)) {
    error(module, n, fmt::format("{} takes {} argument{}", fn, want, want == 1 ? "" : "s"),
          fmt::format("written like {}", usage));
    return {};
  }
  const universe_def* u = each_->universe;
  node_id operand = nd.kids[0];
  if (want == 2) {
    const node& named = at(module, nd.kids[0]);
    u = named.kind == node_kind::name ? find_universe(named.text) : nullptr;
    if (!u) {
      error(module, nd.kids[0],
            named.kind == node_kind::name
                ? fmt::format("unknown universe '{}'", named.text)
                : fmt::format("the first argument of {} is a universe's name", fn),
            fmt::format("written like {}", usage));
      return {};
    }
    if (fn == "top" && u != each_->universe) {
      error(module, nd.kids[0],
            fmt::format("top ranks within the rule's own universe '{}', not '{}'",
                        each_->universe->name, u->name));
      return {};
    }
    operand = nd.kids[1];
  }
  const bool condition = fn == "breadth";
  const opcode op = fn == "rank" || fn == "top" ? opcode::xs_rank
                    : fn == "mean"              ? opcode::xs_mean
                    : fn == "median"            ? opcode::xs_median
                                                : opcode::xs_breadth;
  // The operand once per member, SYM bound to it. Only the rule's own member's series
  // become the event's values; the others' are read but not listed.
  const auto& scopes = member_scopes(*u, each_->symbol);
  // The operand at this node does not depend on which member the rule is compiled for, so
  // the rules of the other members reuse the instruction: compiling all m operands for
  // each of the m rules cost m^2 (25 million compiles for 5,000 symbols). Only the own
  // member's operand is compiled again, to list its series among the event's values.
  const std::string at_node =
      fmt::format("{}@{}|{}|{}|{}", static_cast<int>(op), module, n, u->name, each_->symbol);
  const bool own_universe = u == each_->universe;
  if (auto found = cross_sections_.find(at_node); found != cross_sections_.end()) {
    if (own_universe) compile(module, operand, scopes[each_->member].get());
    return finish_cross_section(op, found->second, module, n);
  }
  std::vector<reg_index> regs;
  std::string key = fmt::format("{}", static_cast<int>(op));
  for (std::size_t j = 0; j < scopes.size(); ++j) {
    const bool own = u == each_->universe && j == each_->member;
    if (!own) collectors_.emplace_back();
    value v = compile(module, operand, scopes[j].get());
    if (!own) collectors_.pop_back();
    if (!expect(v, condition ? vtype::condition : vtype::number, module, operand,
                role{static_cast<int>(want), fn}))
      return {};
    regs.push_back(v.reg);
    key += fmt::format("|{}", v.reg);
  }
  reg_index out = 0;
  if (auto found = cross_sections_.find(key); found != cross_sections_.end()) {
    out = found->second;
  } else {
    instruction in;
    in.op = op;
    in.d = prog_.num_registers;
    prog_.num_registers += op == opcode::xs_rank ? static_cast<std::uint32_t>(regs.size()) : 1;
    in.k = static_cast<std::uint32_t>(prog_.aux.size());
    prog_.aux.push_back(std::move(regs));
    in.origin = n;
    in.module = module;
    in.a = universe_index(*u);
    prog_.code.push_back(in);
    cross_sections_.emplace(std::move(key), in.d);
    out = in.d;
  }
  cross_sections_.emplace(at_node, out);
  return finish_cross_section(op, out, module, n);
}

reg_index compiler::universe_index(const universe_def& u) {
  for (std::size_t i = 0; i < prog_.universes.size(); ++i)
    if (prog_.universes[i].name == u.name) return static_cast<reg_index>(i);
  prog_.universes.push_back({u.name, u.members});
  return static_cast<reg_index>(prog_.universes.size() - 1);
}

// The value a rule reads from cross-section instruction `out`: its own member's rank (or
// `rank <= K` for top K), or the one shared mean, median or breadth.
value compiler::finish_cross_section(opcode op, reg_index out, std::uint32_t module, node_id n) {
  const node& nd = at(module, n);
  const std::string fn = nd.text;
  if (op != opcode::xs_rank) return number_value(out, false);
  const value rank = number_value(out + static_cast<reg_index>(each_->member), false);
  if (fn == "rank") return rank;
  const value k = constant(static_cast<double>(nd.count), std::to_string(nd.count), module, n);
  return logical(opcode::le, {rank, k}, module, n);
}

}  // namespace sluice
