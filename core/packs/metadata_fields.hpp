// Typed access to the fields of a metadata map (pack.yaml, action files), each refusal naming
// the field and pointing at its line.
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace rivet::core {

// The node under key, or nothing when the key is absent or its value is null.
std::optional<YAML::Node> optionalField(const YAML::Node& map, const std::string& key);

// The text of a scalar field (a number or boolean keeps its text as written, so `version: 1.10`
// stays "1.10"). Throws MetadataError when the value is a list or a map.
std::optional<std::string> textField(const YAML::Node& map, const std::string& key);
std::optional<bool> booleanField(const YAML::Node& map, const std::string& key);
// An integer that fits an int and is at least minimum.
std::optional<int> integerField(const YAML::Node& map, const std::string& key, int minimum);

}  // namespace rivet::core
