#include "rivet/test/rivetd_process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace rivet::test {

pid_t spawnProcess(const std::vector<std::string>& argv, const std::string& out_path,
                   const std::string& err_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
  return condition();
}

RivetdProcess::RivetdProcess(std::vector<std::string> defines)
    : data_dir_(dir_.path() / "data"), defines_(std::move(defines)) {}

RivetdProcess::~RivetdProcess() {
  if (pid_ > 0) stop();
  killLeftovers();
}

void RivetdProcess::killLeftovers() {
  const auto data_dir = data_dir_.string();
  const auto underDataDir = [&data_dir](const std::filesystem::path& proc) {
    std::error_code ec;
    const auto out = std::filesystem::read_symlink(proc / "fd/1", ec).string();
    if (!ec && out.rfind(data_dir, 0) == 0) return true;
    return readFile(proc / "cmdline").find(data_dir) != std::string::npos;
  };
  // Processes come and go while /proc is read: the iterator is advanced without throwing, and
  // this runs in a destructor.
  for (int round = 0; round < 3; ++round) {
    std::error_code ec;
    for (std::filesystem::directory_iterator entry("/proc", ec), end; !ec && entry != end;
         entry.increment(ec)) {
      const auto name = entry->path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      const pid_t pid = std::stoi(name);
      if (pid != pid_ && underDataDir(entry->path())) ::kill(pid, SIGKILL);
    }
  }
}

bool RivetdProcess::start() {
  // A rivetd that was killed leaves its endpoints file behind: it must not be taken for ours.
  std::error_code stale;
  std::filesystem::remove(data_dir_ / "rivetd.endpoints", stale);
  std::vector<std::string> argv{RIVET_BINARY_DIR "/bin/rivetd",
                                "-D", "rivetd.data_dir=" + data_dir_.string(),
                                "-D", "rivetd.packs_dir=" RIVET_SOURCE_DIR "/packs",
                                "-D", "transport-https.listen=127.0.0.1",
                                "-D", "transport-https.port=0"};
  for (const auto& define : defines_) {
    argv.push_back("-D");
    argv.push_back(define);
  }
  pid_ = spawnProcess(argv, (dir_.path() / "rivetd.out").string(),
                      (dir_.path() / "rivetd.log").string());
  if (pid_ < 0) return false;

  const auto endpoints = data_dir_ / "rivetd.endpoints";
  bool exited = false;
  const bool listening = waitUntil([&] {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      exited = true;
      return true;
    }
    return std::filesystem::exists(endpoints);
  });
  if (exited) {
    pid_ = -1;
    return false;
  }
  if (!listening) return false;
  const auto text = readFile(endpoints);
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  port_ = static_cast<std::uint16_t>(std::stoi(text.substr(colon + 1)));
  return true;
}

int RivetdProcess::stop(int signal) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  int status = 0;
  pid_t reaped = 0;
  const bool ended = waitUntil([&] {
    reaped = waitpid(pid_, &status, WNOHANG);
    return reaped == pid_;
  });
  if (!ended) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
  pid_ = -1;
  return status;
}

std::string RivetdProcess::log() const { return readFile(dir_.path() / "rivetd.log"); }

ProgramResult runProgram(const std::vector<std::string>& argv) {
  TempDir dir;
  const auto out = (dir.path() / "out").string();
  const auto err = (dir.path() / "err").string();
  const pid_t pid = spawnProcess(argv, out, err);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), readFile(out),
          readFile(err)};
}

}  // namespace rivet::test
