// Executes a runner's sdk::LaunchPlan for real, roughly as rivetd does, for tests that must show
// what a script receives (argv entries byte for byte, environment, working directory) rather
// than what the plan says.
#pragma once

#include <string>
#include <vector>

#include "rivet/sdk/types.hpp"

namespace rivet::test {

struct RunResult {
  int exit_code = -1;  // the exit status, or 128 + the signal that ended the process
  std::string out;     // everything written to stdout
};

// Runs `plan` and waits for it: argv as given, the plan's environment over a minimal base
// (PATH=/usr/local/bin:/usr/bin:/bin), the plan's working directory when set, stdin from
// /dev/null, stdout captured, stderr inherited. argv[0] must be a path (runners under test plan
// absolute ones): it is never looked up, so a test cannot pass through this process's PATH.
// Throws std::runtime_error when the process cannot be started.
RunResult runPlan(const sdk::LaunchPlan& plan);

// The NUL-terminated fields of `text`, as printed by scripts that end every argument with a
// NUL so that arguments holding newlines stay recognisable; text after the last NUL is dropped.
std::vector<std::string> splitAtNul(const std::string& text);

}  // namespace rivet::test
