// Pack metadata is YAML on disk and JSON everywhere else (API, parameter values, storage).
// This is the one place that converts between them, so pack.yaml, parameter defaults and enum
// values are typed the same way.
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>

namespace rivet::core {

// Converts a YAML node to JSON. Plain scalars are typed by YAML 1.2's core schema, plus the
// YAML 1.1 booleans yes/no/on/off that PyYAML (and so StackStorm) reads, so an existing
// StackStorm pack means the same here:
//   null, ~, empty -> null;  true/false/yes/no/on/off (lower, Capitalised, UPPER) -> boolean;
//   123, -4, 0x1f, 0o17 -> integer (beyond 64 bits: number);  1.5, -2e3, .5 -> number.
// Quoted, block and !!str scalars stay strings, as does anything else (.inf and .nan too:
// JSON cannot hold them). Throws MetadataError on a non-scalar or duplicate map key and on
// nesting deeper than 64 levels (a self-referencing alias).
nlohmann::json yamlToJson(const YAML::Node& node);

// Reads a YAML file. Throws MetadataError if it cannot be read or is not valid YAML.
YAML::Node loadYamlFile(const std::string& path);

}  // namespace rivet::core
