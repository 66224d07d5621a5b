// Fleet fan-out (issue 6): the wall time of a trivial action (`true`, a local-shell-cmd) on N
// real rivetd agents on 127.0.0.1 with the parallel strategy, beside `ssh HOST true` to the same
// count against an sshd of our own on 127.0.0.1, measured in the same run on this machine (the
// figures that matter are the ratios; the machine is shared and noisy). Loopback only, bounded
// in time, and everything it starts is stopped and removed at the end, also on failure.
//
// Usage: rivet_bench_fleet_fanout [N ...]   (default: 100 500)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "rivet/client/dev_pki.hpp"
#include "rivet/client/fleet.hpp"
#include "rivet/test/rivetd_process.hpp"
#include "rivet/test/temp_dir.hpp"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
using rivet::test::RivetdProcess;
using rivet::test::TempDir;

constexpr std::size_t kBoundedConcurrency = 20;        // rivet's max-concurrency and ssh's fan-out
constexpr std::size_t kStarterThreads = 8;             // agents started at once
constexpr auto kBudget = std::chrono::seconds(240);    // then no further N is started
constexpr auto kHardStop = std::chrono::seconds(280);  // then the watchdog kills what we started

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> samples) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

// A small file (under /proc) read with read(2): a process that exits meanwhile gives "",
// where an istreambuf_iterator would throw.
std::string readSmall(const std::string& path) {
  std::string text;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buffer[4096];
  for (ssize_t got; (got = ::read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, got);
  ::close(fd);
  return text;
}

// CPU time of the whole machine (all cores, from /proc/stat): busy and total, in seconds.
struct MachineCpu {
  double busy = 0;
  double total = 0;
};
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

// What a fan-out cost in CPU: the share of all cores busy during it (anything running on the
// machine counts) and the CPU time of the caller's side.
class CpuMeter {
 public:
  CpuMeter(int who, std::vector<pid_t> servers)
      : who_(who),
        servers_(std::move(servers)),
        machine_(machineCpu()),
        caller_(cpuSeconds(who)),
        server_(processCpuSeconds(servers_)) {}
  double busyPercent() const {
    const auto now = machineCpu();
    const double total = now.total - machine_.total;
    return total > 0 ? 100 * (now.busy - machine_.busy) / total : 0;
  }
  double callerSeconds() const { return cpuSeconds(who_) - caller_; }
  double serverSeconds() const { return processCpuSeconds(servers_) - server_; }

 private:
  int who_;
  std::vector<pid_t> servers_;
  MachineCpu machine_;
  double caller_;
  double server_;
};

// Every process this benchmark started and that must not outlive it: the watchdog kills them
// when the run overstays kHardStop, so every wait in the main thread ends and cleans up.
class Watchdog {
 public:
  Watchdog() : thread_([this] { watch(); }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  void add(pid_t pid) {
    std::lock_guard lock(mutex_);
    pids_.insert(pid);
  }
  void remove(pid_t pid) {
    std::lock_guard lock(mutex_);
    pids_.erase(pid);
  }
  bool fired() const { return fired_; }

 private:
  void watch() {
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, kHardStop, [this] { return done_; })) return;
    fired_ = true;
    std::cerr << "watchdog: still running after " << kHardStop.count()
              << " s; killing the agents and sshd\n";
    for (const pid_t pid : pids_) ::kill(pid, SIGKILL);
    if (wake_.wait_for(lock, std::chrono::seconds(30), [this] { return done_; })) return;
    std::cerr << "watchdog: cleanup did not finish; exiting\n";
    std::_Exit(3);
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::set<pid_t> pids_;
  bool done_ = false;
  std::atomic<bool> fired_{false};
  std::thread thread_;
};

Watchdog* watchdog = nullptr;

// Runs work(i) for i < count on `threads` threads, each taking the next index when free.
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

// Spawns argv (no shell) with stdin and stdout on /dev/null, stderr to err_path.
pid_t spawn(const std::vector<std::string>& argv, const std::string& err_path = "/dev/null") {
  return rivet::test::spawnProcess(argv, "/dev/null", err_path);
}

int waitFor(pid_t pid) {
  int status = 0;
  if (pid <= 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int runQuietly(const std::vector<std::string>& argv, const std::string& err_path = "/dev/null") {
  return waitFor(spawn(argv, err_path));
}

// "Key:   1234 kB" from /proc/PID/<file>, in kB; 0 when absent.
long procKb(pid_t pid, const char* file, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + file);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + ":", 0) == 0) return std::atol(line.c_str() + key.size() + 1);
  }
  return 0;
}

