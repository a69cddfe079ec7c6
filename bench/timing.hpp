// Timing and memory figures shared by the benchmark programs. Times are the process's CPU
// time, not wall time: the benchmark machine is shared (other builds run beside it), and
// CPU time of a single-threaded computation is what a quiet machine's wall time would be.
#pragma once
#include <sys/resource.h>
#include <time.h>

namespace bench {

inline double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

inline long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

}  // namespace bench
