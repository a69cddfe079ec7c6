// Cross-sectional instructions: see cross_section.hpp and docs/semantics.md (Universes).
#include "interpreter/vm/cross_section.hpp"

#include <algorithm>
#include <vector>

#include "interpreter/number.hpp"
#include "interpreter/numeric/decimal.hpp"

namespace sluice {

template <class Num>
void cross_section(const instruction& in, const program& p, std::size_t n,
                   const xs_registers<Num>& regs) {
  using T = number_traits<Num>;
  const Num na = T::na();
  const std::vector<reg_index>& members = p.aux[in.k];
  const std::size_t m = members.size();
  // Working lists reused across the block's points: the members defined at the point.
  std::vector<std::uint32_t> order;
  std::vector<Num> values;
  order.reserve(m);
  values.reserve(m);
  switch (in.op) {
    case opcode::xs_rank: {
      for (std::size_t i = 0; i < n; ++i) {
        order.clear();
        for (std::uint32_t j = 0; j < m; ++j) {
          if (!T::is_na(regs.nums[members[j]][i])) order.push_back(j);
          regs.num_rows[(in.d + j) * regs.capacity + i] = na;
        }
        // Highest first; equal values keep universe order (a stable sort over ascending j).
        std::stable_sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
          return regs.nums[members[x]][i] > regs.nums[members[y]][i];
        });
        for (std::size_t r = 0; r < order.size(); ++r)
          regs.num_rows[(in.d + order[r]) * regs.capacity + i] =
              Num(static_cast<std::int64_t>(r + 1));
      }
      break;
    }
    case opcode::xs_mean:
    case opcode::xs_median: {
      Num* out = regs.num_rows + static_cast<std::size_t>(in.d) * regs.capacity;
      for (std::size_t i = 0; i < n; ++i) {
        values.clear();
        for (std::uint32_t j = 0; j < m; ++j) {
          const Num x = regs.nums[members[j]][i];
          if (!T::is_na(x)) values.push_back(x);
        }
        if (values.empty()) {
          out[i] = na;
        } else if (in.op == opcode::xs_mean) {
          // Summed in universe order, so the result does not depend on how work is split.
          Num sum = Num(0);
          for (const Num& x : values) sum = sum + x;
          out[i] = sum / Num(static_cast<std::int64_t>(values.size()));
        } else {
          std::sort(values.begin(), values.end(), [](const Num& x, const Num& y) { return x < y; });
          const std::size_t h = values.size() / 2;
          out[i] = values.size() % 2 == 1 ? values[h] : (values[h - 1] + values[h]) / Num(2);
        }
      }
      break;
    }
    case opcode::xs_breadth: {
      Num* out = regs.num_rows + static_cast<std::size_t>(in.d) * regs.capacity;
      for (std::size_t i = 0; i < n; ++i) {
        std::int64_t yes = 0, defined = 0;
        for (std::uint32_t j = 0; j < m; ++j) {
          const std::uint8_t c = regs.conds[members[j] * regs.capacity + i];
          yes += c == 1;
          defined += c != 2;
        }
        out[i] = defined == 0 ? na : Num(yes) / Num(defined);
      }
      break;
    }
    default:
      break;
  }
}

template void cross_section<double>(const instruction&, const program&, std::size_t,
                                    const xs_registers<double>&);
template void cross_section<decimal>(const instruction&, const program&, std::size_t,
                                     const xs_registers<decimal>&);

}  // namespace sluice
