#include "packs/parameter_schema.hpp"

#include <algorithm>
#include <array>

namespace rivet::core {
namespace {

using sdk::ParameterType;

constexpr std::array kAllTypes = {
    ParameterType::string, ParameterType::integer, ParameterType::number, ParameterType::boolean,
    ParameterType::array,  ParameterType::object,  ParameterType::null};

constexpr std::array<RunnerParameter, 7> kRunnerParameters = {{
    {"cmd", ParameterType::string},
    {"cwd", ParameterType::string},
    {"env", ParameterType::object},
    {"timeout", ParameterType::integer},
    {"sudo", ParameterType::boolean},
    {"sudo_password", ParameterType::string},
    {"kwarg_op", ParameterType::string},
}};

std::string_view jsonTypeName(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::string:
      return "string";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return "integer";
    case nlohmann::json::value_t::number_float:
      return "number";
    case nlohmann::json::value_t::boolean:
      return "boolean";
    case nlohmann::json::value_t::array:
      return "array";
    case nlohmann::json::value_t::object:
      return "object";
    case nlohmann::json::value_t::null:
      return "null";
    default:
      return "unsupported value";
  }
}

bool hasType(ParameterType type, const nlohmann::json& value) {
  switch (type) {
    case ParameterType::string:
      return value.is_string();
    case ParameterType::integer:
      return value.is_number_integer();
    case ParameterType::number:
      return value.is_number();
    case ParameterType::boolean:
      return value.is_boolean();
    case ParameterType::array:
      return value.is_array();
    case ParameterType::object:
      return value.is_object();
    case ParameterType::null:
      return value.is_null();
  }
  return false;
}

// Strings without quotes, so "must be one of: a, b" reads naturally.
std::string displayValue(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

std::string parameterTypeNames() {
  std::string names;
  for (ParameterType type : kAllTypes) {
    if (!names.empty()) names += ", ";
    names += sdk::toString(type);
  }
  return names;
}

std::optional<std::string> typeMismatch(ParameterType type, const nlohmann::json& value) {
  if (hasType(type, value)) return std::nullopt;
  std::string message =
      "expected " + std::string(sdk::toString(type)) + ", got " + std::string(jsonTypeName(value));
  // 3.0 looks like an integer to a person; say why it is refused.
  if (type == ParameterType::integer && value.is_number_float()) {
    message += " " + value.dump() + " (an integer is written without a decimal point)";
  }
  return message;
}

std::optional<std::string> enumMismatch(const sdk::ParameterSpec& parameter,
                                        const nlohmann::json& value) {
  const auto& allowed = parameter.enum_values;
  if (allowed.empty() || std::find(allowed.begin(), allowed.end(), value) != allowed.end()) {
    return std::nullopt;
  }
  std::string message = "must be one of: ";
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    if (i > 0) message += ", ";
    message += displayValue(allowed[i]);
  }
  return message;
}

const RunnerParameter* findRunnerParameter(std::string_view name) {
  auto found = std::find_if(kRunnerParameters.begin(), kRunnerParameters.end(),
                            [name](const RunnerParameter& runner) { return runner.name == name; });
  return found == kRunnerParameters.end() ? nullptr : &*found;
}

}  // namespace rivet::core
