// The fixture of a runner plugin's tests: loads the plugin .so with Boost.DLL as rivetd does,
// configures it, and builds actions of a throw-away pack in a temporary directory. It also
// holds the expectations every script runner must meet for the runner parameters it shares
// through rivet::runner_support (`cwd`, `env`, `kwarg_op`, `sudo`), so that each plugin shows
// it applies them, not merely that the library works.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "rivet/sdk/runner.hpp"
#include "rivet/test/plugin_handle.hpp"
#include "rivet/test/recording_logger.hpp"
#include "rivet/test/temp_dir.hpp"

namespace rivet::test {

// Modes of the scripts tests write: readable but not executable (0644), and executable (0755).
inline constexpr std::filesystem::perms kReadOnly =
    std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
    std::filesystem::perms::group_read | std::filesystem::perms::others_read;
inline constexpr std::filesystem::perms kExecutable =
    kReadOnly | std::filesystem::perms::owner_exec | std::filesystem::perms::group_exec |
    std::filesystem::perms::others_exec;

// Writes `content` to `file` with `perms`, creating parent directories.
void writeFile(const std::filesystem::path& file, std::string_view content,
               std::filesystem::perms perms);

class RunnerTest : public ::testing::Test {
 protected:
  using json = nlohmann::json;
  using Args = std::vector<std::string>;

  // `plugin_file`: the .so to load (RIVET_PLUGIN_DIR "/<name>.so"); `temp_prefix` names the
  // temporary directory.
  RunnerTest(std::filesystem::path plugin_file, std::string_view temp_prefix);

  // Loads the plugin, configures it with its defaults and makes the pack "testpack" in dir_.
  void SetUp() override;

  sdk::Status configure(std::map<std::string, std::string> config);
  sdk::Status check(const sdk::ActionSpec& action) const;
  // The plan for execution "exec-42"; a failed plan fails the test and gives an empty plan.
  sdk::LaunchPlan planOf(const sdk::ActionSpec& action, const json& parameters);

  // Makes pack_ the pack `ref` at `path`, for tests of a shipped pack.
  void usePack(const std::string& ref, const std::string& path);
  std::filesystem::path actionsDir() const;
  // An action `name` of pack_ whose entry point `entry_point` (none when "") is under actions/;
  // the file is not written.
  sdk::ActionSpec actionOf(const std::string& name, const std::string& runner_type,
                           const std::string& entry_point) const;

  // Declares one positional string parameter per value on `action`, in order, plus a named
  // one, `note`; returns the request parameters giving them those values.
  static json hostileParameters(sdk::ActionSpec& action, const Args& values,
                                const std::string& named_value);

  // The shared runner parameters, given an action the runner accepts. Each plans or checks
  // variants of `accepted`:
  // checkAction refuses (unprocessable) bad `env`, `cwd`, `kwarg_op`, `sudo: true`, runner
  // parameters that are not an object and shared positions; it accepts `sudo: false`.
  void expectBadRunnerParametersRefused(const sdk::ActionSpec& accepted) const;
  // The plan's environment is the pack's `env` with the five variables naming pack, action and
  // execution set over it, even when `env` sets `forged_name` (one of those five).
  void expectEnvironmentNamesPackActionAndExecution(sdk::ActionSpec accepted,
                                                    const std::string& forged_name);
  // The working directory is the pack unless `cwd` is set, relative to the pack or absolute.
  void expectWorkingDirIsThePackUnlessCwdIsSet(sdk::ActionSpec accepted);
  // `kwarg_op` replaces `--` before named parameters.
  void expectKwargOpChangesTheNamedPrefix(sdk::ActionSpec accepted);

  std::filesystem::path plugin_file_;
  TempDir dir_;
  RecordingLogger logger_;
  PluginHandle library_;
  // Holds the library until the runner is deleted.
  std::shared_ptr<sdk::Runner> runner_;
  sdk::PackSpec pack_;
};

}  // namespace rivet::test
