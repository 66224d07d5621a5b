// The test fixture shared by the shell runner's tests: shell.so loaded and configured as rivetd
// does (rivet::test::RunnerTest), and the script and cmd actions of its throw-away pack.
#pragma once

#include <string>

#include "rivet/test/parameter_spec.hpp"
#include "rivet/test/runner_fixture.hpp"

namespace rivet::plugins::shell {

namespace fs = std::filesystem;

using rivet::test::kExecutable;
using rivet::test::kReadOnly;
using rivet::test::param;

// Prints every argument followed by a NUL, so arguments holding newlines stay recognisable.
constexpr const char* kPrintArgsBody = "for arg in \"$@\"; do printf '%s\\0' \"$arg\"; done\n";

class ShellRunnerTest : public rivet::test::RunnerTest {
 protected:
  ShellRunnerTest() : RunnerTest(RIVET_PLUGIN_DIR "/shell.so", "rivet-shell-test") {}

  sdk::ActionSpec scriptAction(const std::string& name, const std::string& body,
                               fs::perms perms = kExecutable) {
    sdk::ActionSpec action = actionOf(name, "local-shell-script", name + ".sh");
    rivet::test::writeFile(action.entry_point_path, body, perms);
    return action;
  }

  sdk::ActionSpec cmdAction(const std::string& name, const std::string& cmd) {
    sdk::ActionSpec action = actionOf(name, "local-shell-cmd", "");
    action.runner_parameters = json{{"cmd", cmd}};
    return action;
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
};

}  // namespace rivet::plugins::shell
