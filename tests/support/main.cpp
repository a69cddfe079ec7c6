// The Catch2 test runner's entry point; the tests live in the other files of tests/.
#define CATCH_CONFIG_MAIN
// Catch2's runner instantiates std::regex, in which GCC 12 warns falsely that a moved
// std::function may be used uninitialized (-Wmaybe-uninitialized, libstdc++'s own code).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <catch2/catch.hpp>
