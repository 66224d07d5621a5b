// Connects the pack catalog to the loaded runners: an action whose runner type no plugin
// serves, or that its runner rejects, becomes unavailable with the reason. (Preparing packs,
// which may take minutes, is PackPreparation's.)
#pragma once

#include "packs/pack_catalog.hpp"
#include "plugin_host/plugin_set.hpp"

namespace rivet::core {

void bindRunners(PackCatalog& catalog, const PluginSet& plugins);
void bindRunners(PackEntry& pack, const PluginSet& plugins);

}  // namespace rivet::core
