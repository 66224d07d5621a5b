# rivet_add_test(<name> SOURCES <files...> [LIBRARIES <targets...>])
#
# One GoogleTest binary, registered with CTest test by test. Discovery runs when the tests
# run (PRE_TEST), not at build time, to keep builds short on two cores. Tests find the build
# tree (rivetd, plugins) and the source tree (packs/) through these definitions.
function(rivet_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE GTest::gtest_main GTest::gtest ${ARG_LIBRARIES})
  target_compile_definitions(${name} PRIVATE
    RIVET_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    RIVET_BINARY_DIR="${PROJECT_BINARY_DIR}"
    RIVET_PLUGIN_DIR="${RIVET_PLUGIN_OUTPUT_DIR}")
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 30
    PROPERTIES TIMEOUT 300)
endfunction()
