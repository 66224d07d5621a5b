#include "executor/executor.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Poco/UUIDGenerator.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>

#include "executor/process_launcher.hpp"

namespace rivet::core {
namespace {

using sdk::ErrorCode;
using sdk::ExecutionStatus;
using sdk::Status;

// Output is sharded by day so that retention can drop whole directories.
std::filesystem::path outputDir(const std::filesystem::path& data_dir, std::int64_t created_ms,
                                const std::string& id) {
  const std::time_t seconds = created_ms / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char day[16];
  std::strftime(day, sizeof day, "%Y/%m/%d", &utc);
  return data_dir / "executions" / day / id;
}

std::string describeEnd(int wait_status, sdk::ExecutionUpdate& update) {
  if (WIFEXITED(wait_status)) {
    update.exit_code = WEXITSTATUS(wait_status);
    update.status = *update.exit_code == 0 ? ExecutionStatus::succeeded : ExecutionStatus::failed;
    return *update.exit_code == 0 ? "" : "exited with code " + std::to_string(*update.exit_code);
  }
  const int signal = WTERMSIG(wait_status);
  update.term_signal = signal;
  update.status = ExecutionStatus::failed;
  const char* name = sigabbrev_np(signal);
  return "killed by signal " + std::to_string(signal) + (name ? std::string(" (SIG") + name + ")" : "");
}

}  // namespace

std::int64_t nowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Executor::Executor(sdk::ExecutionStore& store, ExecutorOptions options, sdk::Logger& log)
    : store_(store), options_(std::move(options)), log_(log) {
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
  watcher_ = std::thread([this] { watchLoop(); });
}

Executor::~Executor() { stop(); }

void Executor::stop() {
  if (stopping_.exchange(true)) return;
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  if (watcher_.joinable()) watcher_.join();
  for (const auto& [pidfd, process] : running_) ::close(pidfd);
  running_.clear();
  ::close(wake_fd_);
}

std::size_t Executor::runningCount() const {
  std::lock_guard lock(mutex_);
  return running_count_;
}

sdk::StatusOr<sdk::ExecutionRecord> Executor::submit(const SubmitRequest& request) {
  if (stopping_) return Status(ErrorCode::unavailable, "rivetd is stopping");
  sdk::ExecutionRecord record;
  record.id = Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
  record.pack = request.pack.ref;
  record.action = request.action.name;
  record.parameters = request.recorded_parameters;
  record.requester = request.requester;
  record.status = ExecutionStatus::requested;
  record.created_at_ms = nowMs();

  auto plan = request.runner.plan(
      sdk::LaunchRequest{record.id, request.pack, request.action, request.parameters});
  if (!plan.ok()) return plan.status();
  if (plan->argv.empty()) {
    return Status(ErrorCode::internal, "runner returned a launch plan with no argv");
  }

  const auto dir = outputDir(options_.data_dir, record.created_at_ms, record.id);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Status(ErrorCode::unavailable, "cannot create " + dir.string() + ": " + ec.message());
  }
  record.stdout_path = (dir / "stdout").string();
  record.stderr_path = (dir / "stderr").string();

  if (auto status = store_.create(record); !status.ok()) {
    std::filesystem::remove_all(dir, ec);
    return status;
  }
  {
    std::lock_guard lock(mutex_);
    pending_.push_back({record.id, std::move(plan).value(), request.pack.path, dir});
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  return record;
}

void Executor::record(const std::string& id, const sdk::ExecutionUpdate& update) {
  if (auto status = store_.apply(id, update); !status.ok()) {
    log_.log(sdk::LogLevel::error, "execution " + id + ": cannot record status " +
                                       std::string(sdk::toString(update.status)) + ": " +
                                       status.message());
  }
}

void Executor::launch(PendingLaunch pending) {
  ProcessSpec spec;
  spec.argv = pending.plan.argv;
  spec.env = options_.base_env;
  for (const auto& [name, value] : pending.plan.env) {
    std::erase_if(spec.env, [&](const std::string& e) { return e.rfind(name + "=", 0) == 0; });
    spec.env.push_back(name + "=" + value);
  }
  spec.working_dir = pending.plan.working_dir.empty() ? pending.pack_dir : pending.plan.working_dir;
  spec.stdout_path = (pending.output_dir / "stdout").string();
  spec.stderr_path = (pending.output_dir / "stderr").string();
  spec.stdin_path = "/dev/null";
  if (!pending.plan.stdin_data.empty()) {
    spec.stdin_path = (pending.output_dir / "stdin").string();
    std::ofstream(spec.stdin_path, std::ios::binary) << pending.plan.stdin_data;
  }
  spec.nice = options_.nice;

  auto started = startProcess(spec);
  if (!started.ok()) {
    sdk::ExecutionUpdate update;
    update.status = ExecutionStatus::failed;
    update.at_ms = nowMs();
    update.ended_at_ms = update.at_ms;
    update.reason = started.status().message();
    log_.log(sdk::LogLevel::warning, "execution " + pending.id + ": " + update.reason);
    record(pending.id, update);
    return;
  }
  sdk::ExecutionUpdate update;
  update.status = ExecutionStatus::running;
  update.at_ms = nowMs();
  update.started_at_ms = update.at_ms;
  update.pid = started->pid;
  record(pending.id, update);
  running_.emplace(started->pidfd, RunningProcess{pending.id, started->pid});
  std::lock_guard lock(mutex_);
  ++running_count_;
}

void Executor::reap(int pidfd) {
  auto it = running_.find(pidfd);
  if (it == running_.end()) return;
  int wait_status = 0;
  pid_t reaped;
  do {
    reaped = ::waitpid(it->second.pid, &wait_status, WNOHANG);
  } while (reaped < 0 && errno == EINTR);
  if (reaped == 0) return;  // readable but not yet reapable: poll again

  sdk::ExecutionUpdate update;
  update.at_ms = nowMs();
  update.ended_at_ms = update.at_ms;
  if (reaped < 0) {
    update.status = ExecutionStatus::failed;
    update.reason = std::string("lost the process: ") + std::strerror(errno);
  } else {
    update.reason = describeEnd(wait_status, update);
  }
  record(it->second.id, update);
  ::close(pidfd);
  running_.erase(it);
  std::lock_guard lock(mutex_);
  --running_count_;
}

void Executor::watchLoop() {
  std::vector<pollfd> fds;
  while (!stopping_) {
    fds.clear();
    fds.push_back({wake_fd_, POLLIN, 0});
    for (const auto& [pidfd, process] : running_) fds.push_back({pidfd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      log_.log(sdk::LogLevel::error, std::string("executor poll: ") + std::strerror(errno));
      return;
    }
    if (stopping_) return;
    if (fds[0].revents & POLLIN) {
      std::uint64_t count;
      [[maybe_unused]] auto n = ::read(wake_fd_, &count, sizeof count);
      std::deque<PendingLaunch> launches;
      {
        std::lock_guard lock(mutex_);
        launches.swap(pending_);
      }
      for (auto& pending : launches) launch(std::move(pending));
    }
    for (std::size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents) reap(fds[i].fd);
    }
  }
}

}  // namespace rivet::core
