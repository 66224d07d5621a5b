// The shell runner: StackStorm's local-shell-script and local-shell-cmd action types.
//
// It only builds launch plans; the host executes them. Request parameters only ever become
// separate argv entries (see rivet/runner_support/argument_convention.hpp), never part of a string a shell parses: a
// local-shell-cmd's command text comes from the pack's metadata alone and reads its
// parameters as "$@".
#pragma once

#include <string>
#include <vector>

#include "rivet/sdk/runner.hpp"

namespace rivet::plugins::shell {

inline constexpr const char* kScriptRunnerType = "local-shell-script";
inline constexpr const char* kCmdRunnerType = "local-shell-cmd";

class ShellRunner final : public sdk::Runner {
 public:
  sdk::Status configure(const sdk::PluginContext& context) override;
  std::vector<std::string> runnerTypes() const override;
  sdk::Status checkAction(const sdk::PackSpec& pack, const sdk::ActionSpec& action) const override;
  int defaultTimeoutSeconds(const std::string& runner_type) const override;
  sdk::StatusOr<sdk::LaunchPlan> plan(const sdk::LaunchRequest& request) const override;

 private:
  sdk::Status checkScript(const sdk::ActionSpec& action) const;
  sdk::Status checkCmd(const sdk::ActionSpec& action) const;
  sdk::StatusOr<sdk::LaunchPlan> buildPlan(const sdk::LaunchRequest& request) const;

  std::string shell_ = "/bin/sh";   // runs local-shell-cmd commands
  std::string bash_ = "/bin/bash";  // runs scripts that cannot be executed directly
};

}  // namespace rivet::plugins::shell
