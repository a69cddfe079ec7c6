// The VM's window queue (ring_deque.hpp) against std::deque on random operation sequences
// that wrap the ring and make it grow while it wraps, and reserved runs of pushes.
#include <catch2/catch.hpp>

#include <deque>
#include <random>
#include <vector>

#include "interpreter/vm/ring_deque.hpp"

TEST_CASE("ring_deque behaves like std::deque for the window operations", "[vm]") {
  std::mt19937_64 rng(5);
  for (int run = 0; run < 200; ++run) {
    sluice::ring_deque<int> ring;
    std::deque<int> reference;
    const int bias = static_cast<int>(rng() % 4);  // 0: mostly pops .. 3: mostly pushes
    for (int step = 0; step < 2000; ++step) {
      const int op = static_cast<int>(rng() % 6);
      if (step % 97 == 0) {  // a reserved run of pushes, as the VM's block loops do
        const std::size_t run = rng() % 40;
        ring.reserve(ring.size() + run);
        const std::size_t capacity = ring.capacity();
        for (std::size_t k = 0; k < run; ++k) {
          const int v = static_cast<int>(rng() % 1000);
          ring.push_unchecked(v);
          reference.push_back(v);
        }
        REQUIRE(ring.capacity() == capacity);
      } else if (reference.empty() || op <= bias + 1) {
        const int v = static_cast<int>(rng() % 1000);
        ring.push_back(v);
        reference.push_back(v);
      } else if (op % 2 == 0) {
        ring.pop_front();
        reference.pop_front();
      } else {
        ring.pop_back();
        reference.pop_back();
      }
      REQUIRE(ring.size() == reference.size());
      if (!reference.empty()) {
        REQUIRE(ring.front() == reference.front());
        REQUIRE(ring.back() == reference.back());
        const std::size_t i = rng() % reference.size();
        REQUIRE(ring[i] == reference[i]);
      }
    }
    std::vector<int> walked;
    for (const int v : ring) walked.push_back(v);
    REQUIRE(walked == std::vector<int>(reference.begin(), reference.end()));
  }
}
