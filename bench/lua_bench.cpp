// lua_bench: W1 in Lua 5.4 embedded through its C API. The host reads the CSV files (the
// hand loop's reader), hands the columns to Lua as arrays, and calls the script's run().
//   lua_bench DIR SCRIPT [--reps R]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}

#include "bench/simple_csv.hpp"
#include "bench/timing.hpp"

namespace {

void push_array(lua_State* L, const std::vector<double>& values) {
  lua_createtable(L, static_cast<int>(values.size()), 0);
  for (std::size_t i = 0; i < values.size(); ++i) {
    lua_pushnumber(L, values[i]);
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: lua_bench DIR SCRIPT [--reps R]\n");
    return 2;
  }
  const std::string dir = argv[1];
  int reps = 3;
  for (int i = 3; i < argc; ++i)
    if (std::strcmp(argv[i], "--reps") == 0 && i + 1 < argc) reps = std::max(1, std::atoi(argv[++i]));
  lua_State* L = luaL_newstate();
  luaL_openlibs(L);
  if (luaL_dofile(L, argv[2]) != LUA_OK) {
    std::fprintf(stderr, "lua_bench: %s\n", lua_tostring(L, -1));
    return 1;
  }
  // Loading: the CSV files, then the columns into Lua tables (kept in the registry).
  const double load_start = bench::cpu_seconds();
  const char* names[] = {"russell", "spx", "tga", "alts"};
  std::size_t bytes = 0, n = 0;
  int refs[4];
  for (int s = 0; s < 4; ++s) {
    bench::simple_series series = bench::read_simple_csv(dir + "/" + names[s] + ".csv");
    bytes += series.bytes;
    if (s > 0 && series.times.size() != n) {
      std::fprintf(stderr, "lua_bench: the series are not aligned\n");
      return 1;
    }
    n = series.times.size();
    push_array(L, series.values);
    refs[s] = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  const double load_seconds = bench::cpu_seconds() - load_start;
  double best = 1e300;
  lua_Integer result[8] = {};
  for (int rep = 0; rep < reps; ++rep) {
    const double start = bench::cpu_seconds();
    lua_getglobal(L, "run");
    for (int s = 0; s < 4; ++s) lua_rawgeti(L, LUA_REGISTRYINDEX, refs[s]);
    lua_pushinteger(L, static_cast<lua_Integer>(n));
    if (lua_pcall(L, 5, 8, 0) != LUA_OK) {
      std::fprintf(stderr, "lua_bench: %s\n", lua_tostring(L, -1));
      return 1;
    }
    for (int k = 0; k < 8; ++k) result[k] = lua_tointeger(L, k - 8);
    lua_pop(L, 8);
    best = std::min(best, bench::cpu_seconds() - start);
  }
  for (int r = 0; r < 4; ++r)
    std::printf("fires R%d %lld %lld\n", r + 1, static_cast<long long>(result[2 * r]),
                static_cast<long long>(result[2 * r + 1]));
  std::printf("points %zu\nload_s %.6f\nload_bytes %zu\ncompute_s %.6f\nrss_kb %ld\n", n,
              load_seconds, bytes, best, bench::peak_rss_kb());
  lua_close(L);
  return 0;
}
