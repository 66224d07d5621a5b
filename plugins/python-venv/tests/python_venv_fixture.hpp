// What the python-venv runner's tests share: the plugin loaded as rivetd loads it, configured
// for offline pip (test wheels in a find-links directory), throw-away packs, and plans executed
// for real roughly as rivetd executes them.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/runner.hpp"
#include "rivet/test/plugin_handle.hpp"
#include "rivet/test/recording_logger.hpp"
#include "rivet/test/temp_dir.hpp"

namespace rivet::plugins::python_venv {

namespace fs = std::filesystem;
namespace sdk = rivet::sdk;
using nlohmann::json;

inline constexpr const char* kPython = "/usr/bin/python3";

// Builds <dir>/<name>-<version>-py3-none-any.whl with RIVET_MAKE_TEST_WHEEL (a module <name>
// with VERSION = "<version>"). Throws on failure.
void makeTestWheel(const fs::path& dir, const std::string& name, const std::string& version);

// The wheels every test may install: rivetdemo 1.0 and 2.0, built once per test process.
const fs::path& testWheelDir();

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  json result;  // what the action wrote to RIVET_RESULT_FILE; null when nothing
};

// Runs `argv` with `env` (entries NAME=value), stdin from `stdin_data`, in `working_dir`,
// and waits. Output and the result file live in `scratch`.
ProcessResult runProcess(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env,
                         const std::string& stdin_data, const std::string& working_dir,
                         const fs::path& scratch);

// Executes a plan as rivetd does: base PATH/LANG/HOME overridden by the plan's environment,
// plus RIVET_RESULT_FILE in `scratch`.
ProcessResult runPlan(const sdk::LaunchPlan& plan, const fs::path& scratch);

// A child process killed and reaped when this goes out of scope.
class RunningProcess {
 public:
  RunningProcess(const std::vector<std::string>& argv,
                 const std::map<std::string, std::string>& env);
  RunningProcess(const RunningProcess&) = delete;
  RunningProcess& operator=(const RunningProcess&) = delete;
  ~RunningProcess() { stop(); }
  void stop();

 private:
  pid_t pid_ = -1;
};

// A pack on disk and its PackSpec.
class TestPack {
 public:
  TestPack(const fs::path& parent, const std::string& ref);

  sdk::PackSpec& spec() { return spec_; }
  fs::path dir() const { return spec_.path; }
  void write(const std::string& relative, const std::string& content) const;
  void setRequirements(const std::string& content) const { write("requirements.txt", content); }
  // An action of type python-script with entry point actions/<name>.py holding `source`.
  sdk::ActionSpec action(const std::string& name, const std::string& source) const;

 private:
  sdk::PackSpec spec_;
};

// The runner and its configuration, for one test or (static) a whole suite.
class RunnerUnderTest {
 public:
  // Configured with python=/usr/bin/python3, pip_no_index, pip_find_links=testWheelDir() and
  // data_dir=`data_dir`, then `overrides`.
  explicit RunnerUnderTest(const fs::path& data_dir,
                           const std::map<std::string, std::string>& overrides = {});

  sdk::Runner& operator*() const { return *runner_; }
  sdk::Runner* operator->() const { return runner_.get(); }
  const test::PluginHandle& library() const { return library_; }
  test::RecordingLogger& logger() { return *logger_; }
  sdk::Status configure(const std::map<std::string, std::string>& config);
  fs::path venvRoot() const { return data_dir_ / "venvs"; }

  // plan() with EXPECT on success; an empty plan on failure.
  sdk::LaunchPlan planOf(const sdk::PackSpec& pack, const sdk::ActionSpec& action,
                         const json& parameters) const;

 private:
  fs::path data_dir_;
  std::unique_ptr<test::RecordingLogger> logger_ = std::make_unique<test::RecordingLogger>();
  test::PluginHandle library_;
  std::shared_ptr<sdk::Runner> runner_;  // holds the library until deleted
};

// The venv directory a plan runs in (its VIRTUAL_ENV).
inline fs::path venvOf(const sdk::LaunchPlan& plan) {
  auto found = plan.env.find("VIRTUAL_ENV");
  return found == plan.env.end() ? fs::path() : fs::path(found->second);
}

}  // namespace rivet::plugins::python_venv
