// Reads one action metadata file (a pack's actions/<name>.yaml, StackStorm format) into an
// ActionSpec: required fields, parameters and their types, runner parameters, entry point.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <rivet/sdk/types.hpp>
#include <string>

namespace rivet::core {

// Fills spec (whose pack is already set) from the file's root node. pack_dir is the pack's
// canonical directory; the entry point must resolve inside it. Throws MetadataError on the
// first thing it refuses; spec then keeps what was read so far, the name first, so the
// catalog can still list the action under its declared name.
void readActionMetadata(const YAML::Node& root, const std::filesystem::path& pack_dir,
                        sdk::ActionSpec& spec);

}  // namespace rivet::core
