#include "sync/pack_sync.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <random>
#include <set>
#include <utility>
#include <system_error>

#include "executor/executor.hpp"
#include "preparation/pack_preparation.hpp"
#include "rivet/pack_artifact/artifact_extractor.hpp"
#include "rivet/pack_artifact/artifact_verifier.hpp"
#include "rivetd/runner_binding.hpp"
#include "shim/atomic_file.hpp"

namespace rivet::core {

namespace fs = std::filesystem;
using sdk::ErrorCode;
using sdk::Status;

namespace {

constexpr const char* kInstalledFile = "installed.json";
constexpr const char* kIncomingPrefix = ".incoming-";

std::string randomHex() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(random()));
  return text;
}

// <install_dir>/<name>/1.2.0-3f5c0a1b2c3d: the version and the first 12 hex digits of the
// digest, so that a version republished with other content (which the store refuses, but a
// store is only files) never lands in the directory of the first. ".2", ".3"... follow when
// that is taken: by the same version installed before and still held by an execution (a
// rollback to it), whose directory goes with that execution's end.
fs::path newVersionDirectory(const fs::path& pack_dir, const std::string& version,
                             const std::string& digest) {
  const auto hex = digest.substr(digest.find(':') + 1);
  const auto base = version + "-" + hex.substr(0, 12);
  fs::path directory = pack_dir / base;
  for (int n = 2; fs::exists(directory); ++n) {
    directory = pack_dir / (base + "." + std::to_string(n));
  }
  return directory;
}

// The wait before the next pass: the interval, give or take up to 20%, so that a fleet started
// together does not poll the store together.
std::chrono::milliseconds jittered(std::chrono::milliseconds interval) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  std::uniform_real_distribution<double> factor(0.8, 1.2);
  return std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(interval.count()) * factor(random)));
}

}  // namespace

PackSync::PackSync(PackSyncConfig config, const PluginSet& plugins, sdk::Logger& log,
                   std::function<void(const std::string&)> on_failure)
    : config_(std::move(config)), plugins_(plugins), log_(log),
      on_failure_(std::move(on_failure)) {
  status_.store = config_.store_url;
  status_.stage = config_.stage;
}

PackSync::~PackSync() { stop(); }

PackEntry PackSync::packFrom(const std::string& name, const Installed& installed,
                             std::shared_ptr<OwnedPackDirectory> directory) {
  PackEntry pack = PackCatalog::loadPack(installed.directory);
  if (pack.available && pack.spec.name != name) {
    pack.available = false;
    pack.error = "the artifact of pack '" + name + "' holds pack '" + pack.spec.name + "'";
    pack.actions.clear();
  }
  bindRunners(pack, plugins_);
  pack.delivered = DeliveredFrom{installed.stage, installed.digest, installed.installed_at_ms};
  pack.directory_hold = std::move(directory);
  return pack;
}

PackCatalog PackSync::withInstalled(PackCatalog catalog, const std::set<fs::path>& in_use) {
  std::error_code ec;
  fs::create_directories(config_.install_dir, ec);
  std::set<fs::path> kept;
  for (const auto& directory : in_use) {
    kept.insert(directory);
    kept.insert(directory.parent_path());
  }
  try {
    std::ifstream in(config_.install_dir / kInstalledFile);
    if (in) {
      const auto json = nlohmann::json::parse(in);
      for (const auto& [name, item] : json.at("packs").items()) {
        Installed installed{item.at("version"), item.at("digest"), item.at("stage"),
                            item.at("installed_at_ms"), item.at("directory")};
        if (!fs::is_directory(installed.directory)) {
          log_.log(sdk::LogLevel::warning, "pack sync: " + installed.directory +
                                               " is gone; pack " + name + " is installed anew");
          continue;
        }
        auto directory = std::make_shared<OwnedPackDirectory>(installed.directory);
        auto next = catalog.withPack(packFrom(name, installed, directory));
        if (!next.ok()) {
          log_.log(sdk::LogLevel::warning, "pack sync: " + next.status().message());
          continue;
        }
        catalog = std::move(*next);
        kept.insert(fs::path(installed.directory).parent_path());
        kept.insert(installed.directory);
        installed_[name] = installed;
        directories_[name] = std::move(directory);
      }
    }
  } catch (const std::exception& e) {
    log_.log(sdk::LogLevel::warning, "pack sync: " + (config_.install_dir / kInstalledFile).string() +
                                         " unreadable, packs are installed anew: " + e.what());
  }
  // Versions replaced before the last stop that nothing runs from, and installs it interrupted.
  for (fs::directory_iterator it(config_.install_dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (!it->is_directory()) continue;
    if (!kept.contains(it->path())) {
      fs::remove_all(it->path(), ec);
      continue;
    }
    std::error_code inner;
    for (fs::directory_iterator version(it->path(), inner), none; !inner && version != none;
         version.increment(inner)) {
      if (!kept.contains(version->path())) fs::remove_all(version->path(), inner);
    }
  }
  return catalog;
}

std::shared_ptr<OwnedPackDirectory> PackSync::installedHold(const fs::path& directory) const {
  std::lock_guard lock(mutex_);
  for (const auto& [name, hold] : directories_) {
    if (hold->path() == directory) return hold;
  }
  return nullptr;
}

void PackSync::start(LiveCatalog& catalog) {
  catalog_ = &catalog;
  thread_ = std::thread([this] { run(); });
}

void PackSync::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

PackSyncStatus PackSync::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void PackSync::run() {
  pack_store::StoreTls tls{config_.ca_file, config_.cert_file, config_.key_file};
  auto blobs = pack_store::openBlobStore(config_.store_url, tls);
  if (!blobs.ok()) {
    // The config was checked at start; an unusable URL is still reported where operators look.
    std::lock_guard lock(mutex_);
    status_.last_error = blobs.status().message();
    log_.log(sdk::LogLevel::error, "pack sync: " + blobs.status().message());
    return;
  }
  pack_store::PackStore store(**blobs);
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    pass(store);
    lock.lock();
    wake_.wait_for(lock, jittered(config_.interval), [this] { return stopping_; });
  }
}

