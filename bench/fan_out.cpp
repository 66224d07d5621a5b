#include "fan_out.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "process_probe.hpp"

namespace rivet::bench::fleet {
namespace {

MachineCpu machineCpu() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double total = user + nice + system + idle + iowait + irq + softirq + steal;
  return {(total - idle - iowait) / tick, total / tick};
}

// CPU seconds (user + system) of this process (RUSAGE_SELF) or of its waited-for children.
double cpuSeconds(int who) {
  rusage usage{};
  ::getrusage(who, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// CPU seconds of a process, its threads and its children it has waited for (/proc/PID/stat:
// utime, stime, cutime, cstime); 0 when it is gone.
double processCpuSeconds(pid_t pid) {
  const auto stat = readSmall("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));  // from field 3, the state
  std::string field;
  double sum = 0;
  for (int i = 3; i <= 17 && fields >> field; ++i) {
    if (i >= 14) sum += std::atof(field.c_str());
  }
  return sum / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double processCpuSeconds(const std::vector<pid_t>& pids) {
  double sum = 0;
  for (const pid_t pid : pids) sum += processCpuSeconds(pid);
  return sum;
}

}  // namespace

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> samples) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

void forEachOn(std::size_t count, std::size_t threads,
               const std::function<void(std::size_t)>& work) {
  std::atomic<std::size_t> next{0};
  std::vector<std::jthread> pool;
  for (std::size_t t = 0; t < std::min(threads, count); ++t) {
    pool.emplace_back([&] {
      for (std::size_t i = next++; i < count; i = next++) work(i);
    });
  }
}

CpuMeter::CpuMeter(int who, std::vector<pid_t> servers)
    : who_(who),
      servers_(std::move(servers)),
      machine_(machineCpu()),
      caller_(cpuSeconds(who)),
      server_(processCpuSeconds(servers_)) {}

double CpuMeter::busyPercent() const {
  const auto now = machineCpu();
  const double total = now.total - machine_.total;
  return total > 0 ? 100 * (now.busy - machine_.busy) / total : 0;
}

double CpuMeter::callerSeconds() const { return cpuSeconds(who_) - caller_; }

double CpuMeter::serverSeconds() const { return processCpuSeconds(servers_) - server_; }

}  // namespace rivet::bench::fleet
