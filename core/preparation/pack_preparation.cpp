#include "preparation/pack_preparation.hpp"

#include <exception>
#include <set>

namespace rivet::core {

std::string_view toString(PreparationState state) {
  switch (state) {
    case PreparationState::building: return "building";
    case PreparationState::ready: return "ready";
    case PreparationState::failed: return "failed";
  }
  return "unknown";
}

PackPreparation::PackPreparation(const PackCatalog& catalog, const PluginSet& plugins,
                                 sdk::Logger& log,
                                 std::function<void(std::size_t failures)> on_failure)
    : catalog_(catalog), plugins_(plugins), log_(log), on_failure_(std::move(on_failure)) {
  for (const auto& pack : catalog_.packs()) {
    if (!pack.available) continue;
    std::set<sdk::Runner*> runners;
    for (const auto& action : pack.actions) {
      auto* runner = plugins_.runnerFor(action.spec.runner_type);
      if (action.available && runner != nullptr && runners.insert(runner).second) {
        Key key{pack.spec.ref, runner};
        progress_[key] = {};
        work_.emplace_back(key, &pack.spec);
      }
    }
  }
  std::set<sdk::Runner*> runners;
  for (const auto& [key, pack] : work_) {
    if (runners.insert(key.second).second) {
      threads_.emplace_back([this, runner = key.second] { run(runner); });
    }
  }
}

PackPreparation::~PackPreparation() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  for (auto& thread : threads_) thread.join();
}

void PackPreparation::run(sdk::Runner* runner) {
  for (const auto& [key, pack] : work_) {
    if (key.second != runner) continue;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    sdk::Status prepared;
    try {
      prepared = key.second->preparePack(*pack);
    } catch (const std::exception& e) {
      prepared = sdk::Status(sdk::ErrorCode::internal, std::string("threw: ") + e.what());
    }
    std::size_t failures = 0;
    {
      std::lock_guard lock(mutex_);
      auto& progress = progress_[key];
      progress.state = prepared.ok() ? PreparationState::ready : PreparationState::failed;
      progress.error = prepared.message();
      failures = failures_ += prepared.ok() ? 0 : 1;
    }
    if (!prepared.ok()) {
      log_.log(sdk::LogLevel::warning,
               "pack " + key.first + " could not be prepared: " + prepared.message());
      if (on_failure_) on_failure_(failures);
    }
  }
}

PreparationProgress PackPreparation::progress(const std::string& pack_ref,
                                              const std::string& runner_type) const {
  std::lock_guard lock(mutex_);
  auto it = progress_.find({pack_ref, plugins_.runnerFor(runner_type)});
  // Nothing to prepare (no runner, or the action is unavailable anyway) counts as ready.
  return it == progress_.end() ? PreparationProgress{PreparationState::ready, ""} : it->second;
}

PreparationProgress PackPreparation::packProgress(const std::string& pack_ref) const {
  std::lock_guard lock(mutex_);
  PreparationProgress overall{PreparationState::ready, ""};
  for (const auto& [key, progress] : progress_) {
    if (key.first != pack_ref) continue;
    if (progress.state == PreparationState::failed) return progress;
    if (progress.state == PreparationState::building) overall = progress;
  }
  return overall;
}

}  // namespace rivet::core
