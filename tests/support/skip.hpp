// Skipping a test whose inputs are absent (the real downloads in ../shared/data/real):
// CTest reports a test Skipped, not Passed, when its output contains the marker below
// (SKIP_REGULAR_EXPRESSION in tests/CMakeLists.txt). Catch2 2 has no skip of its own.
#pragma once
#include <catch2/catch.hpp>

#define SLUICE_SKIP(message)                    \
  do {                                          \
    WARN("SLUICE-SKIPPED: " << message);        \
    return;                                     \
  } while (false)
