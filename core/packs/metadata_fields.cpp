#include "packs/metadata_fields.hpp"

#include <limits>

#include "packs/metadata_error.hpp"

namespace rivet::core {

std::optional<YAML::Node> optionalField(const YAML::Node& map, const std::string& key) {
  YAML::Node value = map[key];
  if (!value.IsDefined() || value.IsNull()) return std::nullopt;
  return value;
}

std::optional<std::string> textField(const YAML::Node& map, const std::string& key) {
  auto value = optionalField(map, key);
  if (!value) return std::nullopt;
  if (!value->IsScalar()) throw MetadataError(key + " must be text", value->Mark());
  return value->Scalar();
}

std::optional<bool> booleanField(const YAML::Node& map, const std::string& key) {
  auto value = optionalField(map, key);
  if (!value) return std::nullopt;
  nlohmann::json converted = yamlToJson(*value);
  if (!converted.is_boolean()) {
    throw MetadataError(key + " must be true or false, got " + converted.dump(), value->Mark());
  }
  return converted.get<bool>();
}

std::optional<int> integerField(const YAML::Node& map, const std::string& key, int minimum) {
  auto value = optionalField(map, key);
  if (!value) return std::nullopt;
  nlohmann::json converted = yamlToJson(*value);
  if (!converted.is_number_integer() || converted.get<std::int64_t>() < minimum ||
      converted.get<std::int64_t>() > std::numeric_limits<int>::max()) {
    throw MetadataError(key + " must be an integer of at least " + std::to_string(minimum) +
                            ", got " + converted.dump(),
                        value->Mark());
  }
  return converted.get<int>();
}

}  // namespace rivet::core
