#include "shim/launch_request.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "rivet/test/temp_dir.hpp"

namespace rivet::core::shim {
namespace {

using nlohmann::json;

json validLaunch() {
  return {{"execution_id", "e-1"},
          {"argv", {"/bin/echo", "hi"}},
          {"env", {"PATH=/usr/bin"}},
          {"working_dir", "/tmp"},
          {"stdin_path", "/dev/null"},
          {"stdout_path", "/tmp/out"},
          {"stderr_path", "/tmp/err"},
          {"nice", 5},
          {"join_files", {"/sys/fs/cgroup/rivet/e-1/cgroup.procs"}},
          {"timeout_seconds", 30},
          {"kill_grace_seconds", 5}};
}

std::string refusal(const json& launch) {
  auto request = parseLaunchRequest(launch.dump());
  return request.ok() ? "" : request.status().message();
}

TEST(LaunchRequestTest, ReadsEveryKey) {
  auto request = parseLaunchRequest(validLaunch().dump());
  ASSERT_TRUE(request.ok()) << request.status().message();
  EXPECT_EQ(request->execution_id, "e-1");
  EXPECT_EQ(request->process.argv, (std::vector<std::string>{"/bin/echo", "hi"}));
  EXPECT_EQ(request->process.env, (std::vector<std::string>{"PATH=/usr/bin"}));
  EXPECT_EQ(request->process.working_dir, "/tmp");
  EXPECT_EQ(request->process.stdin_path, "/dev/null");
  EXPECT_EQ(request->process.stdout_path, "/tmp/out");
  EXPECT_EQ(request->process.stderr_path, "/tmp/err");
  EXPECT_EQ(request->process.nice, 5);
  EXPECT_EQ(request->process.join_files.size(), 1u);
  EXPECT_EQ(request->timeout_seconds, 30);
  EXPECT_EQ(request->kill_grace_seconds, 5);
}

TEST(LaunchRequestTest, RefusesUnknownAndMissingKeys) {
  json launch = validLaunch();
  launch["timeout"] = 3;
  EXPECT_EQ(refusal(launch), "launch.json: unknown key 'timeout'");
  launch = validLaunch();
  launch.erase("stdin_path");
  EXPECT_EQ(refusal(launch), "launch.json: missing key 'stdin_path'");
}

TEST(LaunchRequestTest, RefusesWrongTypesAndRanges) {
  json launch = validLaunch();
  launch["argv"] = json::array();
  EXPECT_NE(refusal(launch).find("'argv'"), std::string::npos);
  launch = validLaunch();
  launch["env"] = {"A=1", 2};
  EXPECT_EQ(refusal(launch), "launch.json: 'env' must be an array of strings");
  launch = validLaunch();
  launch["nice"] = 20;
  EXPECT_EQ(refusal(launch), "launch.json: 'nice' must be an integer in -20..19");
  launch = validLaunch();
  launch["timeout_seconds"] = -1;
  EXPECT_NE(refusal(launch).find("'timeout_seconds' must be an integer"), std::string::npos);
  launch = validLaunch();
  launch["kill_grace_seconds"] = 1.5;
  EXPECT_NE(refusal(launch).find("'kill_grace_seconds' must be an integer"), std::string::npos);
  launch = validLaunch();
  launch["working_dir"] = "";
  EXPECT_EQ(refusal(launch), "launch.json: 'working_dir' must be a non-empty string");
}

TEST(LaunchRequestTest, RefusesWhatIsNotAJsonObject) {
  EXPECT_NE(refusal(json::array()).find("not an object"), std::string::npos);
  auto request = parseLaunchRequest("{\"argv\": [");
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.status().message().rfind("launch.json is not valid JSON", 0), 0u);
}

TEST(LaunchRequestTest, WrittenRequestReadsBackTheSame) {
  auto request = parseLaunchRequest(validLaunch().dump());
  ASSERT_TRUE(request.ok());
  test::TempDir dir("rivet-launch-request-test");
  ASSERT_TRUE(writeLaunchRequest(dir.path() / "launch.json", *request).ok());
  EXPECT_EQ(json::parse(test::readFile(dir.path() / "launch.json")), validLaunch());
}

}  // namespace
}  // namespace rivet::core::shim
