// Cross-sectional instructions: see cross_section.hpp and docs/semantics.md (Universes).
#include "interpreter/vm/cross_section.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "interpreter/number.hpp"
#include "interpreter/numeric/decimal.hpp"

namespace sluice {

template <class Num>
void reduce_cross_section(opcode op, std::size_t n, std::span<const Num* const> numbers,
                          std::span<const std::uint8_t* const> conditions, Num* out,
                          std::size_t stride) {
  using T = number_traits<Num>;
  const Num na = T::na();
  const std::size_t m = op == opcode::xs_breadth ? conditions.size() : numbers.size();
  // Working lists reused across the block's points: the members defined at the point.
  std::vector<Num> values;
  values.reserve(m);
  switch (op) {
    case opcode::xs_rank: {
      // Each defined member's value read once into a contiguous (value, member) list, then
      // sorted highest first with equal values in universe order: the order of a stable
      // sort of the members by value, without a pointer chase per comparison (a rank over
      // 5,000 members makes about 60,000 comparisons at each point).
      std::vector<std::pair<Num, std::uint32_t>> ranked;
      ranked.reserve(m);
      for (std::uint32_t j = 0; j < m; ++j) std::fill_n(out + j * stride, n, na);
      for (std::size_t i = 0; i < n; ++i) {
        ranked.clear();
        for (std::uint32_t j = 0; j < m; ++j)
          if (!T::is_na(numbers[j][i])) ranked.emplace_back(numbers[j][i], j);
        std::sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) {
          if (x.first > y.first) return true;
          if (y.first > x.first) return false;
          return x.second < y.second;
        });
        for (std::size_t r = 0; r < ranked.size(); ++r)
          out[ranked[r].second * stride + i] = Num(static_cast<std::int64_t>(r + 1));
      }
      break;
    }
    case opcode::xs_mean:
    case opcode::xs_median: {
      for (std::size_t i = 0; i < n; ++i) {
        values.clear();
        for (std::uint32_t j = 0; j < m; ++j) {
          const Num x = numbers[j][i];
          if (!T::is_na(x)) values.push_back(x);
        }
        if (values.empty()) {
          out[i] = na;
        } else if (op == opcode::xs_mean) {
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
      for (std::size_t i = 0; i < n; ++i) {
        std::int64_t yes = 0, defined = 0;
        for (std::uint32_t j = 0; j < m; ++j) {
          const std::uint8_t c = conditions[j][i];
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

template <class Num>
void cross_section(const instruction& in, const program& p, std::size_t n,
                   const xs_registers<Num>& regs) {
  const std::vector<reg_index>& members = p.aux[in.k];
  std::vector<const Num*> numbers;
  std::vector<const std::uint8_t*> conditions;
  for (reg_index r : members) {
    if (in.op == opcode::xs_breadth)
      conditions.push_back(regs.conds + r * regs.capacity);
    else
      numbers.push_back(regs.nums[r]);
  }
  reduce_cross_section<Num>(in.op, n, numbers, conditions,
                            regs.num_rows + static_cast<std::size_t>(in.d) * regs.capacity,
                            regs.capacity);
}

template void cross_section<double>(const instruction&, const program&, std::size_t,
                                    const xs_registers<double>&);
template void cross_section<decimal>(const instruction&, const program&, std::size_t,
                                     const xs_registers<decimal>&);
template void reduce_cross_section<double>(opcode, std::size_t, std::span<const double* const>,
                                           std::span<const std::uint8_t* const>, double*,
                                           std::size_t);
template void reduce_cross_section<decimal>(opcode, std::size_t, std::span<const decimal* const>,
                                            std::span<const std::uint8_t* const>, decimal*,
                                            std::size_t);

}  // namespace sluice
