# Embedding (issue 5): the shared library behind include/sluice/ (libsluice.so, target
# sluice::sluice), installation with a CMake package and a pkg-config file, the embedding
# examples, and the ThreadSanitizer test. Included from the top-level CMakeLists.txt.
if(SLUICE_FUZZ)
  return()  # fuzz builds (clang + libFuzzer instrumentation) only build fuzz/
endif()
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# libsluice.so: the C API (api/c/) plus the whole core (C++ API, compiler, VM) in one shared library, so that
# hosts, Python's ctypes and the installed package need nothing else.
add_library(sluice_shared SHARED ${CMAKE_SOURCE_DIR}/api/c/c_api.cpp)
add_library(sluice::sluice ALIAS sluice_shared)
target_link_libraries(sluice_shared PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,sluice_core>")
target_include_directories(sluice_shared PUBLIC
  $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}/include>
  $<BUILD_INTERFACE:${CMAKE_BINARY_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_compile_features(sluice_shared PUBLIC cxx_std_20)
set_target_properties(sluice_shared PROPERTIES
  OUTPUT_NAME sluice EXPORT_NAME sluice
  CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
  # In 0.x the C ABI may change between minors: one SONAME per minor (libsluice.so.0.1), as
  # the CMake package's SameMinorVersion says (docs/embedding.md, "ABI contract").
  VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
  LINK_DEPENDS ${CMAKE_SOURCE_DIR}/cmake/sluice.map)
# Only the API leaves the library: c_api.cpp is compiled -fvisibility=hidden (sluice.h marks
# its functions SLUICE_API) and the version script keeps every core symbol local but the C++
# API's (the core's objects are built once, for the CLI too).
target_link_options(sluice_shared PRIVATE -Wl,--version-script=${CMAKE_SOURCE_DIR}/cmake/sluice.map)

# --- install: library, headers, the CLI, the stdlib, CMake package, pkg-config ---
install(TARGETS sluice_shared EXPORT sluice-targets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS sluice RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_SOURCE_DIR}/include/sluice/sluice.hpp ${CMAKE_SOURCE_DIR}/include/sluice/sluice.h
              ${CMAKE_SOURCE_DIR}/include/sluice/push_status.hpp
              ${CMAKE_SOURCE_DIR}/include/sluice/export.h
              ${CMAKE_BINARY_DIR}/include/sluice/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/sluice)
install(FILES ${SLUICE_STDLIB_FILES} DESTINATION ${CMAKE_INSTALL_DATADIR}/sluice/stdlib)
install(EXPORT sluice-targets NAMESPACE sluice:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/sluice)
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/sluice-config.cmake.in
  ${CMAKE_BINARY_DIR}/sluice-config.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/sluice)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/sluice-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/sluice-config.cmake ${CMAKE_BINARY_DIR}/sluice-config-version.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/sluice)
configure_file(${CMAKE_SOURCE_DIR}/cmake/sluice.pc.in ${CMAKE_BINARY_DIR}/sluice.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/sluice.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# --- examples/embed: a C++ alert bot (stdin -> alerts) ---
add_executable(alert_bot ${CMAKE_SOURCE_DIR}/examples/embed/alert_bot.cpp)
target_link_libraries(alert_bot PRIVATE sluice::sluice)

if(SLUICE_TESTS)
  # The bot on a piped feed, the Python ctypes example, and a consumer project built against
  # an installed tree (tests/consumer/run.cmake installs this build into the build dir).
  add_test(NAME embed_alert_bot
    COMMAND sh -c "$<TARGET_FILE:alert_bot> ${CMAKE_SOURCE_DIR}/examples/embed/alerts.sluice russell tga:28d < ${CMAKE_SOURCE_DIR}/examples/embed/feed.csv")
  set_tests_properties(embed_alert_bot PROPERTIES PASS_REGULAR_EXPRESSION
    "2021-01-05 breakout: Russell 2612 broke 2600.*2021-02-03 tga draw: TGA down 10%")
  # Python and the consumer load libsluice.so into programs built without sanitizers, which
  # a sanitizer runtime refuses: they run in the plain build only.
  find_program(SLUICE_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
  set(SLUICE_PLAIN_BUILD ON)
  if(SLUICE_SANITIZE OR SLUICE_TSAN OR SLUICE_FUZZ)
    set(SLUICE_PLAIN_BUILD OFF)
  endif()
  if(SLUICE_PYTHON3 AND SLUICE_PLAIN_BUILD)
    add_test(NAME embed_python_ctypes
      COMMAND ${SLUICE_PYTHON3} ${CMAKE_SOURCE_DIR}/examples/embed/sluice_example.py
              $<TARGET_FILE:sluice_shared> ${CMAKE_SOURCE_DIR}/examples)
  endif()
  if(SLUICE_PLAIN_BUILD)
    add_test(NAME consumer_installed_package
      COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${CMAKE_BINARY_DIR} -DSOURCE_DIR=${CMAKE_SOURCE_DIR}
              -DGENERATOR=${CMAKE_GENERATOR} -DFMT_COMPILED_IN=${SLUICE_FMT_HEADER_ONLY}
              -P ${CMAKE_SOURCE_DIR}/tests/consumer/run.cmake)
  endif()
endif()

# --- ThreadSanitizer: SLUICE_TSAN=ON builds everything with -fsanitize=thread (see the
# option in CMakeLists.txt) and adds one program that shares a compiled program across threads.
if(SLUICE_TSAN)
  enable_testing()
  add_executable(sluice_tsan_test ${CMAKE_SOURCE_DIR}/tests/tsan/concurrency.cpp)
  target_link_libraries(sluice_tsan_test PRIVATE sluice_core)
  target_compile_definitions(sluice_tsan_test PRIVATE SLUICE_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  add_test(NAME tsan_shared_program COMMAND sluice_tsan_test)
  set_tests_properties(tsan_shared_program PROPERTIES ENVIRONMENT "TSAN_OPTIONS=halt_on_error=1")
  # Concurrent compiles through the C API on one engine (per-thread errors, own diagnostics).
  add_executable(sluice_tsan_c_test ${CMAKE_SOURCE_DIR}/tests/tsan/c_compiles.cpp ${CMAKE_SOURCE_DIR}/api/c/c_api.cpp)
  target_link_libraries(sluice_tsan_c_test PRIVATE sluice_core)
  add_test(NAME tsan_c_compiles COMMAND sluice_tsan_c_test)
  set_tests_properties(tsan_c_compiles PROPERTIES ENVIRONMENT "TSAN_OPTIONS=halt_on_error=1")
  # A universe program on worker threads (--threads): slices and reductions (issue 21).
  add_executable(sluice_tsan_universe_test ${CMAKE_SOURCE_DIR}/tests/tsan/universe_threads.cpp)
  target_link_libraries(sluice_tsan_universe_test PRIVATE sluice_core)
  target_include_directories(sluice_tsan_universe_test PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  add_test(NAME tsan_universe_threads COMMAND sluice_tsan_universe_test)
  set_tests_properties(tsan_universe_threads PROPERTIES ENVIRONMENT "TSAN_OPTIONS=halt_on_error=1")
endif()
