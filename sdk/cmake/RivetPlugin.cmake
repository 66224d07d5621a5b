# rivet_add_plugin(<name> SOURCES <files...> [LIBRARIES <targets...>])
#
# Builds a Rivet plugin: a MODULE library <name>.so in the plugin directory, against the SDK.
# Used in-tree and, through RivetSdkConfig.cmake, by out-of-tree plugins.
#  - hidden visibility and --no-undefined: the plugin exports only its two Boost.DLL aliases
#    and fails to link, not to load, when it misses a symbol;
#  - -fno-gnu-unique: without it std::make_shared and Boost.System leave STB_GNU_UNIQUE
#    symbols and the library can never be unloaded.
function(rivet_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE rivet::sdk ${ARG_LIBRARIES})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_compile_options(${name} PRIVATE -fno-gnu-unique)
  target_link_options(${name} PRIVATE -Wl,--no-undefined)
  if(RIVET_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${RIVET_PLUGIN_OUTPUT_DIR})
  endif()
endfunction()
