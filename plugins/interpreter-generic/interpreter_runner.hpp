// The generic interpreter runner: `interpreter-script` actions, whose entry point runs through
// whichever interpreter its shebang names (perl, node, ruby, Rscript, ...), provided that
// interpreter is on the operator's allow-list and installed.
//
// As Netflix's Bolt puts it, any scripting language installed on the instance can be used as
// long as a proper shebang is specified. The runner reads the shebang itself (see shebang.hpp)
// and plans `[interpreter, shebang args..., script, parameters...]`: the script needs no
// executable bit, `#!/usr/bin/env NAME` is resolved in the configured `path` rather than the
// child's PATH, and request parameters only ever become separate argv entries.
#pragma once

#include <string>
#include <vector>

#include "rivet/sdk/runner.hpp"

namespace rivet::plugins::interpreter_generic {

inline constexpr const char* kRunnerType = "interpreter-script";

// What an action's shebang resolves to on this host.
struct Interpreter {
  std::string path;               // absolute, an executable file
  std::vector<std::string> args;  // from the shebang, placed before the script
};

class InterpreterRunner final : public sdk::Runner {
 public:
  sdk::Status configure(const sdk::PluginContext& context) override;
  std::vector<std::string> runnerTypes() const override;
  sdk::Status checkAction(const sdk::PackSpec& pack, const sdk::ActionSpec& action) const override;
  int defaultTimeoutSeconds(const std::string& runner_type) const override;
  sdk::StatusOr<sdk::LaunchPlan> plan(const sdk::LaunchRequest& request) const override;

 private:
  // Reads the entry point's shebang and applies the allow-list and the `path` lookup. Used at
  // pack load and again by every plan, so that a script edited since cannot escape the
  // allow-list; it reads one block of the script and stats a few files.
  sdk::StatusOr<Interpreter> resolveInterpreter(const sdk::ActionSpec& action) const;
  sdk::StatusOr<sdk::LaunchPlan> buildPlan(const sdk::LaunchRequest& request) const;
  bool isAllowed(const std::string& name) const;

  std::vector<std::string> allow_;
  std::vector<std::string> path_;  // absolute directories, in lookup order
};

}  // namespace rivet::plugins::interpreter_generic