void PackSync::pass(pack_store::PackStore& store) {
  std::string etag;
  bool retry_due = false;
  {
    std::lock_guard lock(mutex_);
    etag = index_etag_;
    for (const auto& [name, failure] : status_.failures) retry_due = retry_due || failure.retried;
  }
  // An unchanged index needs nothing, unless a download failed and is due again.
  auto fetched = store.fetchIndex(config_.stage, retry_due ? "" : etag);
  {
    std::lock_guard lock(mutex_);
    status_.last_check_ms = nowMs();
    status_.last_error = fetched.ok() ? "" : fetched.status().message();
  }
  if (!fetched.ok()) {
    log_.log(sdk::LogLevel::warning,
             "pack sync: cannot read the index of stage " + config_.stage + ": " +
                 fetched.status().message());
    return;
  }
  if (!fetched->has_value()) return;
  const auto& index = (*fetched)->index;
  const auto selected = [this](const std::string& name) {
    return config_.packs.empty() ||
           std::find(config_.packs.begin(), config_.packs.end(), name) != config_.packs.end();
  };
  for (const auto& [name, entry] : index.packs) {
    if (!selected(name)) continue;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      if (auto it = installed_.find(name); it != installed_.end() && it->second.digest == entry.digest) {
        status_.failures.erase(name);  // back at the installed version: nothing failed
        continue;
      }
      // A rejected version is not tried again; a newer index entry is.
      if (auto it = status_.failures.find(name);
          it != status_.failures.end() && it->second.digest == entry.digest && !it->second.retried) {
        continue;
      }
    }
    if (auto status = install(store, name, entry); !status.ok()) {
      const bool retried = status.code() == ErrorCode::unavailable;
      recordFailure(name, entry.version, entry.digest, status, retried);
    }
  }
  // Only an index that exists says a pack is gone: a missing one (a wrong URL, a store not
  // yet filled) uninstalls nothing.
  std::vector<std::string> withdrawn;
  if ((*fetched)->exists) {
    std::lock_guard lock(mutex_);
    for (const auto& [name, installed] : installed_) {
      if (!index.packs.contains(name) || !selected(name)) withdrawn.push_back(name);
    }
    std::erase_if(status_.failures, [&](const auto& failure) {
      return !index.packs.contains(failure.first) || !selected(failure.first);
    });
  }
  for (const auto& name : withdrawn) uninstall(name);
  std::lock_guard lock(mutex_);
  index_etag_ = (*fetched)->etag;
}

std::string PackSync::installedRef(const std::string& name) const {
  const auto directory = directories_.find(name);
  if (directory == directories_.end()) return "";
  for (const auto& pack : catalog_->current()->packs()) {
    if (pack.directory_hold == directory->second) return pack.spec.ref;
  }
  return "";
}

void PackSync::uninstall(const std::string& name) {
  std::shared_ptr<OwnedPackDirectory> removed;
  {
    std::lock_guard lock(mutex_);
    catalog_->replace(catalog_->current()->withoutDeliveredPack(installedRef(name)));
    removed = std::move(directories_[name]);
    directories_.erase(name);
    log_.log(sdk::LogLevel::info, "pack sync: " + name + " " + installed_[name].version +
                                      " uninstalled: stage " + config_.stage +
                                      " no longer has it");
    installed_.erase(name);
    status_.failures.erase(name);
    saveInstalled();
  }
  // Executions still running from it keep it until they end.
  if (removed) removed->retire();
}

