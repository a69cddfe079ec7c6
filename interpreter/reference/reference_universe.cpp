// The reference evaluator's universes: a for-each rule's condition is read with its
// symbol bound to the rule's member, and the cross-sectional operators are computed from
// their definitions in docs/semantics.md, point by point, independently of the VM's
// instruction (rank counts the members ahead instead of sorting).
#include <algorithm>
#include <stdexcept>

#include "interpreter/reference/reference_eval.hpp"

namespace sluice {

namespace {
constexpr std::uint8_t f_ = 0, t_ = 1, na_ = 2;
}  // namespace

template <class Num>
std::uint32_t basic_reference_evaluator<Num>::member_scope(const std::string& universe,
                                                           const std::string& symbol,
                                                           std::uint32_t module, node_id member) {
  for (const auto& [id, u] : scope_universe_) {
    const scope& s = scopes_[id];
    if (u == universe && s.module == module && s.params[0] == symbol && s.args[0] == member)
      return id;
  }
  scope s;
  s.parent = 0;
  s.module = module;
  s.params = {symbol};
  s.args = {member};
  scopes_.push_back(std::move(s));
  const auto id = static_cast<std::uint32_t>(scopes_.size() - 1);
  scope_universe_.emplace(id, universe);
  return id;
}

template <class Num>
std::uint32_t basic_reference_evaluator<Num>::rule_scope(std::uint32_t rule) {
  const compiled_rule& r = p_.rules[rule];
  if (r.each_symbol.empty()) return 0;
  return member_scope(r.universe, r.each_symbol, r.each_module, r.each_node);
}

template <class Num>
bool basic_reference_evaluator<Num>::is_cross_section(const node& nd) const {
  if (nd.kind != node_kind::call) return false;
  if (nd.text == "top") return true;
  if (nd.text != "rank" && nd.text != "mean" && nd.text != "median" && nd.text != "breadth")
    return false;
  auto it = symbols_.find(nd.text);
  return it == symbols_.end() || it->second.kind != sym_kind::def;
}

template <class Num>
std::string basic_reference_evaluator<Num>::cross_section_universe(const bound& b) const {
  const node& nd = at(b.module, b.n);
  if (nd.text == "rank") {
    auto it = scope_universe_.find(b.scope);
    if (it == scope_universe_.end())
      throw std::logic_error("reference: rank outside a for-each rule");
    return it->second;
  }
  return at(b.module, nd.kids[0]).text;
}

template <class Num>
node_id basic_reference_evaluator<Num>::cross_section_operand(const bound& b) const {
  const node& nd = at(b.module, b.n);
  if (nd.text == "rank") return nd.kids[0];
  auto it = scope_universe_.find(b.scope);
  return it != scope_universe_.end() && it->second == at(b.module, nd.kids[0]).text ? nd.kids[1]
                                                                                    : no_node;
}

template <class Num>
typename basic_reference_evaluator<Num>::column
basic_reference_evaluator<Num>::compute_cross_section(const bound& b) {
  const node& nd = at(b.module, b.n);
  const std::string& fn = nd.text;
  const std::size_t n = timeline_.size();
  if (b.scope == 0 || !scope_universe_.count(b.scope))
    throw std::logic_error("reference: a cross-sectional operator outside a for-each rule");
  // Copied: member_scope() grows scopes_, which would leave a reference into it dangling.
  const std::string symbol = scopes_[b.scope].params[0];
  const std::uint32_t own_module = scopes_[b.scope].module;
  const node_id own_node = scopes_[b.scope].args[0];
  const std::string universe = cross_section_universe(b);
  // The universe's members, in its order: the members of the for-each rules over it.
  std::vector<std::pair<std::uint32_t, node_id>> members;
  for (const compiled_rule& r : p_.rules) {
    if (r.universe != universe) continue;
    const std::pair<std::uint32_t, node_id> m{r.each_module, r.each_node};
    if (std::find(members.begin(), members.end(), m) == members.end()) members.push_back(m);
  }
  if (members.empty())
    throw std::logic_error("reference: no for-each rule iterates universe '" + universe + "'");
  const node_id operand = fn == "rank" ? nd.kids[0] : nd.kids[1];
  std::vector<const column*> cols;
  std::size_t own = members.size();
  for (std::size_t j = 0; j < members.size(); ++j) {
    const std::uint32_t s = member_scope(universe, symbol, members[j].first, members[j].second);
    cols.push_back(&col({b.module, operand, s}));
    if (members[j].first == own_module && members[j].second == own_node) own = j;
  }
  column out(n, number_at(na()));
  for (std::size_t t = 0; t < n; ++t) {
    if (fn == "rank" || fn == "top") {
      if (own == members.size())
        throw std::logic_error("reference: the rule's member is not in its universe");
      const Num v = (*cols[own])[t].number;
      std::int64_t rank = 1;  // 1 + the members ahead: higher, or equal and listed earlier
      for (std::size_t j = 0; j < cols.size(); ++j) {
        const Num x = (*cols[j])[t].number;
        if (j != own && !is_na(x) && (x > v || (x == v && j < own))) ++rank;
      }
      if (fn == "rank")
        out[t] = number_at(is_na(v) ? na() : Num(rank));
      else
        out[t] = truth_at(is_na(v) ? na_ : rank <= nd.count ? t_ : f_);
    } else if (fn == "breadth") {
      std::int64_t yes = 0, defined = 0;
      for (const column* c : cols) {
        yes += (*c)[t].truth == t_;
        defined += (*c)[t].truth != na_;
      }
      out[t] = number_at(defined == 0 ? na() : Num(yes) / Num(defined));
    } else {
      std::vector<Num> v;
      for (const column* c : cols)
        if (!is_na((*c)[t].number)) v.push_back((*c)[t].number);
      if (v.empty()) continue;
      if (fn == "mean") {
        Num sum = Num(0);
        for (const Num& x : v) sum = sum + x;
        out[t] = number_at(sum / Num(static_cast<std::int64_t>(v.size())));
      } else {
        std::sort(v.begin(), v.end(), [](const Num& x, const Num& y) { return x < y; });
        const std::size_t h = v.size() / 2;
        out[t] = number_at(v.size() % 2 == 1 ? v[h] : (v[h - 1] + v[h]) / Num(2));
      }
    }
  }
  return out;
}

#define SLUICE_REFERENCE_UNIVERSE(Num)                                                             \
  template std::uint32_t basic_reference_evaluator<Num>::member_scope(                             \
      const std::string&, const std::string&, std::uint32_t, node_id);                             \
  template std::uint32_t basic_reference_evaluator<Num>::rule_scope(std::uint32_t);                \
  template bool basic_reference_evaluator<Num>::is_cross_section(const node&) const;               \
  template std::string basic_reference_evaluator<Num>::cross_section_universe(const bound&) const; \
  template node_id basic_reference_evaluator<Num>::cross_section_operand(const bound&) const;      \
  template auto basic_reference_evaluator<Num>::compute_cross_section(const bound&)->column;
SLUICE_REFERENCE_UNIVERSE(double)
SLUICE_REFERENCE_UNIVERSE(decimal)
#undef SLUICE_REFERENCE_UNIVERSE

}  // namespace sluice
