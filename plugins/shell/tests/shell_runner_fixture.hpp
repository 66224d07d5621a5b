// The test fixture shared by the shell runner's tests: loads shell.so with Boost.DLL as rivetd
// does, configures it, and builds actions of a throw-away pack in a temporary directory.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/runner.hpp"
#include "rivet/test/parameter_spec.hpp"
#include "rivet/test/plugin_handle.hpp"
#include "rivet/test/recording_logger.hpp"
#include "rivet/test/temp_dir.hpp"

namespace rivet::plugins::shell {

namespace fs = std::filesystem;
namespace sdk = rivet::sdk;
using nlohmann::json;
using Args = std::vector<std::string>;

using rivet::test::param;
using rivet::test::PluginHandle;
using rivet::test::RecordingLogger;
using rivet::test::TempDir;

inline void writeFile(const fs::path& path, const std::string& text, fs::perms perms) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
  fs::permissions(path, perms);
}

constexpr fs::perms kExecutable = fs::perms::owner_all | fs::perms::group_read |
                                  fs::perms::group_exec | fs::perms::others_read |
                                  fs::perms::others_exec;
constexpr fs::perms kReadOnly =
    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;

// Prints every argument followed by a NUL, so arguments holding newlines stay recognisable.
constexpr const char* kPrintArgsBody = "for arg in \"$@\"; do printf '%s\\0' \"$arg\"; done\n";

class ShellRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    library_ = PluginHandle(RIVET_PLUGIN_DIR "/shell.so");
    runner_ = library_.create<sdk::Runner>();
    ASSERT_NE(runner_, nullptr);
    ASSERT_TRUE(configure({}).ok());

    pack_.ref = "testpack";
    pack_.name = "testpack";
    pack_.path = (dir_.path() / "testpack").string();
    fs::create_directories(pack_.path);
  }

  sdk::Status configure(std::map<std::string, std::string> config) {
    sdk::PluginContext context;
    context.data_dir = dir_.path().string();
    context.config = std::move(config);
    context.logger = &logger_;
    return runner_->configure(context);
  }

  fs::path actionsDir() const { return fs::path(pack_.path) / "actions"; }

  sdk::ActionSpec scriptAction(const std::string& name, const std::string& body,
                               fs::perms perms = kExecutable) {
    sdk::ActionSpec action;
    action.pack = pack_.ref;
    action.name = name;
    action.runner_type = "local-shell-script";
    action.entry_point = name + ".sh";
    action.entry_point_path = (actionsDir() / action.entry_point).string();
    writeFile(action.entry_point_path, body, perms);
    return action;
  }

  sdk::ActionSpec cmdAction(const std::string& name, const std::string& cmd) {
    sdk::ActionSpec action;
    action.pack = pack_.ref;
    action.name = name;
    action.runner_type = "local-shell-cmd";
    action.runner_parameters = json{{"cmd", cmd}};
    return action;
  }

  sdk::LaunchPlan planOf(const sdk::ActionSpec& action, const json& parameters) {
    sdk::LaunchRequest request{"exec-42", pack_, action, parameters};
    auto plan = runner_->plan(request);
    EXPECT_TRUE(plan.ok()) << plan.status().message();
    return plan.ok() ? *plan : sdk::LaunchPlan{};
  }

  // Declares one positional string parameter per value, in order, plus a named one.
  static json hostileParameters(sdk::ActionSpec& action, const Args& values,
                                const std::string& named_value) {
    json parameters = json::object();
    for (std::size_t i = 0; i < values.size(); ++i) {
      const std::string name = "p" + std::to_string(i);
      action.parameters.push_back(param(name, sdk::ParameterType::string, static_cast<int>(i)));
      parameters[name] = values[i];
    }
    action.parameters.push_back(param("note", sdk::ParameterType::string));
    parameters["note"] = named_value;
    return parameters;
  }

  Args hostileValues() const {
    const std::string canary = (dir_.path() / "pwned").string();
    return {"; touch " + canary,
            "$(touch " + canary + ")",
            "`touch " + canary + "`",
            "&& touch " + canary,
            "| touch " + canary,
            "a'b\"c",
            "line1\nline2",
            "two words",
            "../../etc/passwd",
            "-rf",
            "--note=forged",
            "$HOME",
            "*",
            "\\",
            ""};
  }

  bool canaryExists() const { return fs::exists(dir_.path() / "pwned"); }

  TempDir dir_{"rivet-shell-test"};
  RecordingLogger logger_;
  PluginHandle library_;
  // Holds the library until the runner is deleted.
  std::shared_ptr<sdk::Runner> runner_;
  sdk::PackSpec pack_;
};

}  // namespace rivet::plugins::shell
