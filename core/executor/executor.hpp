// Runs executions. Each accepted execution is durable before it is acknowledged: its launch
// file (core/shim/README.md) is on disk and its record in storage. It then waits in a FIFO
// queue for one of `max_running` slots, and runs under its own rivet-shim, which owns the
// action's process tree, enforces timeout and cancel, and writes how it ended.
//
// rivetd does not need to outlive an action: stop() leaves supervisors running, and recover()
// in the next rivetd re-adopts them (pid + process start time), reconciles those that ended
// meanwhile from their status files, and queues again what was accepted but never started.
//
// One thread launches and watches: it polls the pidfds of the supervisors, the report pipes of
// those starting (so one shim's start does not hold the next launch or an end), and an eventfd
// that submit(), cancel() and whenEnded() signal, and wakes for the earliest whenEnded()
// deadline.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "executor/execution_cells.hpp"
#include "executor/supervisor_launcher.hpp"
#include "packs/owned_pack_directory.hpp"
#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/runner.hpp"
#include "rivet/sdk/sandbox.hpp"
#include "rivet/sdk/storage.hpp"
#include "rivet/sdk/types.hpp"

namespace rivet::core {

struct ExecutorOptions {
  std::filesystem::path data_dir;      // output goes to <data_dir>/executions/YYYY/MM/DD/<id>/
  std::filesystem::path shim_path;     // the rivet-shim binary
  int nice = 1;
  std::vector<std::string> base_env;   // "NAME=value"; a plan's env is added on top
  std::size_t max_running = 16;
  std::size_t max_queued = 256;        // beyond running + queued, submit() is `exhausted`
  int kill_grace_seconds = 5;
  // Called once per execution that reaches a terminal status (metrics).
  std::function<void(const sdk::ExecutionRecord&)> on_end;
  // Runs each execution in its own cell when set and usable; null: no sandbox.
  sdk::Sandbox* sandbox = nullptr;
  // The limits an action's metadata asks for, by pack and action name: for executions that an
  // earlier rivetd accepted and this one starts.
  std::function<sdk::ResourceLimits(const std::string& pack, const std::string& action)>
      action_limits;
  // The hold on a pack directory that an execution of an earlier rivetd ran from (see
  // packDirectoriesInUse()), for the executions recover() keeps; null: none is kept.
  std::function<std::shared_ptr<const OwnedPackDirectory>(const std::filesystem::path&)>
      recovered_pack_hold;
};

struct SubmitRequest {
  const sdk::PackSpec& pack;
  const sdk::ActionSpec& action;
  const sdk::Runner& runner;
  const nlohmann::json& parameters;    // validated, defaults applied: what the runner gets
  const nlohmann::json& recorded_parameters;  // the same with secrets redacted: what is stored
  const sdk::Requester& requester;
  int timeout_seconds = 0;             // the effective timeout, already checked by the caller
  std::string idempotency_key;
  // Kept until the execution ends: its pack's directory (PackEntry::directory_hold). Its path
  // is written beside the launch file, so that a restarted rivetd keeps it too.
  std::shared_ptr<const OwnedPackDirectory> pack_hold;
  std::string pack_source = "packs_dir";  // recorded with pack.version (ExecutionRecord)
  std::string pack_digest;
};

struct ExecutorCounts {
  std::size_t running = 0;
  std::size_t queued = 0;
};

class Executor {
 public:
  Executor(sdk::ExecutionStore& store, ExecutorOptions options, sdk::Logger& log);
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;
  ~Executor();

  // Takes over what a previous rivetd left unfinished. Call once, before submit().
  void recover();

  // Plans the execution, writes its launch file and records it as `requested`. When this
  // returns ok the execution is durable and will run; on error nothing was recorded:
  // `exhausted` when the queue is full, `conflict` when storage refused the record (an
  // Idempotency-Key used before).
  sdk::StatusOr<sdk::ExecutionRecord> submit(const SubmitRequest& request);

  // Cancels a queued execution at once (`canceled`) or asks a running one's supervisor to stop
  // its tree (`canceling`, then `canceled` once no process is left). `conflict` if it ended.
  sdk::StatusOr<sdk::ExecutionRecord> cancel(const std::string& id);

