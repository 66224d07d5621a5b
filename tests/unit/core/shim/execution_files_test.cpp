#include "shim/execution_files.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include "rivet/test/temp_dir.hpp"
#include "shim/process_tree.hpp"

namespace rivet::core::shim {
namespace {

class ExecutionFilesTest : public ::testing::Test {
 protected:
  test::TempDir dir_{"rivet-execution-files-test"};
};

TEST_F(ExecutionFilesTest, SupervisorFileNamesTheCallingProcess) {
  ASSERT_TRUE(writeSupervisorFile(dir_.path()).ok());
  auto identity = readSupervisorFile(dir_.path());
  ASSERT_TRUE(identity.ok()) << identity.status().message();
  EXPECT_EQ(identity->pid, ::getpid());
  EXPECT_EQ(identity->start_time, readProcStat(::getpid())->start_time);
  EXPECT_EQ(identity->boot_id, currentBootId());
  EXPECT_EQ(identity->boot_id.size(), 36u) << "a UUID without its newline";
}

TEST_F(ExecutionFilesTest, StartedFileRoundTrips) {
  ASSERT_TRUE(writeStartedFile(dir_.path(), {4243, 987660, 1763917415123}).ok());
  auto started = readStartedFile(dir_.path());
  ASSERT_TRUE(started.ok()) << started.status().message();
  EXPECT_EQ(started->pid, 4243);
  EXPECT_EQ(started->start_time, 987660u);
  EXPECT_EQ(started->started_at_ms, 1763917415123);
}

TEST_F(ExecutionFilesTest, StatusFileRoundTripsWithAndWithoutNulls) {
  ExecutionEnd timed_out{Outcome::timeout, std::nullopt, 15, "timed out after 2 s", 1000, 3000};
  ASSERT_TRUE(writeStatusFile(dir_.path(), timed_out).ok());
  EXPECT_EQ(test::readFile(dir_.path() / "status.json"),
            R"({"ended_at_ms":3000,"exit_code":null,"outcome":"timeout",)"
            R"("reason":"timed out after 2 s","signal":15,"started_at_ms":1000})"
            "\n");
  auto end = readStatusFile(dir_.path());
  ASSERT_TRUE(end.ok()) << end.status().message();
  EXPECT_EQ(end->outcome, Outcome::timeout);
  EXPECT_EQ(end->exit_code, std::nullopt);
  EXPECT_EQ(end->signal, 15);
  EXPECT_EQ(end->reason, "timed out after 2 s");
  EXPECT_EQ(end->started_at_ms, 1000);
  EXPECT_EQ(end->ended_at_ms, 3000);

  ExecutionEnd failed{Outcome::failed_to_start, std::nullopt, std::nullopt, "no", std::nullopt, 5};
  ASSERT_TRUE(writeStatusFile(dir_.path(), failed).ok());
  end = readStatusFile(dir_.path());
  ASSERT_TRUE(end.ok()) << end.status().message();
  EXPECT_EQ(end->outcome, Outcome::failed_to_start);
  EXPECT_EQ(end->started_at_ms, std::nullopt);
}

TEST_F(ExecutionFilesTest, ReadingSaysWhetherTheFileIsMissingOrWrong) {
  EXPECT_EQ(readStatusFile(dir_.path()).status().code(), sdk::ErrorCode::not_found);
  dir_.write("status.json", R"({"outcome":"finished","exit_code":0,"signal":null,)"
                            R"("reason":"","started_at_ms":1,"ended_at_ms":2})");
  auto end = readStatusFile(dir_.path());
  ASSERT_FALSE(end.ok());
  EXPECT_EQ(end.status().code(), sdk::ErrorCode::internal);
  EXPECT_NE(end.status().message().find("unknown outcome 'finished'"), std::string::npos);
  dir_.write("started.json", R"({"pid":"12"})");
  EXPECT_EQ(readStartedFile(dir_.path()).status().code(), sdk::ErrorCode::internal);
}

}  // namespace
}  // namespace rivet::core::shim
