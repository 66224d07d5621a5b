#include "plugin_host/plugin_loader.hpp"

// Boost 1.74's library_info headers use std::vector without including it.
#include <vector>
#include <boost/dll/library_info.hpp>
#include <boost/dll/shared_library.hpp>

#include <algorithm>
#include <exception>

namespace rivet::core {
namespace {

using sdk::ErrorCode;
using sdk::Status;

Status refuse(const std::filesystem::path& file, const std::string& why) {
  return Status(ErrorCode::unavailable, "plugin " + file.string() + ": " + why);
}

PluginInfo copyDescriptor(const sdk::PluginDescriptor& descriptor,
                          const std::filesystem::path& file) {
  PluginInfo info;
  info.name = descriptor.name ? descriptor.name : "";
  info.kind = descriptor.kind;
  info.version = descriptor.version ? descriptor.version : "";
  info.build_id = descriptor.build_id ? descriptor.build_id : "";
  info.file = file.string();
  for (std::size_t i = 0; i < descriptor.config_key_count; ++i) {
    const auto& key = descriptor.config_keys[i];
    info.config_keys.push_back({key.name ? key.name : "", key.type ? key.type : "",
                                key.default_value ? key.default_value : "",
                                key.help ? key.help : ""});
  }
  return info;
}

bool knownKind(sdk::PluginKind kind) {
  return kind == sdk::PluginKind::runner || kind == sdk::PluginKind::storage ||
         kind == sdk::PluginKind::transport || kind == sdk::PluginKind::sandbox;
}

}  // namespace

std::filesystem::path pluginFile(const std::filesystem::path& plugin_dir,
                                 const std::string& name) {
  return plugin_dir / (name + ".so");
}

sdk::StatusOr<LoadedPlugin> loadPlugin(const std::filesystem::path& file,
                                       const std::string& expected_name) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    return Status(ErrorCode::not_found,
                  "plugin '" + expected_name + "': no file " + file.string());
  }

  try {
    boost::dll::library_info info(file, /*throw_if_not_native=*/true);
    const auto aliases = info.symbols("boostdll");
    for (const char* alias : {sdk::kDescriptorAlias, sdk::kFactoryAlias}) {
      if (std::find(aliases.begin(), aliases.end(), alias) == aliases.end()) {
        return refuse(file, std::string("exports no '") + alias +
                                "'; a Rivet plugin is built with RIVET_PLUGIN(...)");
      }
    }
  } catch (const std::exception& e) {
    return refuse(file, std::string("not a loadable shared object (") + e.what() + ")");
  }

  auto library = std::make_shared<boost::dll::shared_library>();
  try {
    library->load(file, boost::dll::load_mode::rtld_now);
  } catch (const std::exception& e) {
    return refuse(file, std::string("cannot be loaded: ") + e.what());
  }

  const auto& descriptor =
      library->get_alias<const sdk::PluginDescriptor>(sdk::kDescriptorAlias);
  if (descriptor.abi_version != sdk::kAbiVersion) {
    return refuse(file, "built for plugin ABI version " +
                            std::to_string(descriptor.abi_version) + ", this rivetd has " +
                            std::to_string(sdk::kAbiVersion) + "; rebuild the plugin");
  }
  PluginInfo info = copyDescriptor(descriptor, file);
  if (info.build_id != sdk::kBuildId) {
    return refuse(file, "built with '" + info.build_id + "', this rivetd with '" +
                            sdk::kBuildId + "'; host and plugins must share compiler and SDK");
  }
  if (!knownKind(info.kind)) {
    return refuse(file, "declares an unknown plugin kind " +
                            std::to_string(static_cast<std::uint32_t>(info.kind)));
  }
  if (info.name != expected_name) {
    return refuse(file, "describes itself as '" + info.name + "', expected '" + expected_name +
                            "' (file name and plugin name must match)");
  }

  auto& factory = library->get_alias<sdk::PluginFactory>(sdk::kFactoryAlias);
  sdk::Plugin* raw = factory();
  if (raw == nullptr) {
    return refuse(file, "its factory failed to create the plugin object");
  }
  // The deleter holds the library, so the object's code stays mapped until it is gone.
  std::shared_ptr<sdk::Plugin> object(raw, [library](sdk::Plugin* plugin) { delete plugin; });
  return LoadedPlugin{std::move(info), std::move(object)};
}

}  // namespace rivet::core
