// A pack's config: what StackStorm actions see as self.config. StackStorm keeps it in
// /opt/stackstorm/configs/<pack>.yaml; Rivet reads config.yaml in the pack's own directory.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "rivet/sdk/status.hpp"

namespace rivet::plugins::python_venv {

inline constexpr const char* kPackConfigFile = "config.yaml";

// <pack_dir>/config.yaml as a JSON object: {} when the file is absent or empty; unprocessable
// when it is not valid YAML or not a mapping. Scalars are typed as PyYAML types them (YAML 1.1
// booleans yes/no/on/off included), as StackStorm would hand them to the action.
sdk::StatusOr<nlohmann::json> readPackConfig(const std::string& pack_dir);

}  // namespace rivet::plugins::python_venv
