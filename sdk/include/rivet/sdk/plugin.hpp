// How a shared object becomes a Rivet plugin.
//
// A plugin .so exports two Boost.DLL aliases and nothing else the host relies on:
//   rivet_plugin_descriptor  a PluginDescriptor: ABI version, kind, name, version, build id,
//                            and the table of config keys the plugin reads;
//   rivet_plugin_create      a noexcept factory returning a new Plugin (nullptr on failure).
// The host reads the descriptor first and calls the factory only when the ABI version and the
// build id match its own, so a stale plugin is refused with a message instead of crashing.
// Use RIVET_PLUGIN(...) below to export both; do not write the aliases by hand.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <boost/config.hpp>
#include <boost/dll/alias.hpp>
#include <boost/version.hpp>
#include <nlohmann/json.hpp>

#include "rivet/sdk/status.hpp"

namespace rivet::sdk {

// Bumped on every change to any sdk/ plugin header (a test hashes them against
// sdk/abi.lock). The host refuses plugins built against another value.
inline constexpr std::uint32_t kAbiVersion = 7;

// Host and plugins exchange C++ objects (std::string, nlohmann::json, vtables), so they must
// agree on compiler, C++ library ABI and the versions of the header-only libraries involved.
#define RIVET_SDK_STRINGIFY_(x) #x
#define RIVET_SDK_STRINGIFY(x) RIVET_SDK_STRINGIFY_(x)
inline constexpr const char* kBuildId =
    "gcc " __VERSION__ " cxx11abi=" RIVET_SDK_STRINGIFY(_GLIBCXX_USE_CXX11_ABI)
    " boost=" BOOST_LIB_VERSION " nlohmann=" RIVET_SDK_STRINGIFY(NLOHMANN_JSON_VERSION_MAJOR)
    "." RIVET_SDK_STRINGIFY(NLOHMANN_JSON_VERSION_MINOR);

enum class PluginKind : std::uint32_t { runner = 1, storage = 2, transport = 3, sandbox = 4 };

constexpr std::string_view toString(PluginKind kind) {
  switch (kind) {
    case PluginKind::runner: return "runner";
    case PluginKind::storage: return "storage";
    case PluginKind::transport: return "transport";
    case PluginKind::sandbox: return "sandbox";
  }
  return "unknown";
}

// One config key a plugin reads from its own INI section ([<plugin name>]). The host rejects
// keys not in the table, fills in defaults, and prints the table for `rivetd --help-config`.
struct ConfigKeySpec {
  const char* name;
  const char* type;           // "string", "integer", "boolean", "path", "bytes"
  const char* default_value;  // as written in an INI file; "" for none
  const char* help;
};

// Standard layout and plain C types only: the host reads abi_version before trusting the rest.
struct PluginDescriptor {
  std::uint32_t abi_version;
  PluginKind kind;
  const char* name;             // equals the plugin's folder and file name, e.g. "shell"
  const char* version;          // the plugin's own version, e.g. "0.1.0"
  const char* build_id;         // kBuildId of the SDK the plugin was built against
  const ConfigKeySpec* config_keys;
  std::size_t config_key_count;
};

enum class LogLevel { debug, info, warning, error };

// The host's log, handed to plugins so their messages land in one place with one format.
class BOOST_SYMBOL_VISIBLE Logger {
 public:
  virtual ~Logger() = default;
  virtual void log(LogLevel level, std::string_view message) = 0;
};

// What the host gives a plugin before it is used.
struct PluginContext {
  std::string data_dir;                      // absolute; the plugin may keep files below it
  std::map<std::string, std::string> config; // the plugin's section, defaults filled in
  Logger* logger = nullptr;                  // never null; outlives the plugin
};

// Base of every plugin object. Implementations must not throw out of any virtual call.
class BOOST_SYMBOL_VISIBLE Plugin {
 public:
  virtual ~Plugin() = default;
  // Called once, before any other call. A non-ok Status stops rivetd with its message.
  virtual Status configure(const PluginContext& context) = 0;
};

}  // namespace rivet::sdk

// Exports the descriptor and the factory of a plugin class. Put it in one .cpp of the plugin:
//
//   constexpr std::array<rivet::sdk::ConfigKeySpec, 1> kConfigKeys{{
//       {"path", "path", "", "SQLite file; default <data_dir>/rivet.db"}}};
//   RIVET_PLUGIN(rivet::plugins::storage_sqlite::SqliteExecutionStore,
//                rivet::sdk::PluginKind::storage, "storage-sqlite", "0.1.0", kConfigKeys)
//
// The class must derive from the interface of the kind it declares (runner.hpp, storage.hpp,
// transport.hpp, sandbox.hpp) and be default-constructible.
#define RIVET_PLUGIN(ClassName, Kind, NameLiteral, VersionLiteral, ConfigKeys)                 \
  namespace {                                                                                 \
  ::rivet::sdk::Plugin* rivetPluginCreate() noexcept {                                        \
    try {                                                                                     \
      return new ClassName();                                                                 \
    } catch (...) {                                                                           \
      return nullptr;                                                                         \
    }                                                                                         \
  }                                                                                           \
  const ::rivet::sdk::PluginDescriptor rivetPluginDescriptor{                                 \
      ::rivet::sdk::kAbiVersion, Kind,          NameLiteral,       VersionLiteral,            \
      ::rivet::sdk::kBuildId,    std::data(ConfigKeys), std::size(ConfigKeys)};               \
  }                                                                                           \
  BOOST_DLL_ALIAS(rivetPluginCreate, rivet_plugin_create)                                     \
  BOOST_DLL_ALIAS(rivetPluginDescriptor, rivet_plugin_descriptor)

namespace rivet::sdk {
// Alias names and factory type, for hosts and loader tests.
inline constexpr const char* kDescriptorAlias = "rivet_plugin_descriptor";
inline constexpr const char* kFactoryAlias = "rivet_plugin_create";
using PluginFactory = Plugin*() noexcept;
}  // namespace rivet::sdk
