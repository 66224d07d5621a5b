// Readings of other processes from /proc, for the benchmarks' footprint figures.
#pragma once

#include <sys/types.h>

#include <string>

namespace rivet::bench {

// A small file (under /proc) read with read(2): a process that exits meanwhile gives "",
// where an istreambuf_iterator would throw.
std::string readSmall(const std::string& path);

// "Key:   1234 kB" from /proc/PID/<file>, in kB; 0 when absent.
long procKb(pid_t pid, const char* file, const std::string& key);

double mib(long kb);

}  // namespace rivet::bench
