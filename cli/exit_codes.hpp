// The process exit codes of `rivet`, part of its interface for scripts (see README.md).
#pragma once

namespace rivet::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,       // the action failed, or the API answered with an error
  kExitUsage = 2,        // bad command line or configuration
  kExitUnreachable = 3,  // no answer from the host (connection or TLS failure)
};

}  // namespace rivet::cli
