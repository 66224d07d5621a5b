// Reading and writing cgroup control files. The kernel reports a refused value as the errno
// of write(2), which buffered streams hide, so writes go through open/write/close.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rivet::plugins::sandbox_cgroup {

bool fileExists(const std::string& path);

// The whole file, or nothing when it cannot be read.
std::optional<std::string> readText(const std::string& path);

// Writes `value` in one write(2). Returns 0 or the errno of the failing call.
int writeText(const std::string& path, std::string_view value);

// The first whitespace-separated token of the file as a number.
std::optional<std::uint64_t> readNumber(const std::string& path);

// The number on the line `<key> <number>` of a flat-keyed file (memory.oom_control, cpu.stat,
// memory.events).
std::optional<std::uint64_t> readKeyedNumber(const std::string& path, std::string_view key);

// The pids listed in a cgroup.procs or tasks file (empty when unreadable).
std::vector<pid_t> readPids(const std::string& path);

// Removes an empty cgroup directory. A cgroup whose last processes are still exiting answers
// EBUSY for a moment, so EBUSY is retried until `patience` runs out. A directory already gone
// counts as removed. Returns 0 or the last errno.
int removeCgroupDirectory(const std::string& dir, std::chrono::milliseconds patience);

// "<path>: <strerror(error)>", for Status messages.
std::string describeError(const std::string& path, int error);

}  // namespace rivet::plugins::sandbox_cgroup
