#include "rivetd/runner_binding.hpp"

namespace rivet::core {

void bindRunners(PackCatalog& catalog, const PluginSet& plugins) {
  for (auto& pack : catalog.packs()) bindRunners(pack, plugins);
}

void bindRunners(PackEntry& pack, const PluginSet& plugins) {
  if (!pack.available) return;
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
    }
  }
}

}  // namespace rivet::core
