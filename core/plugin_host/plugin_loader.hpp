// Loads one plugin shared object and checks it before any of its code is trusted.
//
// The order matters: the file must exist and be an ELF object exporting both Rivet aliases
// (read from disk without loading), then it is loaded with RTLD_NOW (a missing symbol fails
// here, not at first call), then its descriptor's ABI version and build id must equal the
// host's, and only then is the factory called. Every failure names the file.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/status.hpp"

namespace rivet::core {

struct ConfigKey {
  std::string name;
  std::string type;
  std::string default_value;
  std::string help;
};

// The descriptor of a loaded plugin, copied out of the library.
struct PluginInfo {
  std::string name;
  sdk::PluginKind kind = sdk::PluginKind::runner;
  std::string version;
  std::string build_id;
  std::string file;
  std::vector<ConfigKey> config_keys;
};

struct LoadedPlugin {
  PluginInfo info;
  // Owns a reference to the shared library: the object is deleted before the library can be
  // unloaded, whoever drops the last reference (casts share the same control block).
  std::shared_ptr<sdk::Plugin> object;
};

// <plugin_dir>/<name>.so
std::filesystem::path pluginFile(const std::filesystem::path& plugin_dir, const std::string& name);

// Loads `file`, which must describe itself as plugin `expected_name`.
sdk::StatusOr<LoadedPlugin> loadPlugin(const std::filesystem::path& file,
                                       const std::string& expected_name);

}  // namespace rivet::core
