#include "rivet/test/plugin_handle.hpp"

// clang-format off
#include <vector>  // before Boost.DLL: its 1.74 headers use std::vector without including it
#include <boost/dll/shared_library.hpp>
// clang-format on

#include <gtest/gtest.h>

namespace rivet::test {

PluginHandle::PluginHandle(const std::filesystem::path& file)
    : file_(file.string()),
      library_(
          std::make_shared<boost::dll::shared_library>(file, boost::dll::load_mode::rtld_now)) {
  descriptor_ = &library_->get_alias<const sdk::PluginDescriptor>(sdk::kDescriptorAlias);
  // Checked here, so a plugin without a factory fails at load as it does in rivetd.
  library_->get_alias<sdk::PluginFactory>(sdk::kFactoryAlias);
}

std::shared_ptr<sdk::Plugin> PluginHandle::createPlugin() const {
  if (!library_) throw std::logic_error("PluginHandle: no plugin loaded");
  auto& factory = library_->get_alias<sdk::PluginFactory>(sdk::kFactoryAlias);
  sdk::Plugin* raw = factory();
  if (raw == nullptr) throw std::runtime_error(file_ + ": the plugin factory returned null");
  // The deleter holds the library, so the object's code stays mapped until it is gone.
  return std::shared_ptr<sdk::Plugin>(raw,
                                      [library = library_](sdk::Plugin* plugin) { delete plugin; });
}

void expectDescriptor(const sdk::PluginDescriptor& descriptor, sdk::PluginKind kind,
                      const std::string& name, const std::string& version) {
  SCOPED_TRACE("descriptor of " + name);
  EXPECT_EQ(descriptor.abi_version, sdk::kAbiVersion);
  EXPECT_EQ(descriptor.kind, kind);
  EXPECT_STREQ(descriptor.name, name.c_str());
  EXPECT_STREQ(descriptor.version, version.c_str());
  EXPECT_STREQ(descriptor.build_id, sdk::kBuildId);
}

std::map<std::string, std::string> configDefaults(const sdk::PluginDescriptor& descriptor) {
  std::map<std::string, std::string> defaults;
  for (std::size_t i = 0; i < descriptor.config_key_count; ++i) {
    defaults[descriptor.config_keys[i].name] = descriptor.config_keys[i].default_value;
  }
  return defaults;
}

}  // namespace rivet::test
