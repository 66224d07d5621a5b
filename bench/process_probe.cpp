#include "process_probe.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace rivet::bench {

std::string readSmall(const std::string& path) {
  std::string text;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buffer[4096];
  for (ssize_t got; (got = ::read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, got);
  ::close(fd);
  return text;
}

long procKb(pid_t pid, const char* file, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + file);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + ":", 0) == 0) return std::atol(line.c_str() + key.size() + 1);
  }
  return 0;
}

double mib(long kb) { return static_cast<double>(kb) / 1024.0; }

MemorySplit memorySplit(pid_t pid) {
  MemorySplit split;
  split.rss_kb = procKb(pid, "status", "VmRSS");
  split.anon_kb = procKb(pid, "status", "RssAnon");
  split.file_kb = procKb(pid, "status", "RssFile");
  split.pss_kb = procKb(pid, "smaps_rollup", "Pss");
  split.uss_kb =
      procKb(pid, "smaps_rollup", "Private_Clean") + procKb(pid, "smaps_rollup", "Private_Dirty");
  return split;
}

}  // namespace rivet::bench
