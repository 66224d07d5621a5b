# find_package(RivetSdk) for plugins built outside the Rivet tree:
#
#   find_package(RivetSdk REQUIRED)
#   rivet_add_plugin(my-runner SOURCES my_runner.cpp)
#
# Gives the rivet::sdk target (headers + Boost.DLL and nlohmann-json usage requirements) and
# rivet_add_plugin(). Build with the same compiler as rivetd: the loader compares build ids.
include(CMakeFindDependencyMacro)
find_dependency(Boost 1.74)
find_dependency(nlohmann_json 3)

get_filename_component(_rivet_sdk_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET rivet::sdk)
  add_library(rivet::sdk INTERFACE IMPORTED)
  set_target_properties(rivet::sdk PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_rivet_sdk_prefix}/include"
    INTERFACE_COMPILE_DEFINITIONS "BOOST_DLL_USE_STD_FS"
    INTERFACE_COMPILE_FEATURES "cxx_std_20"
    INTERFACE_LINK_LIBRARIES "Boost::headers;nlohmann_json::nlohmann_json")
endif()
include("${CMAKE_CURRENT_LIST_DIR}/RivetPlugin.cmake")
