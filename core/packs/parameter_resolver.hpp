// Turns the parameters of an execution request into the values the runner gets, or into the
// complete list of what is wrong with them. Validation is about types, never content: a string
// may hold anything, because parameters reach scripts as separate argv entries, environment or
// stdin, never spliced into a command line.
#pragma once

#include <nlohmann/json.hpp>
#include <rivet/sdk/types.hpp>
#include <string>
#include <variant>
#include <vector>

namespace rivet::core {

struct ParameterError {
  std::string parameter;  // "" when the problem is the whole request (not an object)
  std::string message;
};

// requested must be a JSON object. On success: every provided parameter, checked against its
// declared type and enum; defaults for absent ones; absent optional parameters without a
// default left out. Otherwise every error, declared parameters first in metadata order, then
// undeclared names: unknown parameter, a runner parameter (fixed by the pack), an immutable
// parameter given, a wrong type, a value not in the enum, a required parameter absent.
std::variant<nlohmann::json, std::vector<ParameterError>> resolveParameters(
    const sdk::ActionSpec& action, const nlohmann::json& requested);

// A copy of values with every secret parameter's value replaced by "********", for history and
// logs.
nlohmann::json redactSecrets(const sdk::ActionSpec& action, const nlohmann::json& values);

}  // namespace rivet::core
