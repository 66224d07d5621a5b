// What rivet-shim learns about processes from /proc: the few fields of /proc/<pid>/stat it
// relies on, and the set of its own descendants, which it must find without help from them
// (an action may double-fork and setsid() to escape its process group).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace rivet::core::shim {

struct ProcStat {
  pid_t pid = 0;
  pid_t ppid = 0;                // field 4
  pid_t pgrp = 0;                // field 5
  pid_t session = 0;             // field 6
  int nice = 0;                  // field 19
  std::uint64_t start_time = 0;  // field 22, clock ticks since boot: pid + start_time names
                                 // one process for the life of the boot, despite pid reuse
};

// Parses the text of a /proc/<pid>/stat file; nullopt when it is not one. The command name
// (field 2) may hold spaces and parentheses, so fields are counted from its last ')'.
std::optional<ProcStat> parseProcStat(std::string_view text);

// nullopt when the process does not exist (any more).
std::optional<ProcStat> readProcStat(pid_t pid);

// Every process, zombies included, whose chain of parents leads to `ancestor`, from one walk
// of /proc. As a child subreaper the shim inherits its orphaned descendants, so this is the
// whole tree an action started, however its members detached themselves.
std::vector<ProcStat> descendantsOf(pid_t ancestor);

}  // namespace rivet::core::shim
