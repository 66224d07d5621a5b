// The StackStorm runner parameters a script action may fix in its metadata (`cwd`, `env`,
// `kwarg_op`, `sudo`) and the environment that tells an action's process who it is, with one
// meaning for every script runner, so that a pack author sees the same behaviour whichever
// runner serves the action.
//
// checkRunnerParameters() runs when the pack loads; the other functions run for every launch
// plan and trust what it accepted, so a runner must call it from checkAction().
#pragma once

#include <map>
#include <string>

#include "rivet/sdk/status.hpp"
#include "rivet/sdk/types.hpp"

namespace rivet::runner_support {

// Accepts `cwd` and `kwarg_op` when strings or null, `env` when null or an object of strings
// whose names are non-empty and hold neither '=' nor NUL, `sudo` unless true (actions run as
// rivetd's user), and parameter positions neither negative nor shared (see checkPositions()).
// Anything else is unprocessable, with the action's ref leading the message. Runner parameters
// it does not know (a runner's own, like `cmd`) are left to the runner.
sdk::Status checkRunnerParameters(const sdk::ActionSpec& action);

// The prefix of named arguments: `kwarg_op`, or StackStorm's `--` (kDefaultNamedPrefix).
std::string namedPrefix(const sdk::ActionSpec& action);

// Where the action runs: `cwd`, relative to the pack directory unless absolute, or the pack
// directory when `cwd` is absent, null or empty. Lexically normalised, never resolved on disk.
std::string workingDirectory(const sdk::LaunchRequest& request);

// The variables a launch plan adds to the host's environment: the pack's `env`, then
// ST2_ACTION_PACK_NAME, ST2_ACTION_EXECUTION_ID (StackStorm's), RIVET_ACTION_PACK,
// RIVET_ACTION_NAME and RIVET_EXECUTION_ID, set last so that a pack's `env` cannot pass itself
// off as another pack or execution.
std::map<std::string, std::string> actionEnvironment(const sdk::LaunchRequest& request);

}  // namespace rivet::runner_support
