// The config of pack delivery (docs/pack-delivery.md): [pack-sync], where this agent takes its
// packs from, and [dev-packs], who may send a pack along with an execution request.
#pragma once

#include <chrono>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <Poco/Util/AbstractConfiguration.h>

#include "plugin_host/plugin_loader.hpp"
#include "rivet/sdk/status.hpp"

namespace rivet::core {

inline constexpr const char* kPackSyncSection = "pack-sync";
inline constexpr const char* kDevPacksSection = "dev-packs";

struct PackSyncConfig {
  std::string store_url;                           // "": pack sync is off
  std::string stage;
  std::chrono::milliseconds interval{std::chrono::minutes(2)};
  std::vector<std::string> packs;                  // empty: every pack of the stage
  std::vector<std::filesystem::path> trusted_keys; // PEM public keys
  std::string ca_file;                             // the store's CA ("": the system's)
  std::string cert_file;                           // a client certificate for the store, if any
  std::string key_file;
  std::filesystem::path install_dir;               // <data_dir>/delivered-packs

  bool enabled() const { return !store_url.empty(); }
};

struct DevPacksConfig {
  bool enabled = false;
  std::vector<std::string> identities;  // certificate subjects allowed to send a pack
  std::size_t max_archive_bytes = 786432;
  std::filesystem::path work_dir;       // <data_dir>/dev-packs
};

std::span<const ConfigKey> packSyncConfigKeys();
std::span<const ConfigKey> devPacksConfigKeys();

// Reads [pack-sync]; paths relative to the working directory are made absolute. With a store,
// a stage and at least one trusted key are required.
sdk::StatusOr<PackSyncConfig> readPackSyncConfig(const Poco::Util::AbstractConfiguration& config,
                                                 const std::filesystem::path& data_dir);
// Reads [dev-packs]; enabled needs at least one identity.
sdk::StatusOr<DevPacksConfig> readDevPacksConfig(const Poco::Util::AbstractConfiguration& config,
                                                 const std::filesystem::path& data_dir);

}  // namespace rivet::core
