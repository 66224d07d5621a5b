#include "shell_runner.hpp"

#include <unistd.h>

#include <array>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "rivet/runner_support/argument_convention.hpp"
#include "rivet/runner_support/runner_parameters.hpp"
#include "rivet/sdk/config_reader.hpp"

namespace rivet::plugins::shell {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using runner_support::actionEnvironment;
using runner_support::checkRunnerParameters;
using runner_support::namedPrefix;
using runner_support::parameterArguments;
using runner_support::workingDirectory;

constexpr std::array<sdk::ConfigKeySpec, 2> kConfigKeys{{
    {"shell", "path", "/bin/sh", "POSIX shell that runs local-shell-cmd commands (as `shell -c`)"},
    {"bash", "path", "/bin/bash",
     "bash that runs local-shell-script scripts lacking a shebang or the executable bit"},
}};

constexpr int kDefaultTimeoutSeconds = 60;

sdk::Status unprocessable(const sdk::ActionSpec& action, const std::string& message) {
  return {sdk::ErrorCode::unprocessable, action.ref() + ": " + message};
}

bool isExecutableFile(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

bool startsWithShebang(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::array<char, 2> head{};
  return file.read(head.data(), head.size()) && head[0] == '#' && head[1] == '!';
}

// A script is executed directly only when the kernel can do it: executable and with a shebang.
// Anything else (no +x, as happens when a pack is copied without modes; no shebang) runs as
// `bash <script>`, which is what such scripts are almost always written for.
bool runsDirectly(const std::string& script) {
  return isExecutableFile(script) && startsWithShebang(script);
}

}  // namespace

sdk::Status ShellRunner::configure(const sdk::PluginContext& context) {
  const sdk::ConfigReader reader("shell", context.config, kConfigKeys);
  std::array<std::string, kConfigKeys.size()> paths;
  for (std::size_t i = 0; i < kConfigKeys.size(); ++i) {
    const auto& key = kConfigKeys[i];
    paths[i] = reader.text(key.name);
    if (paths[i].empty() || paths[i].front() != '/') {
      return {sdk::ErrorCode::invalid_argument, std::string("shell: `") + key.name +
                                                    "` must be an absolute path, got \"" +
                                                    paths[i] + "\""};
    }
    if (!isExecutableFile(paths[i]) && context.logger != nullptr) {
      context.logger->log(sdk::LogLevel::warning,
                          std::string("shell: `") + key.name + "` " + paths[i] +
                              " is not an executable file; actions needing it will be unavailable");
    }
  }
  shell_ = std::move(paths[0]);  // the order of kConfigKeys
  bash_ = std::move(paths[1]);
  return sdk::Status::success();
}

std::vector<std::string> ShellRunner::runnerTypes() const {
  return {kScriptRunnerType, kCmdRunnerType};
}

int ShellRunner::defaultTimeoutSeconds(const std::string& /*runner_type*/) const {
  return kDefaultTimeoutSeconds;
}

sdk::Status ShellRunner::checkAction(const sdk::PackSpec& /*pack*/,
                                     const sdk::ActionSpec& action) const {
  try {
    if (auto status = checkRunnerParameters(action); !status.ok()) return status;
    if (action.runner_type == kScriptRunnerType) return checkScript(action);
    if (action.runner_type == kCmdRunnerType) return checkCmd(action);
    return unprocessable(action, "runner type `" + action.runner_type + "` is not served by shell");
  } catch (const std::exception& e) {
    return {sdk::ErrorCode::internal, action.ref() + ": " + e.what()};
  }
}

sdk::Status ShellRunner::checkScript(const sdk::ActionSpec& action) const {
  const std::string& script = action.entry_point_path;
  if (script.empty()) {
    return unprocessable(action, "local-shell-script action needs an `entry_point`");
  }
  std::error_code ec;
  if (!fs::is_regular_file(script, ec) || ::access(script.c_str(), R_OK) != 0) {
    return unprocessable(action, "entry point " + script + " is not a readable regular file");
  }
  if (!runsDirectly(script) && !isExecutableFile(bash_)) {
    return {sdk::ErrorCode::unavailable, action.ref() + ": " + script +
                                             " is not an executable script with a shebang and " +
                                             bash_ + " (config key `bash`) is missing"};
  }
  return sdk::Status::success();
}

sdk::Status ShellRunner::checkCmd(const sdk::ActionSpec& action) const {
  auto cmd = action.runner_parameters.find("cmd");
  if (cmd == action.runner_parameters.end() || !cmd->is_string() ||
      cmd->get_ref<const std::string&>().empty()) {
    return unprocessable(action,
                         "local-shell-cmd action needs a fixed `cmd` in its metadata parameters "
                         "(default, immutable)");
  }
  if (!isExecutableFile(shell_)) {
    return {sdk::ErrorCode::unavailable,
            action.ref() + ": " + shell_ + " (config key `shell`) is not an executable file"};
  }
  return sdk::Status::success();
}

sdk::StatusOr<sdk::LaunchPlan> ShellRunner::plan(const sdk::LaunchRequest& request) const {
  try {
    return buildPlan(request);
  } catch (const std::exception& e) {
    return sdk::Status(sdk::ErrorCode::internal,
                       request.action.ref() + ": cannot build the launch plan: " + e.what());
  }
}

sdk::StatusOr<sdk::LaunchPlan> ShellRunner::buildPlan(const sdk::LaunchRequest& request) const {
  const sdk::ActionSpec& action = request.action;
  const json& runner = action.runner_parameters;
  sdk::LaunchPlan plan;

  if (action.runner_type == kScriptRunnerType) {
    if (!runsDirectly(action.entry_point_path)) plan.argv.push_back(bash_);
    plan.argv.push_back(action.entry_point_path);
  } else if (action.runner_type == kCmdRunnerType) {
    auto cmd = runner.find("cmd");
    if (cmd == runner.end() || !cmd->is_string()) {
      return sdk::Status(sdk::ErrorCode::unprocessable,
                         action.ref() + ": local-shell-cmd action has no fixed `cmd`");
    }
    // `sh -c CMD NAME ARGS...`: NAME becomes $0 and ARGS "$@"; CMD is the pack's text only.
    plan.argv = {shell_, "-c", cmd->get<std::string>(), "rivet-" + action.name};
  } else {
    return sdk::Status(
        sdk::ErrorCode::unprocessable,
        action.ref() + ": runner type `" + action.runner_type + "` is not served by shell");
  }

  for (auto& argument :
       parameterArguments(action.parameters, request.parameters, namedPrefix(action))) {
    plan.argv.push_back(std::move(argument));
  }
  plan.env = actionEnvironment(request);
  plan.working_dir = workingDirectory(request);
  return plan;
}

}  // namespace rivet::plugins::shell

RIVET_PLUGIN(rivet::plugins::shell::ShellRunner, rivet::sdk::PluginKind::runner, "shell", "0.1.0",
             rivet::plugins::shell::kConfigKeys)
