// Turns command-line parameters ("name=value", or "name:=JSON" like httpie) into the
// `parameters` object of POST /v1/executions, typing each value by the action's declaration.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rivet/sdk/status.hpp"

namespace rivet::client {

// `action` is an Action as GET /v1/actions/{ref} returns it. "name=value" becomes, by the
// declared type: integer and number → a JSON number, boolean → true/false, array → the value
// if it is a JSON array, else its comma-separated items as strings, object → the value, which
// must be a JSON object; anything else → a string. A value that does not fit its type (and an
// undeclared name) is sent as a string, so the server's 422 names the problem in one place.
// "name:=JSON" sends the JSON as given. Fails with invalid_argument on a malformed argument, a
// name given twice, bad JSON after ":=" or a non-JSON object value.
rivet::sdk::StatusOr<nlohmann::json> parameterArguments(const std::vector<std::string>& arguments,
                                                        const nlohmann::json& action);

}  // namespace rivet::client
