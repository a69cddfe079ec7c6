# `sluice report` (cli/report/, docs/report.md): its sources, and the build step that
# fetches the pinned charting library from npm and embeds it with the page template.
# SLUICE_REPORT=OFF builds `sluice` without the command (it then says so when called).
option(SLUICE_REPORT "Build `sluice report` (needs npm and node at build time)" ON)
if(NOT SLUICE_REPORT)
  # Only the command's stub, which says how this sluice was built.
  target_sources(sluice PRIVATE ${CMAKE_SOURCE_DIR}/cli/report/report_command.cpp)
else()
  file(GLOB SLUICE_REPORT_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/cli/report/*.cpp)
  target_sources(sluice PRIVATE ${SLUICE_REPORT_SOURCES})
  find_program(SLUICE_NPM npm)
  find_program(SLUICE_NODE node)
  if(NOT SLUICE_NPM OR NOT SLUICE_NODE)
    message(FATAL_ERROR "sluice report needs npm and node at build time (Debian: npm, nodejs) "
                        "to fetch its charting library; or configure with -DSLUICE_REPORT=OFF")
  endif()
  find_package(OpenSSL REQUIRED COMPONENTS Crypto)  # sha256 of the data files
  set(report_dir ${CMAKE_SOURCE_DIR}/cli/report)
  set(report_assets ${CMAKE_BINARY_DIR}/generated/report_assets.cpp)
  add_custom_command(
    OUTPUT ${report_assets}
    COMMAND ${CMAKE_COMMAND} -DVENDOR=${report_dir}/vendor.json
            -DWORK_DIR=${CMAKE_BINARY_DIR}/_vendor -DOUT=${report_assets}
            -DTEMPLATE_DIR=${report_dir} -DNPM=${SLUICE_NPM} -DNODE=${SLUICE_NODE}
            -P ${report_dir}/embed_assets.cmake
    DEPENDS ${report_dir}/vendor.json ${report_dir}/embed_assets.cmake ${report_dir}/page.html
            ${report_dir}/page.css ${report_dir}/page.js
    COMMENT "sluice report: fetching and checking the charting library, embedding the page")
  target_sources(sluice PRIVATE ${report_assets})
  target_compile_definitions(sluice PRIVATE SLUICE_REPORT=1)
  target_link_libraries(sluice PRIVATE OpenSSL::Crypto)
endif()
