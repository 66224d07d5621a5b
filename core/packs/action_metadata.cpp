#include "packs/action_metadata.hpp"

#include <algorithm>
#include <regex>
#include <set>
#include <system_error>

#include "packs/action_limits.hpp"
#include "packs/metadata_error.hpp"
#include "packs/metadata_fields.hpp"
#include "packs/parameter_schema.hpp"

namespace rivet::core {
namespace {

namespace fs = std::filesystem;

// Everything else a JSON Schema may say (pattern, minimum, items, ...) is refused rather than
// ignored: a pack author must not believe a constraint is enforced when it is not.
const std::set<std::string> kParameterKeys = {"type", "description", "required", "default",
                                              "enum", "position",    "secret",   "immutable"};

std::string inQuotes(const std::string& text) { return "'" + text + "'"; }

void checkKeys(const YAML::Node& definition) {
  for (const auto& entry : definition) {
    const std::string key = entry.first.Scalar();
    if (!kParameterKeys.contains(key)) {
      throw MetadataError(
          inQuotes(key) + " is not supported (Rivet checks type, enum and required)",
          entry.first.Mark());
    }
  }
}

// A value given in the metadata (a default, an enum entry) must fit the declared type.
nlohmann::json typedValue(const std::string& what, sdk::ParameterType type,
                          const YAML::Node& node) {
  nlohmann::json value = yamlToJson(node);
  if (auto mismatch = typeMismatch(type, value)) {
    throw MetadataError(what + " " + value.dump() + " does not fit its type: " + *mismatch,
                        node.Mark());
  }
  return value;
}

std::optional<sdk::ParameterType> declaredType(const YAML::Node& definition) {
  auto text = textField(definition, "type");
  if (!text) return std::nullopt;
  auto type = sdk::parseParameterType(*text);
  if (!type) {
    throw MetadataError("type " + inQuotes(*text) + " is not one of " + parameterTypeNames(),
                        definition["type"].Mark());
  }
  return type;
}

// A runner parameter only contributes its default, to runner_parameters or timeout_seconds.
void readRunnerParameter(const RunnerParameter& runner, const YAML::Node& definition,
                         sdk::ActionSpec& spec) {
  checkKeys(definition);
  auto type = declaredType(definition);
  if (type && *type != runner.type) {
    throw MetadataError("a runner parameter of type " + std::string(sdk::toString(runner.type)) +
                            ", not " + std::string(sdk::toString(*type)),
                        definition["type"].Mark());
  }
  if (runner.name == "timeout") {
    spec.timeout_seconds = integerField(definition, "default", 1);
  } else if (auto value = optionalField(definition, "default")) {
    spec.runner_parameters[std::string(runner.name)] = typedValue("default", runner.type, *value);
  }
}

sdk::ParameterSpec readParameter(const std::string& name, const YAML::Node& definition,
                                 std::set<int>& positions) {
  checkKeys(definition);
  sdk::ParameterSpec parameter;
  parameter.name = name;
  parameter.type = declaredType(definition).value_or(sdk::ParameterType::string);
  parameter.description = textField(definition, "description").value_or("");
  parameter.required = booleanField(definition, "required").value_or(false);
  parameter.secret = booleanField(definition, "secret").value_or(false);
  parameter.immutable = booleanField(definition, "immutable").value_or(false);

  if (auto values = optionalField(definition, "enum")) {
    if (!values->IsSequence() || values->size() == 0) {
      throw MetadataError("enum must be a non-empty list", values->Mark());
    }
    for (const auto& value : *values) {
      parameter.enum_values.push_back(typedValue("enum value", parameter.type, value));
    }
  }
  // `default: null` means no default, as it does in StackStorm.
  if (auto value = optionalField(definition, "default")) {
    parameter.default_value = typedValue("default", parameter.type, *value);
    if (auto mismatch = enumMismatch(parameter, *parameter.default_value)) {
      throw MetadataError("default " + parameter.default_value->dump() + " " + *mismatch,
                          value->Mark());
    }
  }
  if (parameter.immutable && !parameter.default_value) {
    throw MetadataError("immutable, so it needs a default", definition.Mark());
  }
  parameter.position = integerField(definition, "position", 0);
  if (parameter.position && !positions.insert(*parameter.position).second) {
    throw MetadataError("position " + std::to_string(*parameter.position) +
                            " is already taken by another parameter",
                        definition["position"].Mark());
  }
  return parameter;
}

void readParameters(const YAML::Node& action, sdk::ActionSpec& spec) {
  static const std::regex kName(R"(\w+)");
  auto parameters = optionalField(action, "parameters");
  if (!parameters) return;
  if (!parameters->IsMap()) {
    throw MetadataError("parameters must be a map of name to definition", parameters->Mark());
  }
  std::set<int> positions;
  for (const auto& entry : *parameters) {
    const std::string name = entry.first.Scalar();
    if (!entry.first.IsScalar() || !std::regex_match(name, kName)) {
      throw MetadataError("parameter name " + inQuotes(name) + " is not valid (letters, digits, _)",
                          entry.first.Mark());
    }
    if (!entry.second.IsMap()) {
      throw MetadataError("parameter " + inQuotes(name) + " must be a map (type, default, ...)",
                          entry.second.Mark());
    }
    try {
      if (const RunnerParameter* runner = findRunnerParameter(name)) {
        readRunnerParameter(*runner, entry.second, spec);
      } else {
        spec.parameters.push_back(readParameter(name, entry.second, positions));
      }
    } catch (const MetadataError& error) {
      throw MetadataError("parameter " + inQuotes(name) + ": " + error.what(), error.mark());
    }
  }
}

// StackStorm tags are maps with a name (and a value); a plain string is accepted too.
std::vector<std::string> readTags(const YAML::Node& action) {
  std::vector<std::string> tags;
  auto list = optionalField(action, "tags");
  if (!list) return tags;
  if (!list->IsSequence()) throw MetadataError("tags must be a list", list->Mark());
  for (const auto& tag : *list) {
    if (tag.IsScalar()) {
      tags.push_back(tag.Scalar());
    } else if (auto name = tag.IsMap() ? textField(tag, "name") : std::nullopt) {
      tags.push_back(*name);
    } else {
      throw MetadataError("a tag must be text or a map with a name", tag.Mark());
    }
  }
  return tags;
}

// Relative to actions/, resolved through symlinks, and inside the pack: an action can only
// ever run a file its pack ships.
std::string resolveEntryPoint(const std::string& entry_point, const fs::path& pack_dir,
                              const YAML::Mark& mark) {
  const fs::path written(entry_point);
  if (written.is_absolute()) {
    throw MetadataError("entry point " + inQuotes(entry_point) +
                            " must be relative to the pack's actions/ directory",
                        mark);
  }
  std::error_code error;
  const fs::path resolved = fs::weakly_canonical(pack_dir / "actions" / written, error);
  if (error) {
    throw MetadataError(
        "entry point " + inQuotes(entry_point) + " cannot be resolved: " + error.message(), mark);
  }
  auto inside = std::mismatch(pack_dir.begin(), pack_dir.end(), resolved.begin(), resolved.end());
  if (inside.first != pack_dir.end()) {
    throw MetadataError("entry point " + inQuotes(entry_point) + " escapes the pack", mark);
  }
  return resolved.string();
}

}  // namespace

void readActionMetadata(const YAML::Node& root, const fs::path& pack_dir, sdk::ActionSpec& spec) {
  static const std::regex kName("[A-Za-z0-9_][A-Za-z0-9_-]*");
  if (!root.IsMap()) throw MetadataError("must be a map (name, runner_type, ...)", root.Mark());
  // Fields are read from the YAML nodes (they carry line numbers), but yaml-cpp silently keeps
  // the first of two equal keys: the conversion refuses them anywhere in the file.
  yamlToJson(root);

  auto name = textField(root, "name");
  if (!name) throw MetadataError("name is required");
  if (!std::regex_match(*name, kName)) {
    throw MetadataError(
        "action name " + inQuotes(*name) + " is not valid (letters, digits, _ and -, no dots)",
        root["name"].Mark());
  }
  spec.name = *name;

  auto runner_type = textField(root, "runner_type");
  if (!runner_type || runner_type->empty()) throw MetadataError("runner_type is required");
  spec.runner_type = *runner_type;
  spec.description = textField(root, "description").value_or("");
  spec.enabled = booleanField(root, "enabled").value_or(true);
  spec.tags = readTags(root);
  spec.limits = readActionLimits(root);

  // Checked before parameters so a conflicting parameters.timeout can be reported.
  auto top_level_timeout = integerField(root, "timeout", 1);
  readParameters(root, spec);
  if (top_level_timeout) {
    if (spec.timeout_seconds) {
      throw MetadataError("timeout is given twice: at the top level and in parameters",
                          root["timeout"].Mark());
    }
    spec.timeout_seconds = top_level_timeout;
  }

  spec.entry_point = textField(root, "entry_point").value_or("");
  if (!spec.entry_point.empty()) {
    spec.entry_point_path =
        resolveEntryPoint(spec.entry_point, pack_dir, root["entry_point"].Mark());
  }
}

}  // namespace rivet::core