std::uint16_t freeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

bool acceptsConnections(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

// One fan-out's figures.
struct Figures {
  Figures(std::string label_text, bool did_run = false, double wall = 0)
      : label(std::move(label_text)), ran(did_run), wall_s(wall) {}
  std::string label;
  bool ran = false;
  double wall_s = 0;
  std::size_t ok = 0;
  std::size_t total = 0;
  double host_median_ms = 0;              // per host, as the caller saw it
  std::optional<double> agent_median_ms;  // the execution's own duration, rivet only
  double busy_percent = 0;                // of all cores, during the fan-out
  double caller_cpu_s = 0;                // our process (rivet) or the ssh clients
  // The agents (with their shims and actions) or sshd (with the sessions it has reaped: not
  // the ControlMaster's, still open).
  std::optional<double> server_cpu_s;
  std::string note;
};

// N agents sharing one PKI and one pack; all stopped (at once) and removed when destroyed.
class Agents {
 public:
  Agents(std::size_t count, const rivet::client::DevPkiFiles& pki, const std::string& packs) {
    const auto start = Clock::now();
    agents_.resize(count);
    std::atomic<bool> failed{false};
    forEachOn(count, kStarterThreads, [&](std::size_t i) {
      if (failed) return;
      std::unique_ptr<RivetdProcess> agent;
      bool started = false;
      std::string why;
      try {
        agent = std::make_unique<RivetdProcess>(std::vector<std::string>{
            "rivetd.packs_dir=" + packs, "rivetd.plugins=storage-sqlite, transport-https, shell",
            "rivetd.log_level=warning", "transport-https.ca_file=" + pki.ca_cert,
            "transport-https.cert_file=" + pki.server_cert,
            "transport-https.key_file=" + pki.server_key, "transport-https.dev_pki=false"});
        started = agent->start();
        why = started ? "" : agent->log();
      } catch (const std::exception& error) {
        why = error.what();
      }
      if (agent && agent->pid() > 0) watchdog->add(agent->pid());
      agents_[i] = std::move(agent);
      if (!started && !failed.exchange(true)) {
        std::lock_guard lock(error_mutex_);
        error_ = "agent " + std::to_string(i) + " did not start: " + why;
      }
    });
    startup_s_ = secondsSince(start);
  }
  Agents(const Agents&) = delete;
  Agents& operator=(const Agents&) = delete;
  // Stops every agent (all signalled at once), kills anything left under their data dirs and
  // removes their temp dirs. RivetdProcess's destructor would do the same, but one agent at a
  // time, each scanning all of /proc; for hundreds of agents one scan for all is far cheaper,
  // so the cleanup is done here and the emptied objects are let go.
  ~Agents() {
    for (const auto& agent : agents_) {
      if (agent && agent->pid() > 0) ::kill(agent->pid(), SIGTERM);
    }
    std::vector<std::string> data_dirs;
    for (const auto& agent : agents_) {
      if (agent) data_dirs.push_back(agent->dataDir().string());
    }
    forEachOn(agents_.size(), 16, [&](std::size_t i) {
      if (!agents_[i]) return;
      const pid_t pid = agents_[i]->pid();
      agents_[i]->stop();  // waits for the exit (SIGKILL after 20 s)
      if (pid > 0) watchdog->remove(pid);
    });
    killLeftovers(data_dirs);
    for (auto& agent : agents_) {
      if (!agent) continue;
      std::error_code ec;
      std::filesystem::remove_all(agent->dataDir().parent_path(), ec);
      (void)agent.release();  // see above: nothing of it is left to clean up
    }
  }

  // Every process whose stdout or command line is under one of `data_dirs` (supervisors and
  // actions that outlived their agent), killed.
  static void killLeftovers(const std::vector<std::string>& data_dirs) {
    const auto mentions = [&](const std::string& text) {
      return std::any_of(data_dirs.begin(), data_dirs.end(), [&](const std::string& dir) {
        return text.find(dir) != std::string::npos;
      });
    };
    for (int round = 0; round < 3; ++round) {
      std::error_code ec;
      for (std::filesystem::directory_iterator it("/proc", ec), end; !ec && it != end;
           it.increment(ec)) {
        const auto name = it->path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::error_code link_ec;
        const auto out = std::filesystem::read_symlink(it->path() / "fd/1", link_ec).string();
        const auto cmdline = readSmall((it->path() / "cmdline").string());
        if ((!link_ec && mentions(out)) || mentions(cmdline)) ::kill(std::stoi(name), SIGKILL);
      }
    }
  }

  const std::string& error() const { return error_; }
  double startupSeconds() const { return startup_s_; }
  std::vector<pid_t> pids() const {
    std::vector<pid_t> pids;
    for (const auto& agent : agents_) pids.push_back(agent->pid());
    return pids;
  }
  std::vector<rivet::client::Instance> instances() const {
    std::vector<rivet::client::Instance> instances;
    for (std::size_t i = 0; i < agents_.size(); ++i) {
      rivet::client::Instance instance;
      instance.id = "agent-" + std::to_string(i);
      instance.endpoint = {"127.0.0.1", agents_[i]->port()};
      instances.push_back(std::move(instance));
    }
    return instances;
  }
  // Sums over the agents' processes: VmRSS (shared pages counted in each), Pss (shared pages
  // split among their sharers) and threads.
  struct Footprint {
    double rss_mib = 0;
    double pss_mib = 0;
    long threads = 0;
  };
  Footprint footprint() const {
    Footprint total;
    for (const auto& agent : agents_) {
      total.rss_mib += procKb(agent->pid(), "status", "VmRSS") / 1024.0;
      total.pss_mib += procKb(agent->pid(), "smaps_rollup", "Pss") / 1024.0;
      total.threads += procKb(agent->pid(), "status", "Threads");
    }
    return total;
  }

 private:
  std::vector<std::unique_ptr<RivetdProcess>> agents_;
  std::mutex error_mutex_;
  std::string error_;
  double startup_s_ = 0;
};

Figures rivetFanOut(const std::string& label, const std::vector<rivet::client::Instance>& instances,
                    const std::vector<pid_t>& agent_pids, const rivet::client::DevPkiFiles& pki,
                    std::optional<std::size_t> bound) {
  rivet::client::FleetOptions options;
  options.strategy = rivet::client::FleetStrategy::parallel;
  if (bound) options.max_concurrency = rivet::client::parseHostCount(std::to_string(*bound));
  options.max_errors = *rivet::client::parseHostCount("100%");  // a failure must not stop the run
  options.tls = {pki.ca_cert, pki.client_cert, pki.client_key};
  options.wait_limit = std::chrono::seconds(90);
  const CpuMeter cpu(RUSAGE_SELF, agent_pids);
  const auto start = Clock::now();
  const auto fleet =
      rivet::client::runFleet(instances, "bench.noop", nlohmann::json::object(), options);
  Figures figures{label, true, secondsSince(start)};
  figures.busy_percent = cpu.busyPercent();
  figures.caller_cpu_s = cpu.callerSeconds();
  figures.server_cpu_s = cpu.serverSeconds();
  figures.total = instances.size();
  std::vector<double> per_host;
  std::vector<double> agent_side;
  std::string first_error;
  for (const auto& host : fleet.hosts) {
    if (!host.failed())
      ++figures.ok;
    else if (first_error.empty())
      first_error = host.host + ": " + host.status + " " + host.error;
    per_host.push_back(static_cast<double>(host.ended_at_ms - host.started_at_ms));
    if (host.duration_ms) agent_side.push_back(static_cast<double>(*host.duration_ms));
  }
  figures.host_median_ms = median(per_host);
  if (!agent_side.empty()) figures.agent_median_ms = median(agent_side);
  figures.note = first_error;
  return figures;
}

// Our own sshd on 127.0.0.1: a fresh host key, a fresh client key, its own config; killed and
// removed when destroyed.
class LoopbackSshd {
 public:
  LoopbackSshd() : dir_("rivet-bench-sshd") {
    const auto key = [&](const std::string& name) {
      return runQuietly({"/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                         "rivet-bench", "-f", dir_.child(name)}) == 0;
    };
    if (!key("host_key") || !key("client_key")) {
      error_ = "ssh-keygen failed";
      return;
    }
    std::filesystem::copy_file(dir_.child("client_key.pub"), dir_.child("authorized_keys"));
    // sshd refuses to start without its privilege separation directory (made by the package's
    // service, which never ran here).
    if (!std::filesystem::exists("/run/sshd")) {
      std::error_code ec;
      made_run_dir_ = std::filesystem::create_directory("/run/sshd", ec);
      ::chmod("/run/sshd", 0755);
    }
    port_ = freeLoopbackPort();
    const auto* user = ::getpwuid(::getuid());
    user_ = user ? user->pw_name : "root";
    dir_.write("sshd_config",
               "ListenAddress 127.0.0.1\n"
               "Port " +
                   std::to_string(port_) +
                   "\n"
                   "HostKey " +
                   dir_.child("host_key") +
                   "\n"
                   "AuthorizedKeysFile " +
                   dir_.child("authorized_keys") +
                   "\n"
                   "PidFile " +
                   dir_.child("sshd.pid") +
                   "\n"
                   "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                   "PubkeyAuthentication yes\nPermitRootLogin prohibit-password\n"
                   "StrictModes no\nUsePAM no\nUseDNS no\nPrintMotd no\nLogLevel ERROR\n"
                   "MaxStartups 100:30:200\nMaxSessions 100\n"
                   // bash sources ~/.bashrc for a command that comes over ssh unless it is a
                   // nested shell; rc files differ by host and user (this machine's root runs
                   // `pyenv init`, ~165 ms), and rivet's `sh -c` reads none, so neither does ssh.
                   "SetEnv SHLVL=1\n");
    pid_ = spawn({"/usr/sbin/sshd", "-D", "-e", "-f", dir_.child("sshd_config")},
                 dir_.child("sshd.log"));
    if (pid_ <= 0) {
      error_ = "cannot spawn /usr/sbin/sshd";
      return;
    }
    watchdog->add(pid_);
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (!acceptsConnections(port_)) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_ || Clock::now() > deadline) {
        watchdog->remove(pid_);
        pid_ = -1;
        error_ = "sshd did not start: " + rivet::test::readFile(dir_.path() / "sshd.log");
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  LoopbackSshd(const LoopbackSshd&) = delete;
  LoopbackSshd& operator=(const LoopbackSshd&) = delete;
  ~LoopbackSshd() {
    closeMaster();
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      waitFor(pid_);
      watchdog->remove(pid_);
    }
    if (made_run_dir_) {
      std::error_code ec;
      std::filesystem::remove("/run/sshd", ec);
    }
  }

  const std::string& error() const { return error_; }
  pid_t pid() const { return pid_; }

  // `ssh ... true`; with `shared`, through the ControlMaster connection (made by the first).
  std::vector<std::string> command(bool shared) const {
    std::vector<std::string> argv{"/usr/bin/ssh",
                                  "-F",
                                  "/dev/null",
                                  "-p",
                                  std::to_string(port_),
                                  "-i",
                                  dir_.child("client_key"),
                                  "-o",
                                  "IdentitiesOnly=yes",
                                  "-o",
                                  "StrictHostKeyChecking=no",
                                  "-o",
                                  "UserKnownHostsFile=/dev/null",
                                  "-o",
                                  "BatchMode=yes",
                                  "-o",
                                  "LogLevel=ERROR",
                                  "-o",
                                  "ConnectTimeout=10"};
    if (shared) {
      argv.insert(argv.end(), {"-o", "ControlMaster=auto", "-o", "ControlPersist=60", "-o",
                               "ControlPath=" + dir_.child("cm")});
    } else {
      argv.insert(argv.end(), {"-o", "ControlMaster=no", "-o", "ControlPath=none"});
    }
    argv.insert(argv.end(), {user_ + "@127.0.0.1", "true"});
    return argv;
  }
  // Opens the master connection (ssh ... true, which stays in the background); its time, or
  // nullopt on failure.
  std::optional<double> openMaster() {
    const auto start = Clock::now();
    if (runQuietly(command(true), dir_.child("ssh.log")) != 0) return std::nullopt;
    master_open_ = true;
    return secondsSince(start) * 1000;
  }
  void closeMaster() {
    if (!master_open_) return;
    auto argv = command(true);
    argv.pop_back();  // "true"
    argv.insert(argv.end() - 1, {"-O", "exit"});
    runQuietly(argv);
    master_open_ = false;
  }
  std::string log() const { return rivet::test::readFile(dir_.path() / "ssh.log"); }

 private:
  TempDir dir_;
  std::string error_;
  std::string user_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  bool made_run_dir_ = false;
  bool master_open_ = false;
};

Figures sshFanOut(const std::string& label, LoopbackSshd& sshd, std::size_t count, bool shared) {
  const auto argv = sshd.command(shared);
  std::vector<double> per_host(count, 0);
  std::atomic<std::size_t> ok{0};
  const CpuMeter cpu(RUSAGE_CHILDREN, {sshd.pid()});
  const auto start = Clock::now();
  forEachOn(count, kBoundedConcurrency, [&](std::size_t i) {
    const auto started = Clock::now();
    if (runQuietly(argv, "/dev/null") == 0) ++ok;
    per_host[i] = secondsSince(started) * 1000;
  });
  Figures figures{label, true, secondsSince(start)};
  figures.busy_percent = cpu.busyPercent();
  figures.caller_cpu_s = cpu.callerSeconds();
  if (!shared) figures.server_cpu_s = cpu.serverSeconds();
  figures.total = count;
  figures.ok = ok;
  figures.host_median_ms = median(per_host);
  return figures;
}

void printRow(const Figures& f) {
  if (!f.ran) {
    std::printf("  %-46s %s\n", f.label.c_str(), f.note.c_str());
    return;
  }
  char agent[32] = "";
  if (f.agent_median_ms) std::snprintf(agent, sizeof agent, "%.0f", *f.agent_median_ms);
  char server[32] = "-";
  if (f.server_cpu_s) std::snprintf(server, sizeof server, "%.2f", *f.server_cpu_s);
  std::printf("  %-46s %7.2f %5zu/%-5zu %11.0f %8s %7.0f %9.2f %9s\n", f.label.c_str(), f.wall_s,
              f.ok, f.total, f.host_median_ms, agent, f.busy_percent, f.caller_cpu_s, server);
  if (f.ok != f.total && !f.note.empty()) std::printf("    first failure: %s\n", f.note.c_str());
}

void printRatio(const char* label, const Figures& a, const Figures& b) {
  if (!a.ran || !b.ran || b.wall_s <= 0 || a.ok != a.total || b.ok != b.total) return;
  std::printf("  %-46s %6.2fx\n", label, a.wall_s / b.wall_s);
}

// Raises the open-files limit to its hard limit; false when even that is too low for `count`
// connections at once (plus the agents' pipes and our own files).
bool enoughFiles(std::size_t count) {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  ::getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= 2 * count + 256;
}

long readLong(const char* path) {
  std::ifstream in(path);
  long value = 0;
  in >> value;
  return value;
}

// Room for `count` agents (5 threads each), a shim and an action per host, and a client thread
// per host at once, under the machine's pid and thread limits and (not for root) RLIMIT_NPROC.
std::string processRoomFor(std::size_t count) {
  const long needed = static_cast<long>(count) * 8 + 1000;
  const long pid_max = readLong("/proc/sys/kernel/pid_max");
  const long threads_max = readLong("/proc/sys/kernel/threads-max");
  rlimit nproc{};
  ::getrlimit(RLIMIT_NPROC, &nproc);
  if (pid_max > 0 && needed > pid_max) return "kernel.pid_max " + std::to_string(pid_max);
  if (threads_max > 0 && needed > threads_max)
    return "kernel.threads-max " + std::to_string(threads_max);
  if (::getuid() != 0 && nproc.rlim_cur != RLIM_INFINITY &&
      needed > static_cast<long>(nproc.rlim_cur)) {
    return "ulimit -u " + std::to_string(nproc.rlim_cur);
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> counts;
  for (int i = 1; i < argc; ++i)
    counts.push_back(static_cast<std::size_t>(std::max(1, std::atoi(argv[i]))));
  if (counts.empty()) counts = {100, 500};
  const auto began = Clock::now();
  Watchdog guard;
  watchdog = &guard;
  int exit_code = 0;
  try {
    TempDir pki_dir("rivet-bench-pki");
    const auto pki_path = pki_dir.path() / "pki";
    if (!rivet::client::makeDevPki(pki_path.string()).ok()) {
      std::cerr << "cannot make the PKI\n";
      return 1;
    }
    const auto pki = rivet::client::devPkiFiles(pki_path.string());
    TempDir packs("rivet-bench-packs");
    packs.write("bench/pack.yaml", "name: bench\nversion: 0.1.0\n");
    packs.write(
        "bench/actions/noop.yaml",
        "name: noop\nrunner_type: local-shell-cmd\n"
        "parameters:\n  cmd:\n    type: string\n    default: 'true'\n    immutable: true\n");

    std::unique_ptr<LoopbackSshd> sshd;
    std::string ssh_skipped;
    if (!std::filesystem::exists("/usr/sbin/sshd")) {
      ssh_skipped = "ssh: sshd not installed (apt-get install openssh-server)";
    } else if (!std::filesystem::exists("/usr/bin/ssh")) {
      ssh_skipped = "ssh: no ssh client (apt-get install openssh-client)";
    } else {
      sshd = std::make_unique<LoopbackSshd>();
      if (!sshd->error().empty()) {
        ssh_skipped = "ssh: skipped, " + sshd->error();
        sshd.reset();
      }
    }

    std::printf(
        "fleet fan-out: `true` (local-shell-cmd) on N rivetd agents on 127.0.0.1, parallel "
        "strategy,\nbeside `ssh 127.0.0.1 true` N times to our own sshd; %u CPUs\n",
        std::thread::hardware_concurrency());
    std::printf(
        "wall s: first start to last end; per-host ms: median, as the caller saw it; "
        "agent ms: median\nexecution duration recorded by rivetd; busy %%: share of all "
        "cores busy during the fan-out\n(anything on the machine counts); caller s: CPU "
        "seconds of this process (rivet) or of the ssh clients;\nserver s: CPU seconds "
        "of the agents with the shims and actions they ran, or of sshd with the "
        "sessions\nit has reaped (-: the ControlMaster's session process is still open)\n");
    if (!ssh_skipped.empty()) std::printf("%s\n", ssh_skipped.c_str());

    for (const std::size_t n : counts) {
      std::printf("\nN = %zu\n", n);
      if (secondsSince(began) > std::chrono::duration<double>(kBudget).count() || guard.fired()) {
        std::printf("  skipped: %s\n", guard.fired() ? "the watchdog stopped the run"
                                                     : "the run's time budget is spent");
        exit_code = 1;
        continue;
      }
      if (!enoughFiles(n)) {
        std::printf("  skipped: the open-files limit is too low for %zu connections (ulimit -n)\n",
                    n);
        exit_code = 1;
        continue;
      }
      if (const auto limit = processRoomFor(n); !limit.empty()) {
        std::printf("  skipped: %zu agents need more processes and threads than %s allows\n", n,
                    limit.c_str());
        exit_code = 1;
        continue;
      }
      auto agents_owner = std::make_unique<Agents>(n, pki, packs.str());
      Agents& agents = *agents_owner;
      if (!agents.error().empty()) {
        std::cerr << agents.error() << "\n";
        exit_code = 1;
        continue;
      }
      const auto footprint = agents.footprint();
      std::printf(
          "  %zu agents started in %.1f s (%zu at once); together RSS %.0f MiB (PSS %.0f "
          "MiB), %.0f MiB RSS each, %ld threads (pid_max %ld)\n",
          n, agents.startupSeconds(), kStarterThreads, footprint.rss_mib, footprint.pss_mib,
          footprint.rss_mib / n, footprint.threads, readLong("/proc/sys/kernel/pid_max"));
      const auto instances = agents.instances();
      const auto agent_pids = agents.pids();
      std::printf("  %-46s %7s %11s %11s %8s %7s %9s %9s\n", "", "wall s", "ok/N", "per-host ms",
                  "agent ms", "busy %", "caller s", "server s");
      const auto cold = rivetFanOut("rivet, max-concurrency 20 (first run)", instances, agent_pids,
                                    pki, kBoundedConcurrency);
      printRow(cold);
      const auto warm = rivetFanOut("rivet, max-concurrency 20 (second run)", instances, agent_pids,
                                    pki, kBoundedConcurrency);
      printRow(warm);
      const auto all = rivetFanOut("rivet, unbounded (all " + std::to_string(n) + " at once)",
                                   instances, agent_pids, pki, std::nullopt);
      printRow(all);
      std::string one_host;
      {  // one host at a time, for the latency of one call (to agents already used)
        std::vector<double> rivet_one;
        std::vector<double> ssh_one;
        for (std::size_t i = 0; i < 5; ++i) {
          const std::vector<rivet::client::Instance> one{instances[i % instances.size()]};
          rivet_one.push_back(rivetFanOut("", one, agent_pids, pki, 1).wall_s * 1000);
          if (sshd) ssh_one.push_back(sshFanOut("", *sshd, 1, false).wall_s * 1000);
        }
        one_host = "  one host alone, after the runs above (median of 5): rivet " +
                   std::to_string(static_cast<int>(median(rivet_one))) + " ms";
        if (sshd) {
          one_host +=
              ", ssh without sharing " + std::to_string(static_cast<int>(median(ssh_one))) + " ms";
        }
      }
      Figures plain{"ssh, 20 at once, no connection sharing"};
      Figures shared{"ssh, 20 at once, one ControlMaster connection"};
      if (sshd) {
        plain = sshFanOut(plain.label, *sshd, n, false);
        printRow(plain);
        if (const auto master_ms = sshd->openMaster()) {
          shared = sshFanOut(shared.label, *sshd, n, true);
          printRow(shared);
          std::printf("    (its master connection was opened before, in %.0f ms)\n", *master_ms);
          sshd->closeMaster();
        } else {
          auto why = sshd->log();
          std::replace(why.begin(), why.end(), '\n', ' ');
          shared.note = "skipped: the master connection failed: " + why;
          printRow(shared);
        }
        printRatio("ratio rivet 20 (first) / ssh 20", cold, plain);
        printRatio("ratio rivet 20 (second) / ssh 20", warm, plain);
        printRatio("ratio rivet unbounded / ssh 20", all, plain);
        printRatio("ratio rivet 20 (second) / ssh ControlMaster", warm, shared);
      } else {
        std::printf("  %s\n", ssh_skipped.c_str());
      }
      std::printf("%s\n", one_host.c_str());
      for (const Figures* f :
           std::initializer_list<const Figures*>{&cold, &warm, &all, &plain, &shared}) {
        if (f->ran && f->ok != f->total) exit_code = 1;
      }
      std::fflush(stdout);
      const auto stopping = Clock::now();
      agents_owner.reset();
      std::printf("  agents stopped and removed in %.1f s\n", secondsSince(stopping));
    }
  } catch (const std::exception& error) {  // unwound: every agent and sshd is cleaned up
    std::cerr << "failed: " << error.what() << "\n";
    exit_code = 1;
  }
  std::printf("\ntotal %.1f s\n", secondsSince(began));
  watchdog = nullptr;
  return guard.fired() ? 2 : exit_code;
}
