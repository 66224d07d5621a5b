#include "lifecycle/history_lifecycle.hpp"

#include <gmock/gmock.h>

#include <filesystem>

#include "lifecycle_fixture.hpp"
#include "output/output_file.hpp"

namespace rivet::core::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

bool isCompressed(const fs::path& execution_dir) {
  return !fs::exists(execution_dir / "stdout") && !fs::exists(execution_dir / "stderr") &&
         fs::exists(execution_dir / "stdout.zst") && fs::exists(execution_dir / "stderr.zst");
}

bool isPlain(const fs::path& execution_dir) {
  return fs::exists(execution_dir / "stdout") && fs::exists(execution_dir / "stderr") &&
         !fs::exists(execution_dir / "stdout.zst") && !fs::exists(execution_dir / "stderr.zst");
}

TEST_F(LifecycleTest, NothingIsCompressedBeforeCompressAfter) {
  const auto dir = addExecution("e-1", kT0, kT0 + kMinuteMs);
  now_ms_ = kT0 + kMinuteMs + kDayMs - 1;
  const auto report = makeLifecycle(options()).runOnce();
  EXPECT_EQ(report.compressed_files, 0u);
  EXPECT_EQ(report.errors, 0u);
  EXPECT_TRUE(isPlain(dir));
}

TEST_F(LifecycleTest, EndedExecutionsAreCompressedOnceCompressAfterHasPassed) {
  const auto ended = addExecution("e-ended", kT0, kT0 + kMinuteMs);
  const auto running = addExecution("e-running", kT0, std::nullopt);
  now_ms_ = kT0 + kMinuteMs + kDayMs + 1;
  auto lifecycle = makeLifecycle(options());

  const auto report = lifecycle.runOnce();
  EXPECT_EQ(report.compressed_files, 2u);
  EXPECT_GT(report.bytes_saved, 0);
  EXPECT_EQ(report.errors, 0u);
  EXPECT_EQ(report.purged_executions, 0u);
  EXPECT_TRUE(isCompressed(ended));
  EXPECT_TRUE(isPlain(running));
  for (const char* stream : {"stdout", "stderr"}) {
    auto slice = readOutput(ended / stream, 0, 1 << 20);
    ASSERT_TRUE(slice.ok()) << slice.status().message();
    EXPECT_TRUE(slice->compressed);
    EXPECT_EQ(slice->bytes, outputText("e-ended", stream));
  }
  EXPECT_EQ(logger_.count(sdk::LogLevel::info, "compressed 2 output files"), 1);

  const auto again = lifecycle.runOnce();
  EXPECT_EQ(again.compressed_files, 0u);
  EXPECT_EQ(again.errors, 0u);
}

TEST_F(LifecycleTest, ExecutionWithAnUnreadableStatusIsLeftAlone) {
  const auto dir = addExecution("e-1", kT0, kT0 + kMinuteMs);
  data_dir_.write(fs::relative(dir / "status.json", data_dir_.path()).string(), "{\"ended_at");
  now_ms_ = kT0 + 10 * kDayMs;
  const auto report = makeLifecycle(options()).runOnce();
  EXPECT_EQ(report.compressed_files, 0u);
  EXPECT_EQ(report.errors, 0u);
  EXPECT_TRUE(isPlain(dir));
}

TEST_F(LifecycleTest, DaysAfterTheCutoffAreNotLookedInto) {
  // A status.json claiming an end long before its directory's day is never read: a day
  // directory holds only executions created, hence ended, on or after that day.
  const auto dir = addExecution("e-1", kT0, kT0 + kMinuteMs);
  data_dir_.write(fs::relative(dir / "status.json", data_dir_.path()).string(),
                  R"({"ended_at_ms": 1000})");
  // The last moment of that day: the cutoff, a day earlier, is before the day starts.
  now_ms_ = kT0 + 12 * 3600 * 1000 - 1;
  EXPECT_EQ(makeLifecycle(options()).runOnce().compressed_files, 0u);
  EXPECT_TRUE(isPlain(dir));

  now_ms_ += 2;  // the next day has begun: the directory is looked into
  EXPECT_EQ(makeLifecycle(options()).runOnce().compressed_files, 2u);
  EXPECT_TRUE(isCompressed(dir));
}

