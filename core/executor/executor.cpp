#include "executor/executor.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Poco/UUIDGenerator.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fstream>
#include <optional>

#include "executor/supervisor_launcher.hpp"
#include "results/execution_result.hpp"
#include "shim/atomic_file.hpp"
#include "shim/execution_files.hpp"
#include "shim/launch_request.hpp"
#include "shim/process_tree.hpp"

namespace rivet::core {
namespace {

using sdk::ErrorCode;
using sdk::ExecutionStatus;
using sdk::Status;

// How a supervisor's status.json (and the action's result) translate into the execution's
// final status.
sdk::ExecutionUpdate terminalUpdate(const shim::ExecutionEnd& end,
                                    const std::filesystem::path& dir) {
  sdk::ExecutionUpdate update;
  if (auto result = readExecutionResult(dir / "result.json", dir / "stdout"); !result.is_null()) {
    update.result = std::move(result);
  }
  update.at_ms = end.ended_at_ms;
  update.ended_at_ms = end.ended_at_ms;
  update.started_at_ms = end.started_at_ms;
  update.exit_code = end.exit_code;
  update.term_signal = end.signal;
  update.reason = end.reason;
  switch (end.outcome) {
    case shim::Outcome::exited:
      update.status = end.exit_code == 0 ? ExecutionStatus::succeeded : ExecutionStatus::failed;
      if (update.status == ExecutionStatus::succeeded) update.reason.clear();
      break;
    case shim::Outcome::signaled:
    case shim::Outcome::failed_to_start: update.status = ExecutionStatus::failed; break;
    case shim::Outcome::timeout: update.status = ExecutionStatus::timeout; break;
    case shim::Outcome::canceled: update.status = ExecutionStatus::canceled; break;
  }
  return update;
}

// rivetd's own file in an execution directory: the pack directory it holds for the execution
// (SubmitRequest::pack_hold), one path. Absent for packs of the packs directory.
constexpr const char* kPackDirFile = "pack_dir";

std::optional<std::filesystem::path> readPackDirFile(const std::filesystem::path& dir) {
  std::ifstream in(dir / kPackDirFile);
  std::string path;
  if (!in || !std::getline(in, path) || path.empty()) return std::nullopt;
  return std::filesystem::path(path);
}

sdk::ExecutionUpdate endedUpdate(ExecutionStatus status, const std::string& reason) {
  sdk::ExecutionUpdate update;
  update.status = status;
  update.at_ms = nowMs();
  update.ended_at_ms = update.at_ms;
  update.reason = reason;
  return update;
}

bool sendToPidfd(int pidfd, int signal) {
  return ::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0) == 0;
}

}  // namespace

std::int64_t nowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::filesystem::path executionDir(const std::filesystem::path& data_dir, std::int64_t created_ms,
                                   const std::string& id) {
  const std::time_t seconds = created_ms / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char day[16];
  std::strftime(day, sizeof day, "%Y/%m/%d", &utc);
  return data_dir / "executions" / day / id;
}

Executor::Executor(sdk::ExecutionStore& store, ExecutorOptions options, sdk::Logger& log)
    : store_(store), options_(std::move(options)), log_(log), cells_(options_.sandbox, log) {
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
  watcher_ = std::thread([this] { watchLoop(); });
}

Executor::~Executor() { stop(); }

void Executor::stop() {
  if (stopping_.exchange(true)) return;
  wake();
  if (watcher_.joinable()) watcher_.join();
  releaseEndWaiters([](const EndWaiter&) { return true; });
  // Shims still starting run on; the next rivetd re-adopts them like the others.
  for (const auto& [report_fd, starting] : starting_) {
    ::close(report_fd);
    ::close(starting.shim.pidfd);
  }
  starting_.clear();
  std::lock_guard lock(mutex_);
  for (const auto& [pidfd, supervised] : supervised_) ::close(pidfd);
  supervised_.clear();
  // Those not ended run on (or wait in launch files); the next rivetd keeps their packs.
  for (const auto& [id, hold] : pack_holds_) hold->handOver();
  ::close(wake_fd_);
}

