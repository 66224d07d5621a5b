// What a declared parameter accepts. The catalog uses it to check defaults and enum values when
// it reads a pack, the resolver to check request values, so both judge a value the same way.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <rivet/sdk/types.hpp>
#include <string>
#include <string_view>

namespace rivet::core {

// "string, integer, number, boolean, array, object, null", for messages.
std::string parameterTypeNames();

// Strict JSON typing: integer is a JSON integer (3.0 is not one), number is an integer or a
// float, boolean only true/false, and null only fits the null type. Returns why the value does
// not fit ("expected integer, got string"), or nothing when it does.
std::optional<std::string> typeMismatch(sdk::ParameterType type, const nlohmann::json& value);

// Returns "must be one of: a, b" when the parameter has an enum that lacks value.
std::optional<std::string> enumMismatch(const sdk::ParameterSpec& parameter,
                                        const nlohmann::json& value);

// StackStorm's runner parameters. A pack may fix them in an action's `parameters`; they are not
// action parameters and a request can never set them.
struct RunnerParameter {
  std::string_view name;
  sdk::ParameterType type;
};
const RunnerParameter* findRunnerParameter(std::string_view name);

}  // namespace rivet::core
