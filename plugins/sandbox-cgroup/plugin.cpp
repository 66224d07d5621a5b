// Exports sandbox-cgroup to the host: its descriptor and factory.
#include "rivet/sdk/plugin.hpp"

#include "cgroup_sandbox.hpp"
#include "sandbox_config.hpp"

using rivet::plugins::sandbox_cgroup::kConfigKeys;

RIVET_PLUGIN(rivet::plugins::sandbox_cgroup::CgroupSandbox, rivet::sdk::PluginKind::sandbox,
             "sandbox-cgroup", "0.1.0", kConfigKeys)