TEST_F(LifecycleTest, ExpiredExecutionsArePurgedWithTheirDirectories) {
  const auto old_dir = addExecution("e-old", kT0, kT0 + kMinuteMs);
  const auto alone_in_day = addExecution("e-day-before", kT0 - kDayMs, kT0 - kDayMs + 5);
  const auto alone_in_month = addExecution("e-february", kT0 - 30 * kDayMs, kT0 - 30 * kDayMs);
  const auto running = addExecution("e-running", kT0, std::nullopt);
  const auto recent = addExecution("e-recent", kT0 + 100 * kDayMs, kT0 + 100 * kDayMs + 5);
  now_ms_ = kT0 + kMinuteMs + 180 * kDayMs + 1;

  const auto report = makeLifecycle(options()).runOnce();
  EXPECT_EQ(report.purged_executions, 3u);
  EXPECT_EQ(report.errors, 0u);
  for (const char* id : {"e-old", "e-day-before", "e-february"}) {
    EXPECT_EQ(store_->get(id).status().code(), sdk::ErrorCode::not_found) << id;
  }
  EXPECT_FALSE(fs::exists(old_dir));
  EXPECT_FALSE(fs::exists(data_dir_.child("executions/2024/03/09")));
  EXPECT_FALSE(fs::exists(data_dir_.child("executions/2024/02")));
  EXPECT_TRUE(fs::exists(data_dir_.child("executions/2024/03/10")));  // e-running is there
  EXPECT_TRUE(fs::exists(data_dir_.child("executions")));

  EXPECT_TRUE(store_->get("e-running").ok());
  EXPECT_TRUE(isPlain(running));
  EXPECT_TRUE(store_->get("e-recent").ok());
  EXPECT_TRUE(isCompressed(recent));  // ended 80 days before now: compressed, not purged
}

TEST_F(LifecycleTest, PurgeGoesOnBatchAfterBatch) {
  for (int i = 0; i < 5; ++i) {
    addExecution("e-" + std::to_string(i), kT0 + i * kDayMs, kT0 + i * kDayMs + kMinuteMs);
  }
  now_ms_ = kT0 + 200 * kDayMs;
  auto options = this->options();
  options.batch = 2;
  const auto report = makeLifecycle(options).runOnce();
  EXPECT_EQ(report.purged_executions, 5u);
  EXPECT_EQ(report.errors, 0u);
  EXPECT_FALSE(fs::exists(data_dir_.child("executions/2024")));
  auto page = store_->list({});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
}

TEST_F(LifecycleTest, OutputPathOutsideTheDataDirectoryIsNeverRemoved) {
  rivet::test::TempDir elsewhere("lifecycle-elsewhere");
  const auto stdout_path = elsewhere.write("keep/stdout", "precious");
  sdk::ExecutionRecord record;
  record.id = "e-stray";
  record.pack = "linux";
  record.action = "disk_usage";
  record.created_at_ms = kT0;
  record.stdout_path = stdout_path.string();
  record.stderr_path = elsewhere.child("keep/stderr");
  ASSERT_TRUE(store_->create(record).ok());
  sdk::ExecutionUpdate ended;
  ended.status = sdk::ExecutionStatus::failed;
  ended.at_ms = kT0;
  ended.ended_at_ms = kT0;
  ASSERT_TRUE(store_->apply("e-stray", ended).ok());
  now_ms_ = kT0 + 181 * kDayMs;

  const auto report = makeLifecycle(options()).runOnce();
  EXPECT_EQ(report.purged_executions, 1u);
  EXPECT_EQ(report.errors, 1u);
  EXPECT_TRUE(fs::exists(stdout_path));
  EXPECT_EQ(logger_.count(sdk::LogLevel::warning, "outside"), 1);
}

TEST_F(LifecycleTest, StopRequestedBeforehandDoesNothing) {
  const auto dir = addExecution("e-1", kT0, kT0 + kMinuteMs);
  now_ms_ = kT0 + 181 * kDayMs;
  std::stop_source stop;
  stop.request_stop();
  const auto report = makeLifecycle(options()).runOnce(stop.get_token());
  EXPECT_EQ(report.purged_executions, 0u);
  EXPECT_EQ(report.compressed_files, 0u);
  EXPECT_TRUE(store_->get("e-1").ok());
  EXPECT_TRUE(isPlain(dir));
}

}  // namespace
}  // namespace rivet::core::testing
