// The Catch2 test runner's entry point; the tests live in the other files of tests/.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
