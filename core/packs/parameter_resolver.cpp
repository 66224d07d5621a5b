#include "packs/parameter_resolver.hpp"

#include <algorithm>

#include "packs/parameter_schema.hpp"

namespace rivet::core {
namespace {

const sdk::ParameterSpec* findParameter(const sdk::ActionSpec& action, const std::string& name) {
  auto found = std::find_if(action.parameters.begin(), action.parameters.end(),
                            [&name](const sdk::ParameterSpec& p) { return p.name == name; });
  return found == action.parameters.end() ? nullptr : &*found;
}

// Why a given value is refused, or nothing when it is accepted.
std::optional<std::string> refusal(const sdk::ParameterSpec& parameter,
                                   const nlohmann::json& value) {
  if (parameter.immutable) return "is immutable and cannot be set by a request";
  if (auto mismatch = typeMismatch(parameter.type, value)) return mismatch;
  return enumMismatch(parameter, value);
}

}  // namespace

std::variant<nlohmann::json, std::vector<ParameterError>> resolveParameters(
    const sdk::ActionSpec& action, const nlohmann::json& requested) {
  if (!requested.is_object()) {
    return std::vector<ParameterError>{
        {"", "parameters must be a JSON object, got " + std::string(requested.type_name())}};
  }
  nlohmann::json resolved = nlohmann::json::object();
  std::vector<ParameterError> errors;

  for (const sdk::ParameterSpec& parameter : action.parameters) {
    auto given = requested.find(parameter.name);
    if (given != requested.end()) {
      if (auto why = refusal(parameter, *given)) {
        errors.push_back({parameter.name, *why});
      } else {
        resolved[parameter.name] = *given;
      }
    } else if (parameter.default_value) {
      resolved[parameter.name] = *parameter.default_value;
    } else if (parameter.required) {
      errors.push_back({parameter.name, "is required"});
    }
  }

  for (const auto& [name, value] : requested.items()) {
    if (findParameter(action, name)) continue;
    errors.push_back({name, findRunnerParameter(name)
                                ? "is fixed by the pack and cannot be set by a request"
                                : "is not a parameter of " + action.ref()});
  }

  if (!errors.empty()) return errors;
  return resolved;
}

nlohmann::json redactSecrets(const sdk::ActionSpec& action, const nlohmann::json& values) {
  nlohmann::json redacted = values;
  if (!redacted.is_object()) return redacted;
  for (const sdk::ParameterSpec& parameter : action.parameters) {
    if (parameter.secret && redacted.contains(parameter.name)) {
      redacted[parameter.name] = "********";
    }
  }
  return redacted;
}

}  // namespace rivet::core
