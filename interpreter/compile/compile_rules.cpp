// The compiler's rule level: rules (long and short form, `for each` expansion), their
// names and their alert actions. The driver and name resolution: compiler.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "grammar/parser.hpp"
#include "interpreter/compile/compiler_internal.hpp"

namespace sluice {

namespace {

// The text of a short-form rule's first line, trimmed, as its name.
std::string name_from_line(const module_ast& m, const statement& st) {
  std::size_t begin = st.range.begin.offset;
  std::size_t end = m.source.find('\n', begin);
  if (end == std::string::npos || end > st.range.end.offset) end = st.range.end.offset;
  std::string line;
  for (std::size_t i = begin; i < end && i < m.source.size(); ++i) {
    const char c = m.source[i];
    if (c == '\r') continue;
    if ((c == ' ' || c == '\t') && (line.empty() || line.back() == ' ')) continue;
    line += c == '\t' ? ' ' : c;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  // A long line is cut at the last word boundary that fits (never mid-word, so the name
  // reads as the rule), with an ellipsis; a single word longer than that is cut where it must.
  if (line.size() > 60) {
    std::size_t cut = line.rfind(' ', 57);
    if (cut == std::string::npos || cut < 20) cut = 57;
    line = line.substr(0, cut);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    line += "...";
  }
  return line;
}

}  // namespace

std::vector<alert_piece> compiler::compile_alert(std::uint32_t module, const action& a) {
  // The raw string in the source, between its quotes; `{expr}` holes are parsed in place
  // so that their diagnostics point into the rule file.
  std::vector<alert_piece> pieces;
  const std::string& src = mod(module).source;
  std::size_t i = a.text_pos.offset + 1;
  std::string text;
  auto flush = [&] {
    if (!text.empty()) pieces.push_back({alert_piece::kind::text, text, 0, {}});
    text.clear();
  };
  while (i < src.size() && src[i] != '"') {
    const char c = src[i];
    if (c == '\\' && i + 1 < src.size()) {
      text += src[i + 1];
      i += 2;
    } else if (c == '{' && i + 1 < src.size() && src[i + 1] == '{') {
      text += '{';
      i += 2;
    } else if (c == '}' && i + 1 < src.size() && src[i + 1] == '}') {
      text += '}';
      i += 2;
    } else if (c == '{') {
      const std::size_t close = src.find_first_of("}\"", i);
      if (close == std::string::npos || src[close] != '}') {
        diags_.error(mod(module).source_name, a.text_pos, "unclosed '{' in alert text",
                     "write {{ for a literal brace");
        return pieces;
      }
      flush();
      // `{expr:FORMAT}`: the spec follows the last ':' (no expression contains one).
      std::size_t expr_end = close;
      std::optional<number_format> format;
      if (const std::size_t colon = src.rfind(':', close);
          colon != std::string::npos && colon > i) {
        expr_end = colon;
        std::size_t bad = 0;
        std::string why;
        format = parse_number_format(std::string_view(src).substr(colon + 1, close - colon - 1),
                                     bad, why);
        if (!format) {
          const std::uint32_t at = static_cast<std::uint32_t>(colon + 1 + bad);
          error_at(module, position_of(mod(module), at),
                   fmt::format("bad format '{}' in alert text: expected {}",
                               src.substr(colon + 1, close - colon - 1), why),
                   "formats are written like {x:.2f}, {x:+.1%} or {x:,.0f}");
          i = close + 1;
          continue;
        }
      }
      std::string inside = src.substr(i + 1, expr_end - i - 1);
      const auto first = inside.find_first_not_of(" \t");
      const auto last = inside.find_last_not_of(" \t");
      inside = first == std::string::npos ? "" : inside.substr(first, last - first + 1);
      if ((inside == "date" || inside == "rule") && expr_end != close) {
        error_at(module, position_of(mod(module), static_cast<std::uint32_t>(expr_end)),
                 fmt::format("{{{}}} is text: a format applies to numbers only", inside));
      } else if (inside == "date") {
        pieces.push_back({alert_piece::kind::date, {}, 0, {}});
      } else if (inside == "rule") {
        pieces.push_back({alert_piece::kind::rule, {}, 0, {}});
      } else if (each_ && inside == each_->symbol + ".name") {  // the member's name, as text
        text = each_->universe->members[each_->member];
        flush();
      } else {
        node_id hole = parse_fragment(*scratch_, static_cast<std::uint32_t>(i + 1),
                                      static_cast<std::uint32_t>(expr_end), diags_);
        if (hole != no_node) {
          value v = compile(scratch_module_, hole, each_ ? each_->env : nullptr);
          if (expect(v, vtype::number, scratch_module_, hole, "in '{...}' of an alert"))
            pieces.push_back({alert_piece::kind::value, inside, v.reg, format});
        }
      }
      i = close + 1;
    } else {
      text += c;
      ++i;
    }
  }
  flush();
  return pieces;
}

void compiler::compile_rule(std::uint32_t module, const rule_stmt& r, std::size_t index) {
  current_rule_ = index;
  if (out_of_time(module,
                  r.condition == no_node ? source_pos{} : at(module, r.condition).range.begin))
    return;
  // A for-each rule: SYM names this rule's member wherever the rule's text uses it.
  const scope* env = nullptr;
  each_.reset();
  if (!r.each_symbol.empty()) {
    const compiled_rule& cr = prog_.rules[index];
    const universe_def* u = find_universe(cr.universe);
    const std::size_t member = each_member_[index];
    env = member_scopes(*u, r.each_symbol)[member].get();
    each_ = each_binding{u, r.each_symbol, member, env};
  }
  collectors_.emplace_back();
  value cond = compile(module, r.condition, env);
  const bool ok = expect(cond, vtype::condition, module, r.condition, "after 'when'");
  series_refs refs = std::move(collectors_.back().refs);
  collectors_.pop_back();

  std::vector<compiled_action> actions;
  std::vector<std::string> texts;
  for (const action& a : r.actions) {
    compiled_action out;
    out.what = a.what;
    out.name = a.name;
    if (each_ && a.what == action::kind::watch && a.name == each_->symbol)
      out.name = each_->universe->members[each_->member];  // `watch coin` watches the member
    out.watch_for = a.watch_for;
    if (a.what == action::kind::watch) {
      collectors_.emplace_back();
      value v = a.target != no_node ? compile(module, a.target, env) : value{};
      collectors_.pop_back();
      if (a.target != no_node && expect(v, vtype::number, module, a.target, "after 'watch'"))
        out.watched = v.reg;
    } else if (a.what == action::kind::alert) {
      out.alert = compile_alert(module, a);
    }
    // Formatted once here, not per event: a busy rule fires tens of thousands of times.
    switch (a.what) {
      case action::kind::watch:
        texts.push_back(
            a.watch_for ? fmt::format("watch {} for {}", out.name, format_duration(*a.watch_for))
                        : fmt::format("watch {}", out.name));
        break;
      case action::kind::signal:
        texts.push_back(fmt::format("signal {}", a.name));
        break;
      case action::kind::alert:
        texts.push_back("alert");
        break;
    }
    actions.push_back(std::move(out));
  }
  each_.reset();
  if (!ok) return;
  compiled_rule& target = prog_.rules[index];
  target.action_texts = shared_texts(std::move(texts));
  target.actions = std::move(actions);
  std::vector<std::string> names;
  for (const auto& ref : refs) names.push_back(ref.first);
  target.value_names = shared_texts(std::move(names));
  target.values = std::move(refs);
  target.condition = cond.reg;
  target.fired = emit(opcode::fire, vtype::condition, {cond}, {}, static_cast<std::uint32_t>(index),
                      module, r.condition);
}

void compiler::compile_rules(std::uint32_t module) {
  const module_ast& m = mod(module);
  // Counted before anything is built for them: a hostile file of millions of rules costs
  // its parse, not millions of names and sets.
  const auto count = static_cast<std::size_t>(std::count_if(
      m.statements.begin(), m.statements.end(),
      [](const statement& st) { return std::holds_alternative<rule_stmt>(st.body); }));
  if (count > options_.limits.max_rules) {
    error_at(module, {},
             fmt::format("{} rules exceed the limit of {}", count, options_.limits.max_rules));
    return;
  }
  // Rules are numbered first so that signals can name the rule that raises them.
  std::set<std::string> names;
  std::vector<std::pair<const statement*, const rule_stmt*>> rules;
  for (const statement& st : m.statements) {
    const auto* r = std::get_if<rule_stmt>(&st.body);
    if (!r) continue;
    if (!r->each_symbol.empty()) {  // one rule per member (universe.cpp's expand_each)
      const universe_def* u = find_universe(r->each_universe);
      if (!u) {
        std::vector<std::string> known;
        for (const auto& [name, def] : universes_) known.push_back(name);
        const std::string near = did_you_mean(r->each_universe, known);
        error_at(module, r->each_pos, fmt::format("unknown universe '{}'", r->each_universe),
                 near.empty() ? "declare it: universe NAME = a, b, c (or --universe NAME=DIR)"
                              : fmt::format("did you mean '{}'?", near));
        continue;
      }
      bool signals = false;
      for (const action& a : r->actions)
        if (a.what == action::kind::signal && !signals) {
          signals = true;
          error_at(module, a.range.begin,
                   "a 'for each' rule cannot raise a signal: it is one rule per symbol",
                   "write the signal's rule without 'for each', or watch/alert instead");
        }
      if (signals) continue;
      if (prog_.rules.size() + u->members.size() > options_.limits.max_rules) {
        error_at(module, st.range.begin,
                 fmt::format("rules exceed the limit of {} once '{}' is expanded",
                             options_.limits.max_rules, u->name));
        return;
      }
      const std::string base = r->name.empty() ? name_from_line(m, st) : r->name;
      for (std::size_t j = 0; j < u->members.size(); ++j) {
        compiled_rule cr;
        cr.name = fmt::format("{}[{}]", base, u->members[j]);
        cr.location = fmt::format("{}:{}", m.source_name, st.range.begin.line);
        cr.cooldown = r->cooldown;
        cr.once = r->once;
        cr.condition_node = r->condition;
        cr.module = module;
        cr.symbol = u->members[j];
        cr.universe = u->name;
        cr.each_symbol = r->each_symbol;
        cr.each_node = u->nodes[j];
        cr.each_module = scratch_module_;
        if (!names.insert(cr.name).second)
          error_at(module, st.range.begin,
                   fmt::format("a rule named \"{}\" already exists", cr.name));
        each_member_.resize(prog_.rules.size() + 1);
        each_member_[prog_.rules.size()] = j;
        prog_.rules.push_back(std::move(cr));
        rules.emplace_back(&st, r);
      }
      if (r->cooldown && r->cooldown->count <= 0)
        error_at(module, st.range.begin, "cooldown must be longer than zero");
      continue;
    }
    compiled_rule cr;
    cr.name = r->short_form || r->name.empty() ? name_from_line(m, st) : r->name;
    cr.location = fmt::format("{}:{}", m.source_name, st.range.begin.line);
    cr.cooldown = r->cooldown;
    cr.once = r->once;
    cr.condition_node = r->condition;
    cr.module = module;
    if (!names.insert(cr.name).second) {
      if (r->short_form)
        cr.name = fmt::format("{} (line {})", cr.name, st.range.begin.line);
      else
        error_at(module, st.range.begin,
                 fmt::format("a rule named \"{}\" already exists", cr.name));
    }
    for (const action& a : r->actions) {
      if (a.what != action::kind::signal) continue;
      if (symbols_.count(a.name) && symbols_.at(a.name).from != rank::prelude) {
        error_at(module, a.range.begin,
                 fmt::format("signal '{}' has the name of another definition", a.name));
        continue;
      }
      symbol s;
      s.kind = symbol_kind::signal;
      s.from = rank::main;
      s.rule = prog_.rules.size();
      symbols_[a.name] = s;
      symbols_[a.name].module = module;
      symbols_[a.name].pos = a.range.begin;
    }
    if (r->cooldown) {
      const duration& cd = *r->cooldown;
      if (cd.count <= 0) error_at(module, st.range.begin, "cooldown must be longer than zero");
    }
    prog_.rules.push_back(std::move(cr));
    rules.emplace_back(&st, r);
  }
  for (std::size_t i = 0; i < rules.size(); ++i) compile_rule(module, *rules[i].second, i);
  current_rule_ = rules.size();
}

}  // namespace sluice
