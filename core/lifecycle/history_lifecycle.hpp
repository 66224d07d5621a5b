// What keeps execution history from growing forever: outputs of executions that ended a while
// ago are compressed in place, and executions past the retention period are deleted from the
// store together with their output directories.
//
// Output lives in <data_dir>/executions/YYYY/MM/DD/<id>/ (the UTC day the execution was
// created; see executor.cpp), with the supervisor's status.json beside stdout and stderr.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <stop_token>
#include <string>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/storage.hpp"

namespace rivet::core {

struct LifecycleOptions {
  std::filesystem::path data_dir;
  // An execution's outputs are compressed once it has been ended this long.
  std::chrono::seconds compress_after{std::chrono::hours(24)};
  // An execution is deleted, record and files, once it has been ended this long.
  std::chrono::seconds retention{std::chrono::hours(24 * 180)};
  // Executions deleted per store call: each call holds the store's write lock only that long.
  std::size_t batch = 1000;
};

struct LifecycleReport {
  std::size_t purged_executions = 0;
  std::size_t compressed_files = 0;
  std::int64_t bytes_saved = 0;  // plain size minus compressed size, over compressed files
  std::size_t errors = 0;        // each one logged
};

class HistoryLifecycle {
 public:
  // `now_ms` is the wall clock in epoch milliseconds (a test clock in tests). `store` and
  // `log` must outlive this object.
  HistoryLifecycle(sdk::ExecutionStore& store, LifecycleOptions options,
                   std::function<std::int64_t()> now_ms, sdk::Logger& log);

  // One pass: purge, then compress. Returns early, with what was done so far, once `stop` is
  // requested. Safe to call while rivetd serves requests: it touches only ended executions
  // and takes the store's locks one batch at a time. Not to be called concurrently with
  // itself.
  LifecycleReport runOnce(std::stop_token stop = {});

 private:
  void purge(std::int64_t now_ms, const std::stop_token& stop, LifecycleReport& report);
  void removeOutputDirectory(const sdk::ExecutionRecord& record, LifecycleReport& report);
  void compress(std::int64_t now_ms, const std::stop_token& stop, LifecycleReport& report);
  void compressExecution(const std::filesystem::path& execution_dir, std::int64_t cutoff_ms,
                         LifecycleReport& report);
  void fail(LifecycleReport& report, const std::string& message);

  sdk::ExecutionStore& store_;
  const LifecycleOptions options_;
  const std::filesystem::path executions_dir_;
  const std::function<std::int64_t()> now_ms_;
  sdk::Logger& log_;
};

}  // namespace rivet::core
