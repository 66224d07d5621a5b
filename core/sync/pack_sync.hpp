// Pack sync: keeps this agent's delivered packs at the versions its stage's index names
// (docs/pack-delivery.md). A thread of its own checks the index (a conditional GET) every
// interval, jittered; for each pack that changed it downloads the artifact, verifies digest
// and signature against the trusted keys, unpacks it into a new directory
// <install_dir>/<name>/<version>-<digest12>/, prepares it for its runners (a virtualenv) and
// only then swaps it into the live catalog. Anything that fails leaves the previous version
// serving, is kept as the pack's upgrade failure (GET /v1/packs) and counted (metrics). A pack
// that an index which exists no longer names (rivet pack withdraw) is uninstalled.
//
// Executions hold their pack's directory (PackEntry::directory_hold): a replaced version's
// directory is removed when the last execution started from it has ended.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <condition_variable>
#include <vector>

#include "config/pack_delivery_config.hpp"
#include "packs/live_catalog.hpp"
#include "packs/owned_pack_directory.hpp"
#include "plugin_host/plugin_set.hpp"
#include "rivet/pack_store/pack_store.hpp"
#include "rivet/sdk/plugin.hpp"

namespace rivet::core {

// A version of a pack from the store that could not be installed.
struct PackUpgradeFailure {
  std::string version;
  std::string digest;
  std::string error;
  std::int64_t at_ms = 0;
  bool retried = false;  // a download failure is retried each interval; a rejection is not
};

struct PackSyncStatus {
  std::string store;
  std::string stage;
  std::int64_t last_check_ms = 0;          // 0: not yet
  std::string last_error;                  // why the last index check failed; "" if it did not
  std::map<std::string, PackUpgradeFailure> failures;  // by pack name: current ones only
};

class PackSync {
 public:
  // `on_failure(pack)` is called for each failed install (metrics).
  PackSync(PackSyncConfig config, const PluginSet& plugins, sdk::Logger& log,
           std::function<void(const std::string& pack)> on_failure = {});
  PackSync(const PackSync&) = delete;
  PackSync& operator=(const PackSync&) = delete;
  ~PackSync();  // stop()

  // `catalog` with the packs an earlier rivetd installed (installed.json) added, and any
  // directory under install_dir that is neither one of them nor `in_use` (by executions an
  // earlier rivetd left running, packDirectoriesInUse()) removed. Call before serving.
  PackCatalog withInstalled(PackCatalog catalog, const std::set<std::filesystem::path>& in_use);

  // The hold on `directory` if it is an installed version's; null otherwise.
  std::shared_ptr<OwnedPackDirectory> installedHold(const std::filesystem::path& directory) const;

  // Starts the thread: a pass now, then one every interval (jittered) until stop().
  void start(LiveCatalog& catalog);
  // Interrupts the wait (not an install under way) and joins the thread. Idempotent.
  void stop();

  PackSyncStatus status() const;

 private:
  struct Installed {
    std::string version;
    std::string digest;
    std::string stage;
    std::int64_t installed_at_ms = 0;
    std::string directory;
  };

  void run();
  void pass(pack_store::PackStore& store);
  // Installs `name` at the version the index names and swaps it in.
  sdk::Status install(pack_store::PackStore& store, const std::string& name,
                      const pack_store::IndexEntry& entry);
  // Takes `name` out of the catalog: its stage's index no longer names it (withdrawn).
  void uninstall(const std::string& name);
  // The ref the catalog lists installed pack `name` by (a pack's name is not always its ref:
  // `name: my-pack` needs `ref: my_pack`); "" when none is installed. Under mutex_.
  std::string installedRef(const std::string& name) const;
  void recordFailure(const std::string& name, const std::string& version,
                     const std::string& digest, const sdk::Status& error, bool retried);
  void saveInstalled() const;
  PackEntry packFrom(const std::string& name, const Installed& installed,
                     std::shared_ptr<OwnedPackDirectory> directory);

  const PackSyncConfig config_;
  const PluginSet& plugins_;
  sdk::Logger& log_;
  const std::function<void(const std::string&)> on_failure_;

  mutable std::mutex mutex_;  // guards everything below
  std::map<std::string, Installed> installed_;                     // by pack name
  std::map<std::string, std::shared_ptr<OwnedPackDirectory>> directories_;  // the current versions'
  PackSyncStatus status_;
  std::string index_etag_;
  bool stopping_ = false;
  std::condition_variable wake_;
  LiveCatalog* catalog_ = nullptr;
  std::thread thread_;
};

}  // namespace rivet::core
