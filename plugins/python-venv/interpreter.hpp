// The Python interpreter a pack's virtualenv is built from: which one (the config's, or the
// pack's own from pack.yaml), what version it is, and whether the pack accepts it.
#pragma once

#include <string>

#include "child_process.hpp"
#include "rivet/sdk/status.hpp"
#include "rivet/sdk/types.hpp"

namespace rivet::plugins::python_venv {

struct Interpreter {
  std::string path;      // as configured (absolute)
  std::string resolved;  // with symlinks resolved
  int major = 0;
  int minor = 0;
  std::string version;  // "3.11.2"
  std::string build;    // sys.version, e.g. "3.11.2 (main, Apr 28 2025, 14:11:48) [GCC 12.2.0]"
};

// pack.yaml's `rivet: {python: /path}` if the pack sets it, else `configured`. Unprocessable
// when the pack's value is not an absolute path.
sdk::StatusOr<std::string> interpreterPath(const sdk::PackSpec& pack,
                                           const std::string& configured);

bool isExecutableFile(const std::string& path);

// Runs the interpreter once to learn its version.
sdk::StatusOr<Interpreter> probeInterpreter(const std::string& path, Deadline deadline);

// StackStorm's pack.yaml `python_versions` (e.g. ["3"]) against the interpreter's major
// version; success when the pack does not say.
sdk::Status checkPythonVersions(const sdk::PackSpec& pack, const Interpreter& interpreter);

}  // namespace rivet::plugins::python_venv
