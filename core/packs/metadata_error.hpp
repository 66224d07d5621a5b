// How the metadata readers report content they refuse. It never leaves core/packs: the catalog
// catches it and turns it into an unavailable pack or action whose reason names the file.
#pragma once

#include "rivet/runner_support/yaml_json.hpp"

namespace rivet::core {

// Pack metadata errors are YAML errors with a position; the reading code is shared with the
// runners (sdk/runner_support).
using MetadataError = runner_support::YamlError;
using runner_support::describeAt;
using runner_support::loadYamlFile;
using runner_support::yamlToJson;

}  // namespace rivet::core
