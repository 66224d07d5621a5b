#include "loopback_sshd.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "rivet/test/rivetd_process.hpp"

namespace rivet::bench {
namespace {

// Runs argv (no shell) to its end, stdin and stdout on /dev/null and stderr to err_path: its exit
// status (128 + the signal if killed), -1 if it could not run.
int runQuietly(const std::vector<std::string>& argv, const std::string& err_path = "/dev/null") {
  const pid_t pid = rivet::test::spawnProcess(argv, "/dev/null", err_path);
  int status = 0;
  if (pid <= 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

LoopbackSshd::LoopbackSshd(Watchdog& watchdog) : dir_("rivet-bench-sshd"), server_(watchdog) {
  const auto key = [&](const std::string& name) {
    return runQuietly({"/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "rivet-bench",
                       "-f", dir_.child(name)}) == 0;
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
  const auto* user = ::getpwuid(::getuid());
  user_ = user ? user->pw_name : "root";
  dir_.write("sshd_config",
             "ListenAddress 127.0.0.1\n"
             "Port " +
                 std::to_string(server_.port()) +
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
  if (!server_.spawn({"/usr/sbin/sshd", "-D", "-e", "-f", dir_.child("sshd_config")}, "/dev/null",
                     dir_.child("sshd.log"))) {
    error_ = "cannot spawn /usr/sbin/sshd";
    return;
  }
  if (!server_.awaitListening())
    error_ = "sshd did not start: " + rivet::test::readFile(dir_.path() / "sshd.log");
}

LoopbackSshd::~LoopbackSshd() {
  closeMaster();
  server_.stop();
  if (made_run_dir_) {
    std::error_code ec;
    std::filesystem::remove("/run/sshd", ec);
  }
}

std::vector<std::string> LoopbackSshd::command(bool shared) const {
  std::vector<std::string> argv{"/usr/bin/ssh",
                                "-F",
                                "/dev/null",
                                "-p",
                                std::to_string(server_.port()),
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

bool LoopbackSshd::runTrue(bool shared) const { return runQuietly(command(shared)) == 0; }

std::optional<double> LoopbackSshd::openMaster() {
  const auto start = std::chrono::steady_clock::now();
  if (runQuietly(command(true), dir_.child("ssh.log")) != 0) return std::nullopt;
  master_open_ = true;
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

void LoopbackSshd::closeMaster() {
  if (!master_open_) return;
  auto argv = command(true);
  argv.pop_back();  // "true"
  argv.insert(argv.end() - 1, {"-O", "exit"});
  runQuietly(argv);
  master_open_ = false;
}

std::string LoopbackSshd::log() const { return rivet::test::readFile(dir_.path() / "ssh.log"); }

std::unique_ptr<LoopbackSshd> startLoopbackSshd(Watchdog& watchdog, std::string& why_not) {
  if (!std::filesystem::exists("/usr/sbin/sshd")) {
    why_not = "sshd not installed (apt-get install openssh-server)";
    return nullptr;
  }
  if (!std::filesystem::exists("/usr/bin/ssh")) {
    why_not = "no ssh client (apt-get install openssh-client)";
    return nullptr;
  }
  auto sshd = std::make_unique<LoopbackSshd>(watchdog);
  if (!sshd->error().empty()) {
    why_not = sshd->error();
    return nullptr;
  }
  return sshd;
}

}  // namespace rivet::bench
