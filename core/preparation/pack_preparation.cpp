#include "preparation/pack_preparation.hpp"

#include <algorithm>
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

namespace {

sdk::Status prepareFor(sdk::Runner& runner, const sdk::PackSpec& pack) {
  try {
    return runner.preparePack(pack);
  } catch (const std::exception& e) {
    return sdk::Status(sdk::ErrorCode::internal, std::string("threw: ") + e.what());
  }
}

}  // namespace

std::vector<sdk::Runner*> PackPreparation::runnersOf(const PackEntry& pack,
                                                     const PluginSet& plugins) {
  std::vector<sdk::Runner*> runners;
  if (!pack.available) return runners;
  for (const auto& action : pack.actions) {
    auto* runner = plugins.runnerFor(action.spec.runner_type);
    if (action.available && runner != nullptr &&
        std::find(runners.begin(), runners.end(), runner) == runners.end()) {
      runners.push_back(runner);
    }
  }
  return runners;
}

sdk::Status PackPreparation::prepareNow(const PackEntry& pack, const PluginSet& plugins) {
  for (auto* runner : runnersOf(pack, plugins)) {
    if (auto status = prepareFor(*runner, pack.spec); !status.ok()) return status;
  }
  return sdk::Status::success();
}

PackPreparation::PackPreparation(std::shared_ptr<const PackCatalog> catalog,
                                 const PluginSet& plugins, sdk::Logger& log,
                                 std::function<void(std::size_t failures)> on_failure)
    : catalog_(std::move(catalog)), plugins_(plugins), log_(log),
      on_failure_(std::move(on_failure)) {
  for (const auto& pack : catalog_->packs()) {
    for (auto* runner : runnersOf(pack, plugins_)) {
      Key key{pack.spec.path, runner};
      progress_[key] = {};
      work_.emplace_back(key, &pack.spec);
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
    const sdk::Status prepared = prepareFor(*key.second, *pack);
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
               "pack " + pack->ref + " could not be prepared: " + prepared.message());
      if (on_failure_) on_failure_(failures);
    }
  }
}

PreparationProgress PackPreparation::progress(const std::string& pack_path,
                                              const std::string& runner_type) const {
  std::lock_guard lock(mutex_);
  auto it = progress_.find({pack_path, plugins_.runnerFor(runner_type)});
  // Nothing to prepare (no runner, or the action is unavailable anyway) counts as ready.
  return it == progress_.end() ? PreparationProgress{PreparationState::ready, ""} : it->second;
}

PreparationProgress PackPreparation::packProgress(const std::string& pack_path) const {
  std::lock_guard lock(mutex_);
  PreparationProgress overall{PreparationState::ready, ""};
  for (const auto& [key, progress] : progress_) {
    if (key.first != pack_path) continue;
    if (progress.state == PreparationState::failed) return progress;
    if (progress.state == PreparationState::building) overall = progress;
  }
  return overall;
}

}  // namespace rivet::core
