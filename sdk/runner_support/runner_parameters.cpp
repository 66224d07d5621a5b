#include "rivet/runner_support/runner_parameters.hpp"

#include <filesystem>

#include "rivet/runner_support/argument_convention.hpp"

namespace rivet::runner_support {
namespace {

using nlohmann::json;

sdk::Status unprocessable(const sdk::ActionSpec& action, const std::string& message) {
  return {sdk::ErrorCode::unprocessable, action.ref() + ": " + message};
}

bool isValidEnvName(const std::string& name) {
  return !name.empty() && name.find('=') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

bool isStringOrNull(const json& runner, const char* key) {
  auto it = runner.find(key);
  return it == runner.end() || it->is_string() || it->is_null();
}

}  // namespace

sdk::Status checkRunnerParameters(const sdk::ActionSpec& action) {
  const json& runner = action.runner_parameters;
  if (!runner.is_object()) return unprocessable(action, "runner parameters must be an object");
  for (const char* key : {"cwd", "kwarg_op"}) {
    if (!isStringOrNull(runner, key)) {
      return unprocessable(action, std::string("runner parameter `") + key + "` must be a string");
    }
  }
  if (auto it = runner.find("sudo"); it != runner.end() && it->is_boolean() && it->get<bool>()) {
    return unprocessable(action, "`sudo: true` is not supported: actions run as rivetd's user");
  }
  if (auto it = runner.find("env"); it != runner.end() && !it->is_null()) {
    if (!it->is_object()) {
      return unprocessable(action, "runner parameter `env` must be an object of strings");
    }
    for (const auto& [name, value] : it->items()) {
      if (!isValidEnvName(name)) {
        return unprocessable(action, "runner parameter `env` has an invalid name `" + name + "`");
      }
      if (!value.is_string()) {
        return unprocessable(action,
                             "runner parameter `env` value of `" + name + "` must be a string");
      }
    }
  }
  if (auto status = checkPositions(action.parameters); !status.ok()) {
    return unprocessable(action, status.message());
  }
  return sdk::Status::success();
}

std::string namedPrefix(const sdk::ActionSpec& action) {
  const json& runner = action.runner_parameters;
  auto it = runner.find("kwarg_op");
  return it != runner.end() && it->is_string() ? it->get<std::string>()
                                               : std::string(kDefaultNamedPrefix);
}

std::string workingDirectory(const sdk::LaunchRequest& request) {
  const json& runner = request.action.runner_parameters;
  auto it = runner.find("cwd");
  if (it == runner.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return request.pack.path;
  }
  const std::filesystem::path cwd = it->get<std::string>();
  return cwd.is_absolute()
             ? cwd.string()
             : (std::filesystem::path(request.pack.path) / cwd).lexically_normal().string();
}

std::map<std::string, std::string> actionEnvironment(const sdk::LaunchRequest& request) {
  std::map<std::string, std::string> env;
  const json& runner = request.action.runner_parameters;
  // Filtered again although checkRunnerParameters() refuses such entries: a plan must never
  // carry a variable the host cannot set.
  if (auto pack_env = runner.find("env"); pack_env != runner.end() && pack_env->is_object()) {
    for (const auto& [name, value] : pack_env->items()) {
      if (value.is_string() && isValidEnvName(name)) env[name] = value.get<std::string>();
    }
  }
  env["ST2_ACTION_PACK_NAME"] = request.pack.ref;
  env["ST2_ACTION_EXECUTION_ID"] = request.execution_id;
  env["RIVET_ACTION_PACK"] = request.pack.ref;
  env["RIVET_ACTION_NAME"] = request.action.name;
  env["RIVET_EXECUTION_ID"] = request.execution_id;
  return env;
}

}  // namespace rivet::runner_support