Status PackSync::install(pack_store::PackStore& store, const std::string& name,
                         const pack_store::IndexEntry& entry) {
  log_.log(sdk::LogLevel::info, "pack sync: installing " + name + " " + entry.version + " (" +
                                    entry.digest + ") from stage " + config_.stage);
  const fs::path incoming = config_.install_dir / (kIncomingPrefix + randomHex());
  std::error_code ec;
  fs::create_directories(incoming, ec);
  if (ec) return Status(ErrorCode::internal, "cannot create " + incoming.string() + ": " + ec.message());
  struct RemoveIncoming {
    fs::path dir;
    ~RemoveIncoming() {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
    }
  } remove_incoming{incoming};

  auto manifest_file = store.download(name, entry.version, incoming);
  if (!manifest_file.ok()) {
    // Whatever the store said, it may say otherwise next time: retried.
    return Status(ErrorCode::unavailable, "download failed: " + manifest_file.status().message());
  }
  auto manifest = pack_artifact::verifyArtifact(*manifest_file, config_.trusted_keys);
  if (!manifest.ok()) return Status(ErrorCode::unprocessable, "rejected: " + manifest.status().message());
  if (manifest->name != name || manifest->version != entry.version ||
      manifest->digest != entry.digest) {
    return Status(ErrorCode::unprocessable,
                  "rejected: the index names " + name + " " + entry.version + " " + entry.digest +
                      " but the signed manifest is " + manifest->name + " " + manifest->version +
                      " " + manifest->digest);
  }

  Installed installed{
      entry.version, entry.digest, config_.stage, nowMs(),
      newVersionDirectory(config_.install_dir / name, entry.version, entry.digest).string()};
  fs::create_directories(fs::path(installed.directory).parent_path(), ec);
  if (auto status = pack_artifact::extractArtifact(incoming / manifest->archive,
                                                   installed.directory);
      !status.ok()) {
    return Status(ErrorCode::unprocessable, "rejected: " + status.message());
  }
  auto directory = std::make_shared<OwnedPackDirectory>(installed.directory);
  // Until it is swapped in, a failure drops the new version's directory with its last holder.
  struct RetireUnlessServing {
    OwnedPackDirectory& directory;
    bool serving = false;
    ~RetireUnlessServing() {
      if (!serving) directory.retire();
    }
  } retire_unless_serving{*directory};
  PackEntry pack = packFrom(name, installed, directory);
  if (!pack.available) return Status(ErrorCode::unprocessable, "rejected: " + pack.error);
  if (auto status = PackPreparation::prepareNow(pack, plugins_); !status.ok()) {
    return Status(ErrorCode::unprocessable, "preparing failed: " + status.message());
  }

  std::shared_ptr<OwnedPackDirectory> replaced;
  {
    std::lock_guard lock(mutex_);
    // The previous version leaves by its own ref: a pack may change its ref between versions.
    auto next =
        catalog_->current()->withoutDeliveredPack(installedRef(name)).withPack(std::move(pack));
    if (!next.ok()) return Status(ErrorCode::unprocessable, "rejected: " + next.status().message());
    catalog_->replace(std::move(*next));
    retire_unless_serving.serving = true;
    const auto previous = installed_.find(name);
    const std::string from = previous == installed_.end() ? "" : previous->second.version;
    replaced = std::exchange(directories_[name], directory);
    installed_[name] = installed;
    status_.failures.erase(name);
    saveInstalled();
    log_.log(sdk::LogLevel::info,
             "pack sync: " + name + " " +
                 (from.empty() ? "installed at " : "upgraded from " + from + " to ") +
                 entry.version);
  }
  if (replaced) replaced->retire();
  return Status::success();
}

void PackSync::recordFailure(const std::string& name, const std::string& version,
                             const std::string& digest, const Status& error, bool retried) {
  log_.log(sdk::LogLevel::warning, "pack sync: " + name + " " + version +
                                       " not installed, the previous version keeps serving: " +
                                       error.message());
  {
    std::lock_guard lock(mutex_);
    status_.failures[name] = PackUpgradeFailure{version, digest, error.message(), nowMs(), retried};
  }
  if (on_failure_) on_failure_(name);
}

void PackSync::saveInstalled() const {
  nlohmann::json packs = nlohmann::json::object();
  for (const auto& [name, installed] : installed_) {
    packs[name] = {{"version", installed.version},
                   {"digest", installed.digest},
                   {"stage", installed.stage},
                   {"installed_at_ms", installed.installed_at_ms},
                   {"directory", installed.directory}};
  }
  const nlohmann::json file{{"format", 1}, {"packs", packs}};
  if (auto status = shim::writeFileAtomically(config_.install_dir / kInstalledFile, file.dump(2));
      !status.ok()) {
    log_.log(sdk::LogLevel::error, "pack sync: cannot save what is installed: " + status.message());
  }
}

}  // namespace rivet::core
