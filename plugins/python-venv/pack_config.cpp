#include "pack_config.hpp"

#include <filesystem>

#include "rivet/runner_support/yaml_json.hpp"

namespace rivet::plugins::python_venv {

sdk::StatusOr<nlohmann::json> readPackConfig(const std::string& pack_dir) {
  const std::filesystem::path file = std::filesystem::path(pack_dir) / kPackConfigFile;
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return nlohmann::json::object();
  try {
    auto config = runner_support::yamlToJson(runner_support::loadYamlFile(file.string()));
    if (config.is_null()) return nlohmann::json::object();
    if (!config.is_object()) {
      return sdk::Status(sdk::ErrorCode::unprocessable,
                         file.string() + ": must be a mapping of config keys");
    }
    return config;
  } catch (const runner_support::YamlError& error) {
    return sdk::Status(sdk::ErrorCode::unprocessable, runner_support::describeAt(file.string(), error));
  }
}

}  // namespace rivet::plugins::python_venv
