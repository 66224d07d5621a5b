// Prepares packs for their runners (a virtualenv per pack, say) in the background, one thread
// per runner, so rivetd serves at once and a slow pip install delays only the packs of that
// runner, in catalog order. An action
// can run once its pack is ready for its runner; until then it shows as `building`, and if
// preparing failed, as unavailable with the runner's message.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "packs/pack_catalog.hpp"
#include "plugin_host/plugin_set.hpp"

namespace rivet::core {

enum class PreparationState { building, ready, failed };

std::string_view toString(PreparationState state);

struct PreparationProgress {
  PreparationState state = PreparationState::building;
  std::string error;                       // the runner's message when failed
};

class PackPreparation {
 public:
  // Starts preparing every available pack for each runner its available actions use.
  // `on_failure` is called (from a preparing thread) after each failure.
  PackPreparation(std::shared_ptr<const PackCatalog> catalog, const PluginSet& plugins,
                  sdk::Logger& log, std::function<void(std::size_t failures)> on_failure = {});
  PackPreparation(const PackPreparation&) = delete;
  PackPreparation& operator=(const PackPreparation&) = delete;
  // Waits for the preparation under way (a runner's preparePack cannot be interrupted) and
  // skips the rest.
  ~PackPreparation();

  // By the pack's directory: a pack delivered later (pack sync) is another directory, prepared
  // before it is listed (prepareNow), so it has no entry here and counts as ready.
  PreparationProgress progress(const std::string& pack_path, const std::string& runner_type) const;
  // The pack as a whole: failed if preparing it failed for a runner, building while any runner
  // is still at it, else ready.
  PreparationProgress packProgress(const std::string& pack_path) const;

  // The runners the pack's available actions use, each once, in the actions' order.
  static std::vector<sdk::Runner*> runnersOf(const PackEntry& pack, const PluginSet& plugins);
  // Prepares `pack` for each of its runners on the calling thread; the first failure stops.
  static sdk::Status prepareNow(const PackEntry& pack, const PluginSet& plugins);

 private:
  using Key = std::pair<std::string, sdk::Runner*>;  // pack path, runner

  void run(sdk::Runner* runner);

  std::shared_ptr<const PackCatalog> catalog_;
  const PluginSet& plugins_;
  sdk::Logger& log_;
  std::function<void(std::size_t)> on_failure_;

  mutable std::mutex mutex_;
  std::vector<std::pair<Key, const sdk::PackSpec*>> work_;
  std::map<Key, PreparationProgress> progress_;
  std::size_t failures_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace rivet::core
