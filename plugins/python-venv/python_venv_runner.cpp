#include "python_venv_runner.hpp"

#include <chrono>
#include <exception>
#include <fstream>
#include <iterator>

#include "pack_config.hpp"
#include "rivet/runner_support/argument_convention.hpp"
#include "rivet/runner_support/runner_parameters.hpp"
#include "venv_builder.hpp"
#include "venv_usage.hpp"

namespace rivet::plugins::python_venv {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using sdk::ErrorCode;
using sdk::Status;

constexpr int kDefaultTimeoutSeconds = 600;  // StackStorm's for python-script
constexpr auto kProbeTimeout = std::chrono::seconds(30);

Status unprocessable(const sdk::ActionSpec& action, const std::string& message) {
  return {ErrorCode::unprocessable, action.ref() + ": " + message};
}

std::string readText(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Pack refs match ^[a-z0-9_]+$ (rivetd checks); refused here too since a ref names a directory.
bool isSafeDirectoryName(const std::string& ref) {
  return !ref.empty() &&
         ref.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
}

}  // namespace

Status PythonVenvRunner::configure(const sdk::PluginContext& context) {
  auto config = parseRunnerConfig(context);
  if (!config.ok()) return config.status();
  config_ = std::move(config).value();
  std::error_code ec;
  config_.venv_root = fs::weakly_canonical(config_.venv_root, ec);
  if (ec) {
    return {ErrorCode::invalid_argument,
            "[python-venv] venv_root " + config_.venv_root.string() + ": " + ec.message()};
  }
  logger_ = context.logger;
  if (!isExecutableFile(config_.python)) {
    log(sdk::LogLevel::warning, "python-venv: `python` " + config_.python +
                                    " is not an executable file; python-script actions of packs "
                                    "that do not name their own will be unavailable");
  }
  return Status::success();
}

std::vector<std::string> PythonVenvRunner::runnerTypes() const { return {kRunnerType}; }

int PythonVenvRunner::defaultTimeoutSeconds(const std::string& /*runner_type*/) const {
  return kDefaultTimeoutSeconds;
}

Status PythonVenvRunner::checkAction(const sdk::PackSpec& pack,
                                     const sdk::ActionSpec& action) const {
  try {
    if (action.runner_type != kRunnerType) {
      return unprocessable(action,
                           "runner type `" + action.runner_type + "` is not served by python-venv");
    }
    const std::string& entry_point = action.entry_point_path;
    std::error_code ec;
    if (entry_point.empty() || !entry_point.ends_with(".py") ||
        !fs::is_regular_file(entry_point, ec)) {
      return unprocessable(action,
                           "python-script action needs an `entry_point` naming an "
                           "existing .py file (got \"" +
                               action.entry_point + "\")");
    }
    if (auto status = runner_support::checkRunnerParameters(action); !status.ok()) return status;
    auto python = interpreterPath(pack, config_.python);
    if (!python.ok()) return python.status();
    if (!isExecutableFile(*python)) {
      return {ErrorCode::unavailable,
              action.ref() + ": the Python interpreter " + *python + " is not an executable file"};
    }
    return Status::success();
  } catch (const std::exception& e) {
    return {ErrorCode::internal, action.ref() + ": " + e.what()};
  }
}

Status PythonVenvRunner::preparePack(const sdk::PackSpec& pack) {
  std::lock_guard pack_lock(packMutex(pack.ref));
  Status status;
  try {
    status = prepare(pack);
  } catch (const std::exception& e) {
    status = Status(ErrorCode::internal, std::string("preparing the virtualenv: ") + e.what());
  }
  if (!status.ok()) {
    std::lock_guard lock(ready_mutex_);
    ready_.erase(pack.path);
    log(sdk::LogLevel::error, "python-venv: pack " + pack.ref +
                                  ": python-script actions unavailable: " + status.message());
  }
  return status;
}

Status PythonVenvRunner::prepare(const sdk::PackSpec& pack) {
  if (!isSafeDirectoryName(pack.ref)) {
    return {ErrorCode::unprocessable, "pack ref `" + pack.ref + "` cannot name a directory"};
  }
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(config_.build_timeout_seconds);
  auto python = interpreterPath(pack, config_.python);
  if (!python.ok()) return python.status();
  auto interpreter = probeInterpreter(
      *python, std::min(deadline, std::chrono::steady_clock::now() + kProbeTimeout));
  if (!interpreter.ok()) return interpreter.status();
  if (auto status = checkPythonVersions(pack, *interpreter); !status.ok()) return status;
  if (auto config = readPackConfig(pack.path); !config.ok()) return config.status();

  const fs::path requirements = fs::path(pack.path) / "requirements.txt";
  const std::string requirements_text = readText(requirements);
  const std::string key = venvKey(requirements_text, *interpreter);
  PackVenvs venvs(config_.venv_root, pack.ref);
  if (auto status =
          ensureVenv(pack, venvs, key, *interpreter, namesRequirements(requirements_text));
      !status.ok()) {
    removeUnusedVenvs(venvs);  // a failed build's debris; `current` stays as it was
    return status;
  }
  if (auto status = venvs.switchCurrent(key); !status.ok()) return status;
  {
    std::lock_guard lock(ready_mutex_);
    ready_[pack.path] = venvs.venvDir(key);
  }
  removeUnusedVenvs(venvs);
  return Status::success();
}

Status PythonVenvRunner::ensureVenv(const sdk::PackSpec& pack, const PackVenvs& venvs,
                                    const std::string& key, const Interpreter& interpreter,
                                    bool install_requirements) {
  if (venvs.isComplete(key)) {
    log(sdk::LogLevel::info,
        "python-venv: pack " + pack.ref + ": reusing virtualenv " + venvs.venvDir(key).string());
    return Status::success();
  }
  auto build_dir = venvs.startBuild(key);
  if (!build_dir.ok()) return build_dir.status();
  VenvBuild build;
  build.pack_ref = pack.ref;
  if (install_requirements) build.requirements = fs::path(pack.path) / "requirements.txt";
  build.interpreter = interpreter;
  build.build_dir = *build_dir;
  build.final_dir = venvs.venvDir(key);
  build.pip_options = pipOptions(config_);
  build.deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(config_.build_timeout_seconds);
  build.logger = logger_;
  auto status = buildVenv(build);
  if (status.ok()) status = venvs.publish(*build_dir, key);
  if (!status.ok()) {
    std::error_code ignored;
    fs::remove_all(*build_dir, ignored);
  }
  return status;
}

void PythonVenvRunner::removeUnusedVenvs(const PackVenvs& venvs) {
  auto in_use = virtualEnvsInUse();
  {
    // A virtualenv that a pack directory still plans with is kept too (the serving version
    // while another is prepared, or a pack sent in dev mode): until that directory is gone.
    std::lock_guard lock(ready_mutex_);
    for (auto it = ready_.begin(); it != ready_.end();) {
      std::error_code ec;
      if (!fs::exists(it->first, ec)) {
        it = ready_.erase(it);
        continue;
      }
      in_use.insert(it->second.string());
      ++it;
    }
  }
  std::vector<fs::path> kept;
  const auto removed = venvs.removeUnused(
      [&](const fs::path& venv) { return in_use.contains(venv.string()); }, kept);
  for (const auto& venv : removed) {
    log(sdk::LogLevel::info, "python-venv: removed unused virtualenv " + venv.string());
  }
  for (const auto& venv : kept) {
    log(sdk::LogLevel::info, "python-venv: keeping old virtualenv " + venv.string() +
                                 " while a running process uses it");
  }
}

sdk::StatusOr<sdk::LaunchPlan> PythonVenvRunner::plan(const sdk::LaunchRequest& request) const {
  try {
    return buildPlan(request);
  } catch (const std::exception& e) {
    return Status(ErrorCode::internal,
                  request.action.ref() + ": cannot build the launch plan: " + e.what());
  }
}

sdk::StatusOr<sdk::LaunchPlan> PythonVenvRunner::buildPlan(
    const sdk::LaunchRequest& request) const {
  const sdk::ActionSpec& action = request.action;
  fs::path venv;
  {
    std::lock_guard lock(ready_mutex_);
    auto found = ready_.find(request.pack.path);
    if (found == ready_.end()) {
      return Status(ErrorCode::unavailable, action.ref() + ": the virtualenv of pack " +
                                                request.pack.ref + " is not ready");
    }
    venv = found->second;
  }
  auto config = readPackConfig(request.pack.path);
  if (!config.ok())
    return Status(config.status().code(), action.ref() + ": " + config.status().message());

  sdk::LaunchPlan plan;
  plan.argv = {(venv / "bin" / "python").string(), (venv / kWrapperDir / kWrapperName).string(),
               action.entry_point_path};
  const json input{
      {"parameters", request.parameters.is_object() ? request.parameters : json::object()},
      {"config", *config},
      {"argv", runner_support::parameterArguments(action.parameters, request.parameters,
                                                  runner_support::namedPrefix(action))},
      {"pack_path", request.pack.path}};
  plan.stdin_data = input.dump(-1, ' ', false, json::error_handler_t::replace);

  // The pack's `env` and the identity variables first; the interpreter's own last, so that no
  // pack can run outside its virtualenv or hide from the in-use check (VIRTUAL_ENV).
  plan.env = runner_support::actionEnvironment(request);
  plan.env["VIRTUAL_ENV"] = venv.string();
  plan.env["PATH"] = (venv / "bin").string() + ":/usr/local/bin:/usr/bin:/bin";
  plan.env["PYTHONDONTWRITEBYTECODE"] = "1";
  plan.env["PYTHONUNBUFFERED"] = "1";
  plan.working_dir = runner_support::workingDirectory(request);
  return plan;
}

std::mutex& PythonVenvRunner::packMutex(const std::string& pack_ref) {
  std::lock_guard lock(pack_mutexes_mutex_);
  auto& mutex = pack_mutexes_[pack_ref];
  if (!mutex) mutex = std::make_unique<std::mutex>();
  return *mutex;
}

void PythonVenvRunner::log(sdk::LogLevel level, const std::string& message) const {
  if (logger_ != nullptr) logger_->log(level, message);
}

}  // namespace rivet::plugins::python_venv

RIVET_PLUGIN(rivet::plugins::python_venv::PythonVenvRunner, rivet::sdk::PluginKind::runner,
             "python-venv", "0.1.0", rivet::plugins::python_venv::kConfigKeys)