void Executor::wake() {
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

ExecutorCounts Executor::counts() const {
  std::lock_guard lock(mutex_);
  return {supervised_.size() + launching_.size(), queue_.size()};
}

bool Executor::isActive(const std::string& id) const {
  std::lock_guard lock(mutex_);
  for (const auto& queued : queue_) {
    if (queued.id == id) return true;
  }
  for (const auto& [pidfd, supervised] : supervised_) {
    if (supervised.id == id) return true;
  }
  return std::find(launching_.begin(), launching_.end(), id) != launching_.end();
}

sdk::StatusOr<sdk::ExecutionRecord> Executor::submit(const SubmitRequest& request) {
  if (stopping_) return Status(ErrorCode::unavailable, "rivetd is stopping");
  {
    std::lock_guard lock(mutex_);
    const auto waiting = queue_.size() + admitting_;
    const auto running = supervised_.size() + launching_.size();
    if (running + waiting >= options_.max_running + options_.max_queued) {
      return Status(ErrorCode::exhausted,
                    std::to_string(running) + " executions running and " +
                        std::to_string(waiting) + " queued, the limit; retry later");
    }
    ++admitting_;
  }
  // Leaves admission whichever way this returns.
  struct Admission {
    Executor& executor;
    ~Admission() {
      std::lock_guard lock(executor.mutex_);
      --executor.admitting_;
    }
  } admission{*this};

  sdk::ExecutionRecord record;
  record.id = Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
  record.pack = request.pack.ref;
  record.action = request.action.name;
  record.parameters = request.recorded_parameters;
  record.requester = request.requester;
  record.status = ExecutionStatus::requested;
  record.created_at_ms = nowMs();
  record.timeout_seconds = request.timeout_seconds;
  record.idempotency_key = request.idempotency_key;
  record.pack_version = request.pack.version;
  record.pack_source = request.pack_source;
  record.pack_digest = request.pack_digest;

  auto plan = request.runner.plan(
      sdk::LaunchRequest{record.id, request.pack, request.action, request.parameters});
  if (!plan.ok()) return plan.status();
  if (plan->argv.empty()) {
    return Status(ErrorCode::internal, "runner returned a launch plan with no argv");
  }

  const auto dir = executionDir(options_.data_dir, record.created_at_ms, record.id);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Status(ErrorCode::unavailable, "cannot create " + dir.string() + ": " + ec.message());
  }
  record.stdout_path = (dir / "stdout").string();
  record.stderr_path = (dir / "stderr").string();

  shim::LaunchRequest launch;
  launch.execution_id = record.id;
  launch.process.argv = plan->argv;
  launch.process.env = options_.base_env;
  for (const auto& [name, value] : plan->env) {
    std::erase_if(launch.process.env,
                  [&](const std::string& e) { return e.rfind(name + "=", 0) == 0; });
    launch.process.env.push_back(name + "=" + value);
  }
  launch.process.working_dir = plan->working_dir.empty() ? request.pack.path : plan->working_dir;
  launch.process.stdout_path = record.stdout_path;
  launch.process.stderr_path = record.stderr_path;
  launch.process.stdin_path = "/dev/null";
  launch.process.env.push_back(std::string(sdk::kResultFileVariable) + "=" +
                               (dir / "result.json").string());
  launch.process.nice = options_.nice;
  launch.timeout_seconds = record.timeout_seconds;
  launch.kill_grace_seconds = options_.kill_grace_seconds;
  auto written = [&]() -> Status {
    if (request.pack_hold) {
      if (auto status = shim::writeFileAtomically(dir / kPackDirFile,
                                                  request.pack_hold->path().string() + "\n");
          !status.ok()) {
        return status;
      }
    }
    if (!plan->stdin_data.empty()) {
      launch.process.stdin_path = (dir / "stdin").string();
      if (auto status = shim::writeFileAtomically(launch.process.stdin_path, plan->stdin_data);
          !status.ok()) {
        return status;
      }
    }
    return shim::writeLaunchRequest(dir / "launch.json", launch);
  }();
  if (written.ok()) written = store_.create(record);
  if (!written.ok()) {
    std::filesystem::remove_all(dir, ec);
    return written;
  }
  {
    std::lock_guard lock(mutex_);
    queue_.push_back({record.id, dir, false, request.action.limits});
    if (request.pack_hold) pack_holds_.emplace(record.id, request.pack_hold);
  }
  wake();
  return record;
}