  // Queued or running in this rivetd. An execution whose output is complete is not active.
  bool isActive(const std::string& id) const;
  ExecutorCounts counts() const;

  // Calls `done` once, as soon as the execution's end is in storage (with the ended record,
  // read once for every waiter and on_end), at `deadline` or when the executor stops (with
  // null: read it yourself), whichever comes first; at once if it has ended already. `done`
  // runs on the executor's thread or the caller's, so it must not block: a POST that waits
  // for its execution answers from it.
  using EndCallback = std::function<void(const sdk::ExecutionRecord* ended)>;
  void whenEnded(const std::string& id, std::chrono::steady_clock::time_point deadline,
                 EndCallback done);

  // Stops launching and watching. Running actions are left running under their supervisors.
  void stop();

 private:
  struct QueuedExecution {
    std::string id;
    std::filesystem::path dir;
    bool marked_scheduled = false;
    sdk::ResourceLimits limits;        // the action's, for its sandbox cell
  };
  struct EndWaiter {
    std::uint64_t key = 0;             // which whenEnded() call
    std::string id;
    std::chrono::steady_clock::time_point deadline;
    EndCallback done;
  };
  // Spawned, its report ("started <pid>") not read yet; the watcher thread's alone.
  struct StartingExecution {
    QueuedExecution queued;
    SpawnedSupervisor shim;
    SandboxCellSharedPtr cell;
    std::string report;
  };
  struct SupervisedExecution {
    std::string id;
    std::filesystem::path dir;
    pid_t shim_pid = -1;
    bool is_child = false;             // started by this rivetd: reap it with waitpid
    SandboxCellSharedPtr cell;         // null: runs uncapped
  };

  void watchLoop();
  void launchQueued();
  void launch(const QueuedExecution& queued);
  void reportArrived(int report_fd);
  void supervisorEnded(int pidfd);
  void adopt(const sdk::ExecutionRecord& record);
  void finish(const std::string& id, const sdk::ExecutionUpdate& update);
  // finish() after emptying and removing the execution's cell, with its usage recorded.
  void finishInCell(const std::string& id, sdk::ExecutionUpdate update,
                    const SandboxCellSharedPtr& cell);
  void record(const std::string& id, const sdk::ExecutionUpdate& update);
  // Takes out the end waiters that `due` selects and calls them with `ended`, outside the lock.
  void releaseEndWaiters(const std::function<bool(const EndWaiter&)>& due,
                         const sdk::ExecutionRecord* ended = nullptr);
  int msUntilNextDeadline() const;  // for poll(): -1 when no one waits
  sdk::StatusOr<sdk::ExecutionRecord> markCanceling(const std::string& id);
  void wake();

  sdk::ExecutionStore& store_;
  ExecutorOptions options_;
  sdk::Logger& log_;
  ExecutionCells cells_;
  int wake_fd_ = -1;
  std::atomic<bool> stopping_{false};

  mutable std::mutex mutex_;           // guards everything below
  std::deque<QueuedExecution> queue_;
  std::size_t admitting_ = 0;          // submits past admission, not yet queued
  std::vector<std::string> launching_; // out of the queue, supervisor not yet registered
  std::map<int, StartingExecution> starting_;  // by report fd; the watcher thread's only
  std::vector<std::string> cancel_on_launch_;  // canceled while launching: signal when registered
  std::map<int, SupervisedExecution> supervised_;  // by pidfd
  std::map<std::string, std::shared_ptr<const OwnedPackDirectory>> pack_holds_;  // by execution id
  std::uint64_t next_waiter_ = 0;
  std::map<std::uint64_t, EndWaiter> end_waiters_;

  std::thread watcher_;
};

// Milliseconds since the Unix epoch.
std::int64_t nowMs();

// <data_dir>/executions/YYYY/MM/DD/<id>: sharded by creation day so retention drops whole days.
std::filesystem::path executionDir(const std::filesystem::path& data_dir, std::int64_t created_ms,
                                   const std::string& id);

// The pack directories rivetd made (delivered versions, dev packs) that executions an earlier
// rivetd left unfinished run from: what a restart must not remove before recover().
std::set<std::filesystem::path> packDirectoriesInUse(sdk::ExecutionStore& store);

}  // namespace rivet::core
