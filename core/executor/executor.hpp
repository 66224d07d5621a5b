// Runs executions: records each one durably before it is acknowledged, starts its launch
// plan, watches its process and records how it ended.
//
// One thread does the launching and the watching: it polls the pidfds of the running
// processes and an eventfd that submit() signals, so there is no thread per execution and
// stopping the executor never touches a running action (it keeps running; a later rivetd
// reconciles it).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/runner.hpp"
#include "rivet/sdk/storage.hpp"
#include "rivet/sdk/types.hpp"

namespace rivet::core {

struct ExecutorOptions {
  std::filesystem::path data_dir;      // output goes to <data_dir>/executions/YYYY/MM/DD/<id>/
  int nice = 1;
  std::vector<std::string> base_env;   // "NAME=value"; a plan's env is added on top
};

struct SubmitRequest {
  const sdk::PackSpec& pack;
  const sdk::ActionSpec& action;
  const sdk::Runner& runner;
  const nlohmann::json& parameters;    // validated, defaults applied: what the runner gets
  const nlohmann::json& recorded_parameters;  // the same with secrets redacted: what is stored
  const sdk::Requester& requester;
};

class Executor {
 public:
  Executor(sdk::ExecutionStore& store, ExecutorOptions options, sdk::Logger& log);
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;
  ~Executor();

  // Plans the execution and records it as `requested`. When this returns ok the execution
  // is durable and will be started; on error nothing was recorded.
  sdk::StatusOr<sdk::ExecutionRecord> submit(const SubmitRequest& request);

  std::size_t runningCount() const;

  // Stops launching and watching. Running actions are left running.
  void stop();

 private:
  struct PendingLaunch {
    std::string id;
    sdk::LaunchPlan plan;
    std::string pack_dir;
    std::filesystem::path output_dir;
  };
  struct RunningProcess {
    std::string id;
    pid_t pid;
  };

  void watchLoop();
  void launch(PendingLaunch pending);
  void reap(int pidfd);
  void record(const std::string& id, const sdk::ExecutionUpdate& update);

  sdk::ExecutionStore& store_;
  ExecutorOptions options_;
  sdk::Logger& log_;
  int wake_fd_ = -1;
  std::atomic<bool> stopping_{false};

  mutable std::mutex mutex_;                 // guards pending_ and running_count_
  std::deque<PendingLaunch> pending_;
  std::size_t running_count_ = 0;
  std::map<int, RunningProcess> running_;    // by pidfd; only the watch thread touches it

  std::thread watcher_;
};

// Milliseconds since the Unix epoch.
std::int64_t nowMs();

}  // namespace rivet::core
