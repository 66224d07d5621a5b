// The test fixture shared by the shell runner's tests: loads shell.so with Boost.DLL as rivetd
// does, configures it, and builds actions of a throw-away pack in a temporary directory.
#pragma once

// Boost.DLL 1.74 needs the define (rivet::sdk also sets it), and <vector> included, before
// its own headers.
// clang-format off
#ifndef BOOST_DLL_USE_STD_FS
#define BOOST_DLL_USE_STD_FS
#endif
#include <vector>
#include <boost/dll/shared_library.hpp>
// clang-format on

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/runner.hpp"

namespace rivet::plugins::shell {

namespace fs = std::filesystem;
namespace sdk = rivet::sdk;
using nlohmann::json;
using Args = std::vector<std::string>;

class RecordingLogger final : public sdk::Logger {
 public:
  void log(sdk::LogLevel level, std::string_view message) override {
    lines.push_back(std::string(level == sdk::LogLevel::warning ? "warning: " : "") +
                    std::string(message));
  }
  std::vector<std::string> lines;
};

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "rivet-shell-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

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

inline sdk::ParameterSpec param(std::string name, sdk::ParameterType type,
                                std::optional<int> position = std::nullopt) {
  sdk::ParameterSpec spec;
  spec.name = std::move(name);
  spec.type = type;
  spec.position = position;
  return spec;
}

class ShellRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    library_ =
        boost::dll::shared_library(RIVET_PLUGIN_DIR "/shell.so", boost::dll::load_mode::rtld_now);
    auto& create = library_.get_alias<sdk::PluginFactory>(sdk::kFactoryAlias);
    plugin_.reset(create());
    ASSERT_NE(plugin_, nullptr);
    runner_ = dynamic_cast<sdk::Runner*>(plugin_.get());
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

  // Declared in this order so that the plugin object goes before its library.
  TempDir dir_;
  RecordingLogger logger_;
  boost::dll::shared_library library_;
  std::unique_ptr<sdk::Plugin> plugin_;
  sdk::Runner* runner_ = nullptr;
  sdk::PackSpec pack_;
};

}  // namespace rivet::plugins::shell