sdk::StatusOr<sdk::ExecutionRecord> Executor::cancel(const std::string& id) {
  {
    std::unique_lock lock(mutex_);
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (it->id != id) continue;
      queue_.erase(it);
      lock.unlock();
      sdk::ExecutionUpdate update;
      update.status = ExecutionStatus::canceled;
      update.at_ms = nowMs();
      update.ended_at_ms = update.at_ms;
      update.reason = "canceled before it started";
      finish(id, update);
      return store_.get(id);
    }
    for (const auto& [pidfd, supervised] : supervised_) {
      if (supervised.id != id) continue;
      // The pidfd names this very supervisor, so the signal cannot reach a reused pid.
      if (!sendToPidfd(pidfd, SIGUSR1)) {
        return Status(ErrorCode::internal, "cannot signal the supervisor of " + id + ": " +
                                               std::strerror(errno));
      }
      lock.unlock();
      return markCanceling(id);
    }
    if (std::find(launching_.begin(), launching_.end(), id) != launching_.end()) {
      // Its supervisor is starting: launch() signals it as soon as it is registered.
      cancel_on_launch_.push_back(id);
      lock.unlock();
      return markCanceling(id);
    }
  }
  auto record = store_.get(id);
  if (!record.ok()) return record.status();
  if (sdk::isTerminal(record->status)) {
    return Status(ErrorCode::conflict, "execution " + id + " has already ended (" +
                                           std::string(toString(record->status)) + ")");
  }
  return Status(ErrorCode::conflict, "execution " + id + " is " +
                                         std::string(toString(record->status)) +
                                         " but not supervised by this rivetd");
}

sdk::StatusOr<sdk::ExecutionRecord> Executor::markCanceling(const std::string& id) {
  sdk::ExecutionUpdate update;
  update.status = ExecutionStatus::canceling;
  update.at_ms = nowMs();
  // Refused (conflict) when the supervisor has just reported the end: that end stands.
  [[maybe_unused]] auto applied = store_.apply(id, update);
  return store_.get(id);
}

void Executor::record(const std::string& id, const sdk::ExecutionUpdate& update) {
  auto status = store_.apply(id, update);
  if (status.code() == sdk::ErrorCode::too_large && update.result) {
    // Storage refused the whole update for its result: the end must be recorded regardless.
    log_.log(sdk::LogLevel::warning, "execution " + id + ": result not kept: " + status.message());
    auto without_result = update;
    without_result.result.reset();
    status = store_.apply(id, without_result);
  }
  if (!status.ok()) {
    log_.log(sdk::LogLevel::error, "execution " + id + ": cannot record status " +
                                       std::string(toString(update.status)) + ": " +
                                       status.message());
  }
}

void Executor::finish(const std::string& id, const sdk::ExecutionUpdate& update) {
  record(id, update);
  std::shared_ptr<const void> pack_hold;  // released outside the lock: it may remove a directory
  {
    std::lock_guard lock(mutex_);
    if (auto it = pack_holds_.find(id); it != pack_holds_.end()) {
      pack_hold = std::move(it->second);
      pack_holds_.erase(it);
    }
  }
  // Read once, for the waiting POSTs and the metrics alike.
  auto ended = store_.get(id);
  const bool recorded = ended.ok() && sdk::isTerminal(ended->status);
  releaseEndWaiters([&id](const EndWaiter& waiter) { return waiter.id == id; },
                    recorded ? &*ended : nullptr);
  if (recorded && options_.on_end) options_.on_end(*ended);
}

