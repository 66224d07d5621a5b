// Starts one action process exactly as every runner's plan is started: its own process
// group (so the whole tree can be signalled), the configured nice level, stdin/stdout/stderr
// on files, a clean signal state, no inherited descriptors, and a pidfd to watch it by.
// rivet-shim is its caller; built as rivet_process_start so rivetd can still link it until it
// starts actions only through the shim.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "rivet/sdk/status.hpp"

namespace rivet::core {

struct ProcessSpec {
  std::vector<std::string> argv;        // argv[0]: absolute, or looked up in env's PATH
  std::vector<std::string> env;         // "NAME=value"
  std::string working_dir;
  std::string stdin_path;               // opened read-only
  std::string stdout_path;              // created or truncated
  std::string stderr_path;
  int nice = 0;
  std::vector<std::string> join_files;  // the child writes its pid here before exec (cgroups)
};

struct StartedProcess {
  pid_t pid = -1;
  int pidfd = -1;                       // readable once the process has exited
};

// Returns once the child has exec'd; a failure before exec (missing program, bad working
// directory) is an error saying which step failed and why, and leaves no process behind.
sdk::StatusOr<StartedProcess> startProcess(const ProcessSpec& spec);

// "/usr/bin/du" for "du" given "PATH=..." in env; "" if not found. Paths with '/' unchanged.
std::string resolveExecutable(const std::string& name, const std::vector<std::string>& env);

}  // namespace rivet::core
