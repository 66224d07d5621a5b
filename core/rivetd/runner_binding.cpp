#include "rivetd/runner_binding.hpp"

#include <set>

namespace rivet::core {

void bindRunners(PackCatalog& catalog, const PluginSet& plugins) {
  for (auto& pack : catalog.packs()) {
    if (!pack.available) continue;
    std::set<sdk::Runner*> used;
    for (auto& action : pack.actions) {
      if (!action.available) continue;
      auto* runner = plugins.runnerFor(action.spec.runner_type);
      if (runner == nullptr) {
        action.available = false;
        action.error = "no loaded runner serves runner_type '" + action.spec.runner_type +
                       "' (add its plugin to [rivetd] plugins)";
        continue;
      }
      if (auto status = runner->checkAction(pack.spec, action.spec); !status.ok()) {
        action.available = false;
        action.error = status.message();
        continue;
      }
      used.insert(runner);
    }
    for (auto* runner : used) {
      auto prepared = runner->preparePack(pack.spec);
      if (prepared.ok()) continue;
      for (auto& action : pack.actions) {
        if (action.available && plugins.runnerFor(action.spec.runner_type) == runner) {
          action.available = false;
          action.error = "pack could not be prepared: " + prepared.message();
        }
      }
    }
  }
}

}  // namespace rivet::core
