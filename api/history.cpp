// program::history_needed(): how much history each series needs before a program's results
// can be trusted, read off the compiled code. Every register gets, per series it depends on,
// the reach back in time of its value (extra timeline points, then a calendar span); an
// instruction's reach is the widest of its operands' plus its own window. Registers are
// written once, in code order, so one pass over the code suffices.
#define SLUICE_BUILDING_LIBRARY
#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "api/api_internal.hpp"

namespace sluice::api {

namespace {

// How far back a value reaches: `bars` earlier timeline points, then days and months more.
struct reach {
  std::int64_t bars = 0;
  std::int64_t days = 0;
  std::int64_t months = 0;
  bool unbounded = false;
};

// The wider of two reaches, component by component (an upper bound of both).
void widen(reach& into, const reach& r) {
  into.bars = std::max(into.bars, r.bars);
  into.days = std::max(into.days, r.days);
  into.months = std::max(into.months, r.months);
  into.unbounded = into.unbounded || r.unbounded;
}

// Lengthens a reach by a span: a lookback or window of w; `bars_extra` is what w bars add.
void extend(reach& r, const duration& w, std::int64_t bars_extra) {
  switch (w.kind) {
    case duration::unit::bars:
      r.bars += std::max<std::int64_t>(0, bars_extra);
      break;
    case duration::unit::days:
      r.days += w.count;
      break;
    case duration::unit::months:
      r.months += w.count;
      break;
  }
}

// Per series (program series index): the reach of one register's value.
using reaches = std::vector<std::pair<std::uint32_t, reach>>;

void merge(reaches& into, const reaches& from) {
  for (const auto& [series, r] : from) {
    const std::uint32_t s = series;  // a lambda may not capture a structured binding (clang 14)
    auto at = std::find_if(into.begin(), into.end(), [&](const auto& e) { return e.first == s; });
    if (at == into.end())
      into.emplace_back(s, r);
    else
      widen(at->second, r);
  }
}

// What instruction `in` adds to its operands' reach.
void own_window(const instruction& in, reach& r) {
  const std::int64_t w = in.w.count;
  switch (in.op) {
    case opcode::lag_bars:  // the value w back
    case opcode::lag_time:
      extend(r, in.w, w);
      break;
    // The last w points (the current one included), or the points after t - w.
    case opcode::sma:
    case opcode::stdev:
    case opcode::highest:
    case opcode::lowest:
      extend(r, in.w, w - 1);
      break;
    case opcode::ema:  // defined from the w-th value on, then decaying over all of them
      extend(r, in.w, w - 1);
      r.unbounded = true;
      break;
    case opcode::rsi:  // w changes: w + 1 points
      extend(r, in.w, w);
      r.unbounded = true;
      break;
    case opcode::new_high:
    case opcode::new_low:  // the prior points u with t - w <= u < t; no window: all of them
      if (w == 0)
        r.unbounded = true;
      else
        extend(r, in.w, w);
      break;
    // Temporal operators: counted to the earliest point they may look at (a bound).
    case opcode::for_:
    case opcode::within:
    case opcode::followed_by:
      extend(r, in.w, w);
      break;
    case opcode::cross_above:  // the previous point's operands
    case opcode::cross_below:
      r.bars += 1;
      break;
    case opcode::host_call:
      if (w > 0) extend(r, in.w, w - 1);
      break;
    case opcode::drawdown:  // a peak or an anchor from any time
    case opcode::rebase:
    case opcode::basket:
      r.unbounded = true;
      break;
    case opcode::fire:  // a rising edge: the previous point's condition
      r.bars += 1;
      break;
    default:
      break;
  }
}

}  // namespace

std::vector<history_need> program::history_needed() const {
  const sluice::program& p = *impl_->code;
  std::vector<reaches> nums(p.num_registers), conds(p.cond_registers);
  auto operand = [&](char kind, reg_index r) -> const reaches& {
    static const reaches none;
    if (kind == 'c') return r < conds.size() ? conds[r] : none;
    return r < nums.size() ? nums[r] : none;
  };
  for (const instruction& in : p.code) {
    reaches out;
    if (in.op == opcode::input) {
      const input_spec& input = p.inputs[in.k];
      reach r;
      extend(r, input.shift, input.shift.count);
      if (const auto& lag = p.series[input.series].lag) extend(r, *lag, lag->count);
      out.emplace_back(input.series, r);
    } else {
      const char* kinds = info(in.op).operands;
      const reg_index regs[] = {in.a, in.b, in.c};
      for (int i = 0; kinds[i] != '\0' && i < 3; ++i) merge(out, operand(kinds[i], regs[i]));
      // Operand lists in the aux table: a basket's parts, a host call's arguments (after
      // the function's index), a cross-section's members (conditions for breadth).
      if (in.op == opcode::basket || in.op == opcode::host_call || in.op == opcode::xs_rank ||
          in.op == opcode::xs_mean || in.op == opcode::xs_median || in.op == opcode::xs_breadth) {
        const std::vector<reg_index>& list = p.aux[in.k];
        const std::size_t first = in.op == opcode::host_call ? 1 : 0;
        const char kind = in.op == opcode::xs_breadth ? 'c' : 'n';
        for (std::size_t j = first; j < list.size(); ++j) merge(out, operand(kind, list[j]));
      }
      for (auto& [s, r] : out) own_window(in, r);
      if (in.op == opcode::fire && in.k < p.rules.size() &&
          (p.rules[in.k].cooldown || p.rules[in.k].once))
        for (auto& [s, r] : out) r.unbounded = true;  // whether it fires depends on the last firing
    }
    std::vector<reaches>& into = writes_condition(in.op) ? conds : nums;
    // xs_rank writes one register per member, d + j.
    const std::size_t written = in.op == opcode::xs_rank ? p.aux[in.k].size() : 1;
    for (std::size_t j = 0; j < written; ++j)
      if (in.d + j < into.size()) into[in.d + j] = out;
  }

  // A rule's events read its condition, its firing, the values it lists, the series it
  // watches and the values its alert text prints.
  reaches program_reach;
  for (const compiled_rule& rule : p.rules) {
    merge(program_reach, operand('c', rule.condition));
    merge(program_reach, operand('c', rule.fired));
    for (const auto& [name, reg] : rule.values) merge(program_reach, operand('n', reg));
    for (const compiled_action& a : rule.actions) {
      if (a.what == action::kind::watch) merge(program_reach, operand('n', a.watched));
      for (const alert_piece& piece : a.alert)
        if (piece.what == alert_piece::kind::value) merge(program_reach, operand('n', piece.reg));
    }
  }

  std::vector<history_need> needs;
  for (const input_spec& input : p.inputs) {
    const std::string& name = p.series[input.series].name;
    if (std::any_of(needs.begin(), needs.end(),
                    [&](const history_need& h) { return h.series == name; }))
      continue;
    reach r;
    for (const auto& [s, found] : program_reach)
      if (p.series[s].name == name) widen(r, found);
    needs.push_back({name, r.bars + 1, r.days, r.months, r.unbounded});
  }
  return needs;
}

}  // namespace sluice::api
