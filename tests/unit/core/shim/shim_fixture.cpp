#include "shim_fixture.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

extern char** environ;

namespace rivet::core::shim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kShimPath = RIVET_BINARY_DIR "/bin/rivet-shim";

// Pipe ends numbered from 10 up, so neither is fd 3 itself: dup2 onto its own number would
// keep close-on-exec set and the shim would find fd 3 closed.
void makeReportPipe(int& read_fd, int& write_fd) {
  int ends[2];
  ASSERT_EQ(::pipe2(ends, O_CLOEXEC), 0) << std::strerror(errno);
  read_fd = ::fcntl(ends[0], F_DUPFD_CLOEXEC, 10);
  write_fd = ::fcntl(ends[1], F_DUPFD_CLOEXEC, 10);
  ::close(ends[0]);
  ::close(ends[1]);
}

std::string commandLine(const fs::path& proc_dir) {
  // The process may exit while it is read: readFile does not throw then.
  std::string text = rivet::test::readFile(proc_dir / "cmdline");
  for (char& c : text) {
    if (c == '\0') c = ' ';
  }
  return text;
}

}  // namespace

bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

pid_t spawnShim(const fs::path& execution_dir, int report_fd, bool session_leader) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (report_fd >= 0) posix_spawn_file_actions_adddup2(&actions, report_fd, 3);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  if (session_leader) posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
  std::string path = kShimPath;
  std::string dir = execution_dir.string();
  char* argv[] = {path.data(), dir.data(), nullptr};
  pid_t pid = -1;
  const int error = ::posix_spawn(&pid, path.c_str(), &actions, &attributes, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) {
    ADD_FAILURE() << "posix_spawn " << path << ": " << std::strerror(error);
    return -1;
  }
  return pid;
}

std::optional<json> readJsonFile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) {
    ADD_FAILURE() << file << " exists but is not valid JSON: '" << text << "'";
    return std::nullopt;
  }
  return doc;
}

void ShimTest::SetUp() {
  fs::copy_file("/usr/bin/sleep", marker());
  fs::permissions(marker(), fs::perms::owner_all);
  ASSERT_EQ(::mkfifo(fifo().c_str(), 0600), 0) << std::strerror(errno);
}

void ShimTest::TearDown() {
  if (shim_pid_ > 0) {
    // A cancel stops the action's whole tree; SIGKILL only if the shim does not finish.
    ::kill(shim_pid_, SIGUSR1);
    int status = 0;
    if (!waitUntil([&] { return ::waitpid(shim_pid_, &status, WNOHANG) != 0; }, 10s)) {
      ::kill(shim_pid_, SIGKILL);
      ::waitpid(shim_pid_, &status, 0);
    }
  }
  for (pid_t pid : processesWithMarker()) ::kill(pid, SIGKILL);
  // Undo the one test that adopts orphans, whether or not it got to the end.
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
  if (report_fd_ >= 0) ::close(report_fd_);
}

json ShimTest::launchFor(std::vector<std::string> argv) const {
  return {{"execution_id", "test-execution"},
          {"argv", std::move(argv)},
          {"env", {"PATH=/usr/bin:/bin", "M=" + marker(), "F=" + fifo()}},
          {"working_dir", dir_.str()},
          {"stdin_path", "/dev/null"},
          {"stdout_path", dir_.child("stdout")},
          {"stderr_path", dir_.child("stderr")},
          {"nice", 0},
          {"join_files", json::array()},
          {"timeout_seconds", 0},
          {"kill_grace_seconds", 5}};
}

void ShimTest::start(const json& launch, bool session_leader) {
  startWithLaunchText(launch.dump(), session_leader);
}

void ShimTest::startWithLaunchText(const std::string& text, bool session_leader) {
  dir_.write("launch.json", text);
  int write_fd = -1;
  makeReportPipe(report_fd_, write_fd);
  shim_pid_ = spawnShim(dir_.path(), write_fd, session_leader);
  ::close(write_fd);
  ASSERT_GT(shim_pid_, 0);
}

std::string ShimTest::reportLine() {
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd readable{report_fd_, POLLIN, 0};
    if (::poll(&readable, 1, 100) <= 0) continue;
    char c;
    if (::read(report_fd_, &c, 1) != 1 || c == '\n') return line;
    line += c;
  }
  ADD_FAILURE() << "no report line on fd 3 within 10 s; got '" << line << "'";
  return line;
}

json ShimTest::waitForStatus() {
  std::optional<json> status;
  const bool appeared = waitUntil(
      [&] { return (status = readJsonFile(dir_.path() / "status.json")).has_value(); }, 30s);
  EXPECT_TRUE(appeared) << "no status.json within 30 s";
  return status.value_or(json::object());
}

int ShimTest::waitForShimExit() {
  int status = 0;
  const bool exited =
      waitUntil([&] { return ::waitpid(shim_pid_, &status, WNOHANG) == shim_pid_; }, 30s);
  EXPECT_TRUE(exited) << "rivet-shim did not exit within 30 s";
  if (!exited) return -1;
  shim_pid_ = -1;
  EXPECT_TRUE(WIFEXITED(status)) << "rivet-shim died: wait status " << status;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<pid_t> ShimTest::processesWithMarker() const {
  std::vector<pid_t> found;
  std::error_code error;
  for (fs::directory_iterator it("/proc", error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    // A zombie's command line is empty: only live processes count.
    if (commandLine(it->path()).find(marker()) != std::string::npos) {
      found.push_back(std::stoi(name));
    }
  }
  return found;
}

void ShimTest::openGate() {
  int fd = -1;
  // Opening a FIFO without blocking fails with ENXIO until its reader has opened it.
  ASSERT_TRUE(waitUntil(
      [&] { return (fd = ::open(fifo().c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC)) >= 0; }, 10s))
      << "the action never opened " << fifo();
  ASSERT_EQ(::write(fd, "go\n", 3), 3);
  ::close(fd);
}

}  // namespace rivet::core::shim