void Executor::whenEnded(const std::string& id, std::chrono::steady_clock::time_point deadline,
                         EndCallback done) {
  std::uint64_t key = 0;
  {
    std::lock_guard lock(mutex_);
    key = next_waiter_++;
    end_waiters_.emplace(key, EndWaiter{key, id, deadline, std::move(done)});
  }
  // Registered before storage is read: an end recorded after this read releases the waiter
  // in finish(), one recorded before it is seen here.
  auto record = store_.get(id);
  if (stopping_ || !record.ok() || sdk::isTerminal(record->status)) {
    releaseEndWaiters([key](const EndWaiter& waiter) { return waiter.key == key; },
                      record.ok() && sdk::isTerminal(record->status) ? &*record : nullptr);
  }
  wake();  // its deadline may be the earliest
}

void Executor::releaseEndWaiters(const std::function<bool(const EndWaiter&)>& due,
                                 const sdk::ExecutionRecord* ended) {
  std::vector<EndCallback> released;
  {
    std::lock_guard lock(mutex_);
    for (auto it = end_waiters_.begin(); it != end_waiters_.end();) {
      if (due(it->second)) {
        released.push_back(std::move(it->second.done));
        it = end_waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& done : released) done(ended);
}

int Executor::msUntilNextDeadline() const {
  std::lock_guard lock(mutex_);
  if (end_waiters_.empty()) return -1;
  auto earliest = std::chrono::steady_clock::time_point::max();
  for (const auto& [key, waiter] : end_waiters_) earliest = std::min(earliest, waiter.deadline);
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(
      earliest - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, INT32_MAX));
}

void Executor::finishInCell(const std::string& id, sdk::ExecutionUpdate update,
                            const SandboxCellSharedPtr& cell) {
  if (cell) recordUsage(update, cells_.close(id, *cell));
  finish(id, update);
}

void Executor::launch(const QueuedExecution& queued) {
  const auto not_launched = [&](ExecutionStatus status, const std::string& reason,
                                const SandboxCellSharedPtr& cell) {
    log_.log(sdk::LogLevel::error, "execution " + queued.id + ": " + reason);
    finishInCell(queued.id, endedUpdate(status, reason), cell);
    std::lock_guard lock(mutex_);
    std::erase(launching_, queued.id);
    std::erase(cancel_on_launch_, queued.id);
  };
  // Uncapped is never a silent fallback once the sandbox is usable: no cell, no run.
  auto cell = cells_.open(queued.id, queued.dir, queued.limits);
  if (!cell.ok()) return not_launched(ExecutionStatus::failed, cell.status().message(), nullptr);
  auto spawned = spawnSupervisor(options_.shim_path, queued.dir);
  if (!spawned.ok()) {
    return not_launched(ExecutionStatus::abandoned, spawned.status().message(), *cell);
  }
  starting_.emplace(spawned->report_fd, StartingExecution{queued, *spawned, *cell, ""});
}

void Executor::reportArrived(int report_fd) {
  auto it = starting_.find(report_fd);
  if (it == starting_.end() || !readReport(report_fd, it->second.report)) return;
  const StartingExecution started = std::move(it->second);
  starting_.erase(it);
  ::close(report_fd);
  const auto& id = started.queued.id;
  if (const auto action_pid = startedActionPid(started.report)) {
    sdk::ExecutionUpdate update;
    update.status = ExecutionStatus::running;
    update.at_ms = nowMs();
    update.started_at_ms = update.at_ms;
    update.pid = *action_pid;
    record(id, update);
  }
  bool cancel_requested = false;
  {
    std::lock_guard lock(mutex_);
    supervised_[started.shim.pidfd] = {id, started.queued.dir, started.shim.pid, true,
                                       started.cell};
    std::erase(launching_, id);
    cancel_requested = std::erase(cancel_on_launch_, id) > 0;
  }
  if (cancel_requested) sendToPidfd(started.shim.pidfd, SIGUSR1);
  // A start failure is reported in status.json too; it is recorded when the shim exits.
}

void Executor::launchQueued() {
  std::vector<QueuedExecution> to_launch;
  std::vector<std::string> to_mark;
  {
    std::lock_guard lock(mutex_);
    while (!queue_.empty() && supervised_.size() + launching_.size() < options_.max_running) {
      launching_.push_back(queue_.front().id);
      to_launch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    for (auto& queued : queue_) {
      if (!queued.marked_scheduled) {
        queued.marked_scheduled = true;
        to_mark.push_back(queued.id);
      }
    }
  }
  for (const auto& id : to_mark) {
    sdk::ExecutionUpdate update;
    update.status = ExecutionStatus::scheduled;
    update.at_ms = nowMs();
    update.reason = "waiting for one of " + std::to_string(options_.max_running) + " slots";
    record(id, update);
  }
  for (const auto& queued : to_launch) launch(queued);
}

void Executor::supervisorEnded(int pidfd) {
  SupervisedExecution supervised;
  {
    std::lock_guard lock(mutex_);
    auto it = supervised_.find(pidfd);
    if (it == supervised_.end()) return;
    supervised = it->second;
    supervised_.erase(it);
  }
  ::close(pidfd);
  if (supervised.is_child) {
    while (::waitpid(supervised.shim_pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  auto end = shim::readStatusFile(supervised.dir);
  finishInCell(supervised.id,
               end.ok() ? terminalUpdate(*end, supervised.dir)
                        : endedUpdate(ExecutionStatus::abandoned,
                                      "its supervisor (pid " + std::to_string(supervised.shim_pid) +
                                          ") exited without an exit status: " +
                                          end.status().message()),
               supervised.cell);
}

void Executor::adopt(const sdk::ExecutionRecord& record) {
  const auto dir = std::filesystem::path(record.stdout_path).parent_path();
  // For the executions kept below, running or queued again.
  const auto holdPackDirectory = [&] {
    const auto pack_dir = readPackDirFile(dir);
    if (!pack_dir || !options_.recovered_pack_hold) return;
    if (auto hold = options_.recovered_pack_hold(*pack_dir)) pack_holds_[record.id] = hold;
  };
  auto identity = shim::readSupervisorFile(dir);
  if (identity.ok()) {
    const auto stat = shim::readProcStat(identity->pid);
    const bool alive = stat && stat->start_time == identity->start_time &&
                       identity->boot_id == shim::currentBootId();
    const int pidfd = alive ? openPidfd(identity->pid) : -1;
    if (pidfd >= 0) {
      if (record.status == ExecutionStatus::requested ||
          record.status == ExecutionStatus::scheduled) {
        if (auto started = shim::readStartedFile(dir); started.ok()) {
          sdk::ExecutionUpdate update;
          update.status = ExecutionStatus::running;
          update.at_ms = nowMs();
          update.started_at_ms = started->started_at_ms;
          update.pid = started->pid;
          this->record(record.id, update);
        }
      }
      if (record.status == ExecutionStatus::canceling) sendToPidfd(pidfd, SIGUSR1);
      log_.log(sdk::LogLevel::info, "execution " + record.id + ": re-adopted its supervisor pid " +
                                        std::to_string(identity->pid));
      std::lock_guard lock(mutex_);
      supervised_[pidfd] = {record.id, dir, identity->pid, false, cells_.reopen(record.id)};
      holdPackDirectory();
      return;
    }
  }
  // No live supervisor: it ended while rivetd was away (status.json says how), it never
  // started (queue it again), or it is lost.
  if (auto end = shim::readStatusFile(dir); end.ok()) {
    log_.log(sdk::LogLevel::info, "execution " + record.id + ": ended while rivetd was down");
    finishInCell(record.id, terminalUpdate(*end, dir), cells_.reopen(record.id));
  } else if (identity.ok()) {
    finishInCell(record.id,
                 endedUpdate(ExecutionStatus::abandoned,
                             "its supervisor (pid " + std::to_string(identity->pid) +
                                 ") is gone and left no exit status"),
                 cells_.reopen(record.id));
  } else if ((record.status == ExecutionStatus::requested ||
              record.status == ExecutionStatus::scheduled) &&
             std::filesystem::exists(dir / "launch.json")) {
    const auto limits = options_.action_limits
                            ? options_.action_limits(record.pack, record.action)
                            : sdk::ResourceLimits{};
    std::lock_guard lock(mutex_);
    queue_.push_back({record.id, dir, record.status == ExecutionStatus::scheduled, limits});
    holdPackDirectory();
  } else {
    finishInCell(record.id,
                 endedUpdate(ExecutionStatus::abandoned,
                             "rivetd lost it: no supervisor and no launch file in " +
                                 dir.string()),
                 cells_.reopen(record.id));
  }
}

void Executor::recover() {
  auto unfinished = store_.listUnfinished();
  if (!unfinished.ok()) {
    log_.log(sdk::LogLevel::error,
             "cannot list unfinished executions: " + unfinished.status().message());
    return;
  }
  for (const auto& record : *unfinished) adopt(record);
  if (!unfinished->empty()) {
    const auto now = counts();
    log_.log(sdk::LogLevel::info, "recovered " + std::to_string(unfinished->size()) +
                                      " unfinished executions: " + std::to_string(now.running) +
                                      " running, " + std::to_string(now.queued) + " queued");
  }
  wake();
}

void Executor::watchLoop() {
  std::vector<pollfd> fds;
  while (!stopping_) {
    fds.clear();
    fds.push_back({wake_fd_, POLLIN, 0});
    for (const auto& [report_fd, starting] : starting_) fds.push_back({report_fd, POLLIN, 0});
    const std::size_t first_pidfd = fds.size();
    {
      std::lock_guard lock(mutex_);
      for (const auto& [pidfd, supervised] : supervised_) fds.push_back({pidfd, POLLIN, 0});
    }
    if (::poll(fds.data(), fds.size(), msUntilNextDeadline()) < 0) {
      if (errno == EINTR) continue;
      log_.log(sdk::LogLevel::error, std::string("executor poll: ") + std::strerror(errno));
      return;
    }
    if (stopping_) return;
    if (fds[0].revents & POLLIN) {
      std::uint64_t count;
      [[maybe_unused]] auto n = ::read(wake_fd_, &count, sizeof count);
    }
    for (std::size_t i = 1; i < first_pidfd; ++i) {
      if (fds[i].revents) reportArrived(fds[i].fd);
    }
    for (std::size_t i = first_pidfd; i < fds.size(); ++i) {
      if (fds[i].revents) supervisorEnded(fds[i].fd);
    }
    launchQueued();
    const auto now = std::chrono::steady_clock::now();
    releaseEndWaiters([now](const EndWaiter& waiter) { return waiter.deadline <= now; });
  }
}

std::set<std::filesystem::path> packDirectoriesInUse(sdk::ExecutionStore& store) {
  std::set<std::filesystem::path> in_use;
  auto unfinished = store.listUnfinished();
  if (!unfinished.ok()) return in_use;  // recover() reports it
  for (const auto& record : *unfinished) {
    if (auto pack_dir = readPackDirFile(std::filesystem::path(record.stdout_path).parent_path())) {
      in_use.insert(*pack_dir);
    }
  }
  return in_use;
}

}  // namespace rivet::core
