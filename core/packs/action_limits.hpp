// Resource caps an action asks for in its metadata, under Rivet's own key (StackStorm ignores
// it):
//   rivet:
//     limits: {memory: 256M, cpu: 0.5, pids: 64}
// They can only tighten the sandbox's configured caps (the sandbox takes the tighter of each).
#pragma once

#include <yaml-cpp/yaml.h>

#include "rivet/sdk/types.hpp"

namespace rivet::core {

// The limits under `rivet.limits` of an action's metadata (none set when absent). Throws
// MetadataError on an unknown key or a value out of range.
sdk::ResourceLimits readActionLimits(const YAML::Node& action);

}  // namespace rivet::core
