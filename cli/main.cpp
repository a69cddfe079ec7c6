// The `sluice` command line tool.
#include <fmt/format.h>

int main() {
  fmt::print("sluice {}\n", SLUICE_VERSION_STRING);
  return 0;
}
