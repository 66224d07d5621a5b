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

// A process's resident memory, in kB: VmRSS counts every page it maps, also those other
// processes map too; the split says which part is its own.
struct MemorySplit {
  long rss_kb = 0;
  long anon_kb = 0;  // RssAnon: heap, stacks, private writes (no file behind them)
  long file_kb = 0;  // RssFile: pages of mapped files (its binary, shared libraries)
  long pss_kb = 0;   // Pss: each page divided by the number of processes mapping it
  long uss_kb = 0;   // Private_Clean + Private_Dirty: the pages no other process maps
};
// From /proc/PID/status and /proc/PID/smaps_rollup; zeros when the process is gone.
MemorySplit memorySplit(pid_t pid);

}  // namespace rivet::bench
