// A plugin .so loaded the way rivetd loads it (Boost.DLL, rtld_now), for tests that talk to
// the real plugin: its descriptor, and objects made by its factory.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "rivet/sdk/plugin.hpp"

namespace boost::dll {
class shared_library;
}

namespace rivet::test {

class PluginHandle {
 public:
  // Empty; assign a loaded one before use.
  PluginHandle() = default;
  // Loads `file` with every symbol resolved now. Throws (failing the test) when the file does
  // not load or lacks the descriptor or factory alias.
  explicit PluginHandle(const std::filesystem::path& file);

  const sdk::PluginDescriptor& descriptor() const { return *descriptor_; }

  // A new object from the plugin's factory as `Interface`. The object owns a reference to the
  // library: its deleter deletes the object first and only then lets the library go, so the
  // object may outlive this handle. Throws when the factory returns null or the object is not
  // an `Interface`.
  template <class Interface>
  std::shared_ptr<Interface> create() const {
    auto plugin = createPlugin();
    auto object = std::dynamic_pointer_cast<Interface>(plugin);
    if (!object) throw std::runtime_error(file_ + ": the plugin object has another interface");
    return object;
  }

 private:
  std::shared_ptr<sdk::Plugin> createPlugin() const;

  std::string file_;
  std::shared_ptr<boost::dll::shared_library> library_;
  const sdk::PluginDescriptor* descriptor_ = nullptr;
};

// The descriptor fields every plugin of this repository shares: the ABI version and build id
// of this build, and the kind, name and version given (non-fatal expectations).
void expectDescriptor(const sdk::PluginDescriptor& descriptor, sdk::PluginKind kind,
                      const std::string& name, const std::string& version = "0.1.0");

// Config key name -> default value, from a descriptor's table.
std::map<std::string, std::string> configDefaults(const sdk::PluginDescriptor& descriptor);

}  // namespace rivet::test
