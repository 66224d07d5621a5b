#include "interpreter_runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "rivet/runner_support/argument_convention.hpp"
#include "rivet/runner_support/runner_parameters.hpp"
#include "rivet/sdk/config_reader.hpp"
#include "shebang.hpp"

namespace rivet::plugins::interpreter_generic {
namespace {

namespace fs = std::filesystem;

constexpr std::array<sdk::ConfigKeySpec, 2> kConfigKeys{{
    {"allow", "list", "perl, ruby, node, python3, php, groovy, Rscript, lua, tclsh",
     "Interpreters an action's shebang may name, by file name; a name also allows its "
     "versioned forms (python3 allows python3.11, perl allows perl5.36.0)"},
    {"path", "string", "/usr/local/bin:/usr/bin:/bin",
     "Absolute directories, colon-separated, where `#!/usr/bin/env NAME` looks NAME up"},
}};

constexpr int kDefaultTimeoutSeconds = 60;

sdk::Status invalidConfig(const std::string& message) {
  return {sdk::ErrorCode::invalid_argument, "interpreter-generic: " + message};
}

// The entries of a `separator`-separated list, blanks trimmed, empty entries kept (so that a
// stray "::" in `path` is refused rather than read as the current directory).
std::vector<std::string> splitList(const std::string& text, char separator) {
  std::vector<std::string> entries;
  std::string::size_type start = 0;
  for (;;) {
    const auto end = text.find(separator, start);
    std::string entry = text.substr(start, end == std::string::npos ? end : end - start);
    const auto first = entry.find_first_not_of(" \t");
    entries.push_back(first == std::string::npos
                          ? std::string()
                          : entry.substr(first, entry.find_last_not_of(" \t") - first + 1));
    if (end == std::string::npos) return entries;
    start = end + 1;
  }
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
}

bool isExecutableFile(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

sdk::Status checkRunnerType(const sdk::ActionSpec& action) {
  if (action.runner_type == kRunnerType) return sdk::Status::success();
  return {sdk::ErrorCode::unprocessable, action.ref() + ": runner type `" + action.runner_type +
                                             "` is not served by interpreter-generic"};
}

// At most the bytes the kernel would read for the shebang.
std::string readHead(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::string head(kShebangBytes, '\0');
  file.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(file.gcount()));
  return head;
}

}  // namespace

sdk::Status InterpreterRunner::configure(const sdk::PluginContext& context) {
  const sdk::ConfigReader reader("interpreter-generic", context.config, kConfigKeys);
  std::vector<std::string> allow;
  for (auto& name : reader.list("allow")) {
    if (name.find_first_of("/ \t") != std::string::npos) {
      return invalidConfig("`allow` entry \"" + name +
                           "\" must be an interpreter's file name, without '/' or blanks");
    }
    allow.push_back(std::move(name));
  }
  std::vector<std::string> path;
  for (auto& dir : splitList(reader.text("path"), ':')) {
    if (dir.empty() || dir.front() != '/') {
      return invalidConfig("`path` entry \"" + dir + "\" must be an absolute directory");
    }
    path.push_back(std::move(dir));
  }
  if (allow.empty() && context.logger != nullptr) {
    context.logger->log(sdk::LogLevel::warning,
                        "interpreter-generic: `allow` is empty; every interpreter-script action "
                        "will be unavailable");
  }
  allow_ = std::move(allow);
  path_ = std::move(path);
  return sdk::Status::success();
}

std::vector<std::string> InterpreterRunner::runnerTypes() const { return {kRunnerType}; }

int InterpreterRunner::defaultTimeoutSeconds(const std::string& /*runner_type*/) const {
  return kDefaultTimeoutSeconds;
}

bool InterpreterRunner::isAllowed(const std::string& name) const {
  return std::any_of(allow_.begin(), allow_.end(),
                     [&name](const std::string& allowed) { return matchesAllowed(name, allowed); });
}

sdk::Status InterpreterRunner::checkAction(const sdk::PackSpec& /*pack*/,
                                           const sdk::ActionSpec& action) const {
  try {
    if (auto status = checkRunnerType(action); !status.ok()) return status;
    if (auto status = runner_support::checkRunnerParameters(action); !status.ok()) return status;
    auto interpreter = resolveInterpreter(action);
    return interpreter.ok() ? sdk::Status::success() : interpreter.status();
  } catch (const std::exception& e) {
    return {sdk::ErrorCode::internal, action.ref() + ": " + e.what()};
  }
}

sdk::StatusOr<Interpreter> InterpreterRunner::resolveInterpreter(
    const sdk::ActionSpec& action) const {
  const std::string& script = action.entry_point_path;
  if (script.empty()) {
    return sdk::Status(sdk::ErrorCode::unprocessable,
                       action.ref() + ": interpreter-script action needs an `entry_point`");
  }
  std::error_code ec;
  if (!fs::is_regular_file(script, ec) || ::access(script.c_str(), R_OK) != 0) {
    return sdk::Status(sdk::ErrorCode::unprocessable, action.ref() + ": entry point " + script +
                                                          " is not a readable regular file");
  }
  const std::string shown = action.entry_point.empty() ? script : action.entry_point;
  auto shebang = parseShebang(readHead(script));
  if (!shebang.ok()) {
    return sdk::Status(shebang.status().code(),
                       action.ref() + ": " + shown + ": " + shebang.status().message());
  }

  const std::string name = shebang->looked_up ? shebang->interpreter
                                              : fs::path(shebang->interpreter).filename().string();
  const std::string origin = " (from the shebang of " + shown + ")";
  if (!isAllowed(name)) {
    return sdk::Status(sdk::ErrorCode::unprocessable,
                       action.ref() + ": interpreter '" + name + "'" + origin +
                           " is not on [interpreter-generic] allow (" +
                           (allow_.empty() ? "empty" : join(allow_, ", ")) + ")");
  }

  Interpreter interpreter{.path = {}, .args = std::move(shebang->args)};
  if (shebang->looked_up) {
    for (const auto& dir : path_) {
      if (const fs::path candidate = fs::path(dir) / name; isExecutableFile(candidate)) {
        interpreter.path = candidate.string();
        break;
      }
    }
    if (interpreter.path.empty()) {
      return sdk::Status(sdk::ErrorCode::unavailable,
                         action.ref() + ": interpreter '" + name + "'" + origin +
                             " is not installed: not found in [interpreter-generic] path (" +
                             join(path_, ":") + ")");
    }
  } else {
    interpreter.path = std::move(shebang->interpreter);
    if (!fs::exists(interpreter.path, ec)) {
      return sdk::Status(
          sdk::ErrorCode::unavailable,
          action.ref() + ": interpreter " + interpreter.path + origin + " is not installed");
    }
    if (!isExecutableFile(interpreter.path)) {
      return sdk::Status(sdk::ErrorCode::unavailable, action.ref() + ": interpreter " +
                                                          interpreter.path + origin +
                                                          " is not an executable file");
    }
  }
  return interpreter;
}

sdk::StatusOr<sdk::LaunchPlan> InterpreterRunner::plan(const sdk::LaunchRequest& request) const {
  try {
    return buildPlan(request);
  } catch (const std::exception& e) {
    return sdk::Status(sdk::ErrorCode::internal,
                       request.action.ref() + ": cannot build the launch plan: " + e.what());
  }
}

sdk::StatusOr<sdk::LaunchPlan> InterpreterRunner::buildPlan(
    const sdk::LaunchRequest& request) const {
  const sdk::ActionSpec& action = request.action;
  if (auto status = checkRunnerType(action); !status.ok()) return status;
  auto interpreter = resolveInterpreter(action);
  if (!interpreter.ok()) return interpreter.status();

  sdk::LaunchPlan plan;
  plan.argv.push_back(std::move(interpreter->path));
  for (auto& arg : interpreter->args) plan.argv.push_back(std::move(arg));
  plan.argv.push_back(action.entry_point_path);
  for (auto& argument : runner_support::parameterArguments(action.parameters, request.parameters,
                                                           runner_support::namedPrefix(action))) {
    plan.argv.push_back(std::move(argument));
  }
  plan.env = runner_support::actionEnvironment(request);
  plan.working_dir = runner_support::workingDirectory(request);
  return plan;
}

}  // namespace rivet::plugins::interpreter_generic

RIVET_PLUGIN(rivet::plugins::interpreter_generic::InterpreterRunner, rivet::sdk::PluginKind::runner,
             "interpreter-generic", "0.1.0", rivet::plugins::interpreter_generic::kConfigKeys)
