// Points per VM block (see block_size.hpp).
#include "interpreter/run/block_size.hpp"

namespace sluice {

std::size_t block_size_for(const program& p) {
  const std::size_t bytes_per_point =
      static_cast<std::size_t>(p.num_registers) * sizeof(double) + p.cond_registers;
  constexpr std::size_t budget = std::size_t{1} << 20;
  std::size_t block = 1024;
  while (block < 4096 && 2 * block * bytes_per_point <= budget) block *= 2;
  return block;
}

}  // namespace sluice
