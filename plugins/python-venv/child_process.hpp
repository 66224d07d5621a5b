// Runs the build's helper processes (the interpreter probe, `python -m venv`, pip): posix_spawn
// with an argv (never a shell), stdin from /dev/null, stdout and stderr into one file
// descriptor, in a process group of their own so that a deadline kills pip and its children.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace rivet::plugins::python_venv {

using Deadline = std::chrono::steady_clock::time_point;

struct ChildOutcome {
  bool started = false;
  bool timed_out = false;
  int exit_code = -1;   // set when it exited
  int term_signal = 0;  // set when a signal ended it
  std::string error;    // why it did not start

  bool succeeded() const { return started && !timed_out && term_signal == 0 && exit_code == 0; }
  // "exit 1", "killed by signal 9", "timed out", "could not start: ..."
  std::string describe() const;
};

// Runs `argv` (argv[0] an absolute path) to completion or until `deadline`, when its whole
// process group is killed. The environment is rivetd's minus the variables that would steer
// Python or pip behind the config's back (PYTHON*, PIP_*, VIRTUAL_ENV); descriptors other
// than 0-2 are closed in the child.
ChildOutcome runChild(const std::vector<std::string>& argv, int output_fd, Deadline deadline);

// runChild with the output captured in memory (for short probes).
ChildOutcome runChildCapturing(const std::vector<std::string>& argv, Deadline deadline,
                               std::string& output);

// The last `count` lines of `text` (all of it when shorter).
std::string lastLines(const std::string& text, int count);

}  // namespace rivet::plugins::python_venv
