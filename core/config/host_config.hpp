// rivetd's own configuration ([rivetd] section) and the per-plugin sections.
//
// Every key rivetd or a plugin reads is declared in a table (name, type, default, help). The
// same tables validate the INI file (unknown keys and sections are errors, not silence), fill
// in defaults, and print `rivetd --help-config`, so the docs cannot drift from the code.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string_view>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <Poco/Util/AbstractConfiguration.h>

#include "plugin_host/plugin_loader.hpp"
#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/status.hpp"

namespace rivet::core {

inline constexpr const char* kHostSection = "rivetd";

struct HostConfig {
  std::filesystem::path data_dir;
  std::filesystem::path packs_dir;
  std::filesystem::path plugin_dir;
  std::vector<std::string> plugins;
  int nice = 1;
  std::string log_level;
  std::filesystem::path shim_path;
  std::size_t max_running = 16;
  std::size_t max_queued = 256;
  int kill_grace_seconds = 5;
  int max_timeout_seconds = 86400;
  std::chrono::seconds compress_after{86400};
  std::chrono::seconds retention{180 * 86400};
  std::chrono::seconds lifecycle_interval{3600};
};

// Where rivetd looks when the config names no directory: beside its own binary first (an
// installed tree or the build tree), then the source tree it was built from.
struct DefaultPaths {
  std::filesystem::path plugin_dir;
  std::filesystem::path packs_dir;
  std::filesystem::path shim_path;
};

// A "list" key's value: comma-separated, items trimmed, empty ones dropped.
std::vector<std::string> parseList(const std::string& value);

// "90s", "15m", "1h", "180d" or plain seconds; nullopt if it is none of these.
std::optional<std::chrono::seconds> parseDuration(std::string_view text);

std::span<const ConfigKey> hostConfigKeys();

// Reads [rivetd] from the layered configuration (file + -D overrides). Relative paths are
// made absolute against the working directory.
sdk::StatusOr<HostConfig> readHostConfig(const Poco::Util::AbstractConfiguration& config,
                                         const DefaultPaths& defaults);

// The keys of section `section` with defaults filled in; an unknown key or a value of the
// wrong type is an error naming the section and key.
sdk::StatusOr<std::map<std::string, std::string>> readSection(
    const Poco::Util::AbstractConfiguration& config, const std::string& section,
    std::span<const ConfigKey> keys);

// Sections of the config file that nothing reads are typos: refuse them.
sdk::Status checkSections(const Poco::Util::AbstractConfiguration& file_config,
                          const std::set<std::string>& known_sections);

// `rivetd --help-config`: one block per section, every key with type, default and help.
std::string describeSection(const std::string& section, std::span<const ConfigKey> keys);

}  // namespace rivet::core
