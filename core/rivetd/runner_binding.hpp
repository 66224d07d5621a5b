// Connects the pack catalog to the loaded runners: an action whose runner type no plugin
// serves, that its runner rejects, or whose pack its runner cannot prepare becomes
// unavailable with the reason, and every other action stays runnable.
#pragma once

#include "packs/pack_catalog.hpp"
#include "plugin_host/plugin_set.hpp"

namespace rivet::core {

void bindRunners(PackCatalog& catalog, const PluginSet& plugins);

}  // namespace rivet::core
