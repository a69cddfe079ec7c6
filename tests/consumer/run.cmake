# CTest consumer_installed_package: installs BUILD_DIR into BUILD_DIR/consumer/install, then
# configures, builds and runs tests/consumer against it (find_package and pkg-config).
set(prefix ${BUILD_DIR}/consumer/install)
set(build ${BUILD_DIR}/consumer/build)
file(REMOVE_RECURSE ${BUILD_DIR}/consumer)

function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
endfunction()

step(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(f bin/sluice include/sluice/sluice.hpp include/sluice/sluice.h include/sluice/version.hpp
          share/sluice/stdlib/prelude.sluice lib/pkgconfig/sluice.pc lib/cmake/sluice/sluice-config.cmake)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
step(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer -B ${build} -G ${GENERATOR}
     -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
step(${CMAKE_COMMAND} --build ${build})
step(${build}/consumer)
step(${build}/consumer_c)
step(${build}/consumer_cxx17)

# The ABI (docs/embedding.md, "ABI contract"): one SONAME per minor version in 0.x, and a
# dynamic symbol table holding the API only: the C functions (sluice_*) and the C++ API
# (sluice::api::...), nothing of the compiler, the VM, fmt, PEGTL or Boost.
file(GLOB libs ${prefix}/lib/libsluice.so.*.*.*)
list(GET libs 0 lib)
find_program(READELF readelf REQUIRED)
find_program(NM nm REQUIRED)
execute_process(COMMAND ${READELF} -d ${lib} OUTPUT_VARIABLE dynamic)
string(REGEX MATCH "Library soname: \\[([^]]*)\\]" _ "${dynamic}")
if(NOT CMAKE_MATCH_1 MATCHES "^libsluice\\.so\\.0\\.[0-9]+$")
  message(FATAL_ERROR "SONAME is '${CMAKE_MATCH_1}', expected libsluice.so.0.MINOR")
endif()
# Nothing but the C and C++ runtimes at run time: fmt is compiled in header-only (a host
# need not install libfmt, nor match its version), PEGTL and Boost are header-only too.
string(REGEX MATCHALL "Shared library: \\[[^]]*\\]" needed "${dynamic}")
foreach(entry IN LISTS needed)
  if(NOT entry MATCHES "\\[(libstdc\\+\\+|libm|libgcc_s|libc|ld-linux[^]]*|libfmt)\\.so[^]]*\\]")
    message(FATAL_ERROR "libsluice needs a library at run time beyond the C/C++ runtimes: ${entry}")
  endif()
endforeach()
if(dynamic MATCHES "libfmt" AND NOT FMT_COMPILED_IN STREQUAL "OFF")
  message(FATAL_ERROR "libsluice needs libfmt at run time (readelf -d: ${needed})")
endif()
list(LENGTH needed needed_count)
if(needed_count EQUAL 0)
  message(FATAL_ERROR "readelf -d lists no NEEDED entry: the check read nothing")
endif()
message(STATUS "libsluice NEEDED: ${needed}")
execute_process(COMMAND ${NM} -D --defined-only -C ${lib} OUTPUT_VARIABLE symbols)
string(REPLACE "\n" ";" symbols "${symbols}")
set(api_count 0)
foreach(line IN LISTS symbols)
  if(line STREQUAL "")
    continue()
  endif()
  # "0000000000012340 T name(args)": keep the name.
  string(REGEX REPLACE "^[0-9a-f]* +[A-Za-z] +" "" name "${line}")
  if(name MATCHES "^sluice_[a-z0-9_]+$" OR name MATCHES "^sluice::api::")
    math(EXPR api_count "${api_count} + 1")
  elseif(NOT name MATCHES "^(_init|_fini|_edata|_end|__bss_start)$")
    message(FATAL_ERROR "libsluice exports a symbol outside the API: ${line}")
  endif()
endforeach()
if(api_count LESS 50)
  message(FATAL_ERROR "only ${api_count} API symbols exported")
endif()
message(STATUS "libsluice exports ${api_count} API symbols")
step(${prefix}/bin/sluice version)

# pkg-config, when present: the flags must build the same program.
find_program(PKG_CONFIG pkg-config)
find_program(CXX_COMPILER c++)
if(PKG_CONFIG AND CXX_COMPILER)
  set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
  execute_process(COMMAND ${PKG_CONFIG} --cflags --libs sluice OUTPUT_VARIABLE flags
                  OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "pkg-config --cflags --libs sluice failed")
  endif()
  separate_arguments(flags UNIX_COMMAND "${flags}")
  step(${CXX_COMPILER} -std=c++20 ${SOURCE_DIR}/tests/consumer/main.cpp ${flags}
       -Wl,-rpath,${prefix}/lib -o ${build}/consumer_pkgconfig)
  step(${build}/consumer_pkgconfig)

  # [[nodiscard]]: a dropped compile result or status does not compile under -Werror; the
  # same calls with their results kept do (the control: the failures are the drops').
  execute_process(COMMAND ${PKG_CONFIG} --cflags sluice OUTPUT_VARIABLE cflags
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  separate_arguments(cflags UNIX_COMMAND "${cflags}")
  set(discard ${CXX_COMPILER} -std=c++20 -Wall -Werror -fsyntax-only
              ${SOURCE_DIR}/tests/consumer/discard.cpp ${cflags})
  step(${discard} -DSLUICE_DISCARD=0)
  foreach(drop 1 2)
    execute_process(COMMAND ${discard} -DSLUICE_DISCARD=${drop} RESULT_VARIABLE rc
                    OUTPUT_QUIET ERROR_VARIABLE why)
    if(rc EQUAL 0 OR NOT why MATCHES "nodiscard|unused")
      message(FATAL_ERROR "a dropped result (case ${drop}) compiled without a nodiscard error: ${why}")
    endif()
  endforeach()
endif()
