// The rivet CLI against a real rivetd, as an operator runs it.
#include <gtest/gtest.h>

#include "rivetd_test_support.hpp"

namespace rivet::test {
namespace {

class CliTest : public SharedRivetdTest<CliTest> {
 protected:
  ProgramResult rivet(std::vector<std::string> args) {
    std::vector<std::string> argv{RIVET_BINARY_DIR "/bin/rivet", "--host", rivetd_->hostPort(),
                                  "--certs", rivetd_->pkiDir().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return runProgram(argv);
  }
};

TEST_F(CliTest, RunWaitShowsTheOutputAndExitsZeroOnSuccess) {
  auto result = rivet({"run", "examples.echo_args", "message=from the cli", "--wait"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("from the cli"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("succeeded"), std::string::npos) << result.out;
}

TEST_F(CliTest, RunWaitExitsNonZeroWhenTheActionFails) {
  auto result = rivet({"run", "examples.fail", "code=3", "--wait"});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.out.find("failed"), std::string::npos) << result.out;
}

TEST_F(CliTest, JsonOutputIsMachineReadable) {
  auto health = rivet({"health", "--json"});
  ASSERT_EQ(health.exit_code, 0) << health.err;
  EXPECT_EQ(nlohmann::json::parse(health.out)["status"], "ok");

  auto run = rivet({"run", "examples.echo_args", "message=json", "--wait", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto execution = nlohmann::json::parse(run.out);
  const auto id = execution["id"].get<std::string>();
  EXPECT_EQ(execution["status"], "succeeded");

  auto get = rivet({"get", id, "--json"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(nlohmann::json::parse(get.out)["id"], id);

  auto output = rivet({"output", id});
  ASSERT_EQ(output.exit_code, 0) << output.err;
  EXPECT_NE(output.out.find("json"), std::string::npos);

  auto list = rivet({"list", "--action", "examples.echo_args", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(id), std::string::npos);
}

TEST_F(CliTest, AWrongParameterTypeIsAClearError) {
  auto result = rivet({"run", "examples.fail", "code=three"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE((result.out + result.err).find("code"), std::string::npos) << result.out << result.err;
}

TEST_F(CliTest, RunFollowStreamsTheOutputAndTailAndKillWork) {
  auto followed = rivet({"run", "examples.sleep", "seconds=2", "--follow"});
  EXPECT_EQ(followed.exit_code, 0) << followed.err;
  EXPECT_EQ(followed.out, "tick 1/2\ntick 2/2\ndone\n");

  auto started = rivet({"run", "examples.spawn_tree", "--json"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  const std::string id = nlohmann::json::parse(started.out)["id"];
  auto client = clientFor(*rivetd_);
  ASSERT_TRUE(waitUntil([&] {
    auto out = client.output(id, "stdout");
    return out.ok() && !out->bytes.empty();
  }));
  auto killed = rivet({"kill", id});
  EXPECT_EQ(killed.exit_code, 0) << killed.err;
  auto tail = rivet({"tail", id});  // follows until the canceled tree is gone
  EXPECT_EQ(tail.out, "tree started\n") << tail.err;
  EXPECT_EQ(client.waitForEnd(id, std::chrono::steady_clock::now() + std::chrono::seconds(30),
                              std::chrono::milliseconds(10))
                ->at("status"),
            "canceled");
  EXPECT_EQ(rivet({"kill", id}).exit_code, 1) << "a finished execution cannot be killed";
}

TEST_F(CliTest, AnUnreachableHostExitsWithThree) {
  auto result = runProgram({RIVET_BINARY_DIR "/bin/rivet", "--host", "127.0.0.1:1", "--certs",
                            rivetd_->pkiDir().string(), "health"});
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
}

}  // namespace
}  // namespace rivet::test
