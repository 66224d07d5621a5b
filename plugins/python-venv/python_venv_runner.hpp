// The python-venv runner: StackStorm python-script actions, each pack in a virtualenv of its
// own built from its requirements.txt.
//
// preparePack (its own thread, never the execution path) finds or builds the pack's
// virtualenv (layout and lifecycle: venv_store.hpp) and removes old ones no process uses;
// plan() then names that virtualenv's directory, so an execution keeps the virtualenv it was
// planned with even if the pack changes while it runs. Parameters and the pack config reach
// the action as JSON on stdin, read by the wrapper the plugin installs in each virtualenv
// (python/rivet_python_action.py); never through a shell.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "interpreter.hpp"
#include "rivet/sdk/runner.hpp"
#include "runner_config.hpp"
#include "venv_store.hpp"

namespace rivet::plugins::python_venv {

inline constexpr const char* kRunnerType = "python-script";

class PythonVenvRunner final : public sdk::Runner {
 public:
  sdk::Status configure(const sdk::PluginContext& context) override;
  std::vector<std::string> runnerTypes() const override;
  sdk::Status checkAction(const sdk::PackSpec& pack, const sdk::ActionSpec& action) const override;
  sdk::Status preparePack(const sdk::PackSpec& pack) override;
  int defaultTimeoutSeconds(const std::string& runner_type) const override;
  sdk::StatusOr<sdk::LaunchPlan> plan(const sdk::LaunchRequest& request) const override;

 private:
  sdk::Status prepare(const sdk::PackSpec& pack);
  // The virtualenv for `key`, reused when complete, built otherwise.
  sdk::Status ensureVenv(const sdk::PackSpec& pack, const PackVenvs& venvs, const std::string& key,
                         const Interpreter& interpreter, bool install_requirements);
  void removeUnusedVenvs(const PackVenvs& venvs);
  sdk::StatusOr<sdk::LaunchPlan> buildPlan(const sdk::LaunchRequest& request) const;
  std::mutex& packMutex(const std::string& pack_ref);
  void log(sdk::LogLevel level, const std::string& message) const;

  RunnerConfig config_;
  sdk::Logger* logger_ = nullptr;

  std::mutex pack_mutexes_mutex_;
  // One preparation of a pack at a time (a pack changed twice in quick succession).
  std::map<std::string, std::unique_ptr<std::mutex>> pack_mutexes_;

  mutable std::mutex ready_mutex_;
  // Pack directory -> the virtualenv its plans name; absent until preparePack succeeds. By
  // directory, not ref: two versions of a pack (pack sync) are two directories, and a failed
  // build of the new one leaves the old one running on its virtualenv.
  std::map<std::string, std::filesystem::path> ready_;
};

}  // namespace rivet::plugins::python_venv
