// What the lifecycle tests share: the real storage-sqlite plugin on a fresh data directory, a
// clock the test moves, and executions made as rivetd makes them (a store record plus a dated
// output directory with stdout, stderr and, once ended, the supervisor's status.json).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "lifecycle/history_lifecycle.hpp"
#include "rivet/sdk/storage.hpp"
#include "rivet/test/plugin_handle.hpp"
#include "rivet/test/recording_logger.hpp"
#include "rivet/test/temp_dir.hpp"

namespace rivet::core::testing {

inline constexpr std::int64_t kMinuteMs = 60'000;
inline constexpr std::int64_t kDayMs = 86'400'000;
inline constexpr std::int64_t kT0 = 1'710'072'000'000;  // 2024-03-10T12:00:00Z

class LifecycleTest : public ::testing::Test {
 protected:
  LifecycleTest();

  // Output text that compresses well and differs per execution.
  static std::string outputText(const std::string& id, const std::string& stream);

  // Adds execution `id`, created at `created_ms`; ended (succeeded) at `ended_ms`, or still
  // running when that is empty (then without status.json). Returns its output directory.
  std::filesystem::path addExecution(const std::string& id, std::int64_t created_ms,
                                     std::optional<std::int64_t> ended_ms);

  // Options on this data directory, compressing after 1 day and keeping 180 days.
  LifecycleOptions options() const;
  HistoryLifecycle makeLifecycle(const LifecycleOptions& options);

  rivet::test::TempDir data_dir_{"lifecycle-test"};
  rivet::test::RecordingLogger logger_;
  std::shared_ptr<sdk::ExecutionStore> store_;
  std::int64_t now_ms_ = kT0;
};

}  // namespace rivet::core::testing
