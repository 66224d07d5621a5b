// The runner parameters script runners share: what a pack may fix, and what a plan gets from it.
#include "rivet/runner_support/runner_parameters.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "rivet/test/parameter_spec.hpp"

namespace rivet::runner_support {
namespace {

using nlohmann::json;
using sdk::ParameterType;
using Env = std::map<std::string, std::string>;

using rivet::test::param;

sdk::ActionSpec actionWith(json runner_parameters) {
  sdk::ActionSpec action;
  action.pack = "testpack";
  action.name = "act";
  action.runner_type = "local-shell-script";
  action.runner_parameters = std::move(runner_parameters);
  return action;
}

sdk::PackSpec testPack() {
  sdk::PackSpec pack;
  pack.ref = "testpack";
  pack.name = "testpack";
  pack.path = "/opt/packs/testpack";
  return pack;
}

// The message when the action is refused, "" when accepted; refusals must be unprocessable.
std::string refusal(const sdk::ActionSpec& action) {
  auto status = checkRunnerParameters(action);
  if (status.ok()) return "";
  EXPECT_EQ(status.code(), sdk::ErrorCode::unprocessable) << status.message();
  return status.message();
}

TEST(CheckRunnerParametersTest, AcceptsWellFormedAndUnknownParameters) {
  EXPECT_EQ(refusal(actionWith(json::object())), "");
  EXPECT_EQ(refusal(actionWith(json{{"cwd", "/tmp"},
                                    {"kwarg_op", "-"},
                                    {"env", {{"LC_ALL", "C"}, {"EMPTY", ""}}},
                                    {"sudo", false},
                                    {"cmd", "true"},
                                    {"timeout", 5}})),
            "");
  EXPECT_EQ(refusal(actionWith(json{{"cwd", nullptr}, {"kwarg_op", nullptr}, {"env", nullptr}})),
            "");
}

TEST(CheckRunnerParametersTest, RefusesRunnerParametersThatAreNotAnObject) {
  EXPECT_EQ(refusal(actionWith(json::array())),
            "testpack.act: runner parameters must be an object");
  EXPECT_EQ(refusal(actionWith(nullptr)), "testpack.act: runner parameters must be an object");
}

TEST(CheckRunnerParametersTest, RefusesCwdAndKwargOpThatAreNotStrings) {
  EXPECT_EQ(refusal(actionWith(json{{"cwd", 5}})),
            "testpack.act: runner parameter `cwd` must be a string");
  EXPECT_EQ(refusal(actionWith(json{{"kwarg_op", true}})),
            "testpack.act: runner parameter `kwarg_op` must be a string");
}

TEST(CheckRunnerParametersTest, RefusesSudo) {
  EXPECT_EQ(refusal(actionWith(json{{"sudo", true}})),
            "testpack.act: `sudo: true` is not supported: actions run as rivetd's user");
}

TEST(CheckRunnerParametersTest, RefusesEnvThatIsNotAnObjectOfStringsWithValidNames) {
  EXPECT_EQ(refusal(actionWith(json{{"env", "A=B"}})),
            "testpack.act: runner parameter `env` must be an object of strings");
  EXPECT_EQ(refusal(actionWith(json{{"env", {{"A", 1}}}})),
            "testpack.act: runner parameter `env` value of `A` must be a string");
  EXPECT_EQ(refusal(actionWith(json{{"env", {{"A=B", "x"}}}})),
            "testpack.act: runner parameter `env` has an invalid name `A=B`");
  EXPECT_EQ(refusal(actionWith(json{{"env", {{"", "x"}}}})),
            "testpack.act: runner parameter `env` has an invalid name ``");
  EXPECT_NE(refusal(actionWith(json{{"env", {{std::string("A\0B", 3), "x"}}}})), "");
}

TEST(CheckRunnerParametersTest, RefusesSharedAndNegativePositions) {
  auto shared = actionWith(json::object());
  shared.parameters = {param("a", ParameterType::string, 1), param("b", ParameterType::string, 1)};
  EXPECT_EQ(refusal(shared), "testpack.act: parameters `a` and `b` share position 1");
  auto negative = actionWith(json::object());
  negative.parameters = {param("a", ParameterType::string, -1)};
  EXPECT_EQ(refusal(negative), "testpack.act: parameter `a` has a negative position -1");
}

TEST(NamedPrefixTest, IsKwargOpOrTheDoubleDash) {
  EXPECT_EQ(namedPrefix(actionWith(json::object())), "--");
  EXPECT_EQ(namedPrefix(actionWith(json{{"kwarg_op", nullptr}})), "--");
  EXPECT_EQ(namedPrefix(actionWith(json{{"kwarg_op", "-"}})), "-");
  EXPECT_EQ(namedPrefix(actionWith(json{{"kwarg_op", ""}})), "");
}

TEST(WorkingDirectoryTest, IsThePackUnlessCwdIsSet) {
  const sdk::PackSpec pack = testPack();
  auto workingDirectoryOf = [&](json runner_parameters) {
    const sdk::ActionSpec action = actionWith(std::move(runner_parameters));
    const json parameters = json::object();
    return workingDirectory(sdk::LaunchRequest{"exec-42", pack, action, parameters});
  };
  EXPECT_EQ(workingDirectoryOf(json::object()), pack.path);
  EXPECT_EQ(workingDirectoryOf(json{{"cwd", nullptr}}), pack.path);
  EXPECT_EQ(workingDirectoryOf(json{{"cwd", ""}}), pack.path);
  EXPECT_EQ(workingDirectoryOf(json{{"cwd", "/tmp"}}), "/tmp");
  EXPECT_EQ(workingDirectoryOf(json{{"cwd", "actions"}}), pack.path + "/actions");
  EXPECT_EQ(workingDirectoryOf(json{{"cwd", "./actions/../lib"}}), pack.path + "/lib");
  EXPECT_EQ(workingDirectoryOf(json{{"cwd", ".."}}), "/opt/packs/");
}

TEST(ActionEnvironmentTest, NamesPackActionAndExecutionOverThePacksEnv) {
  const sdk::PackSpec pack = testPack();
  const sdk::ActionSpec action = actionWith(json{{"env",
                                                  {{"LC_ALL", "C"},
                                                   {"ST2_ACTION_PACK_NAME", "forged"},
                                                   {"ST2_ACTION_EXECUTION_ID", "forged"},
                                                   {"RIVET_ACTION_PACK", "forged"},
                                                   {"RIVET_ACTION_NAME", "forged"},
                                                   {"RIVET_EXECUTION_ID", "forged"}}}});
  const json parameters = json::object();
  EXPECT_EQ(actionEnvironment(sdk::LaunchRequest{"exec-42", pack, action, parameters}),
            (Env{{"LC_ALL", "C"},
                 {"ST2_ACTION_PACK_NAME", "testpack"},
                 {"ST2_ACTION_EXECUTION_ID", "exec-42"},
                 {"RIVET_ACTION_PACK", "testpack"},
                 {"RIVET_ACTION_NAME", "act"},
                 {"RIVET_EXECUTION_ID", "exec-42"}}));
}

TEST(ActionEnvironmentTest, LeavesOutEntriesTheCheckWouldHaveRefused) {
  const sdk::PackSpec pack = testPack();
  const json parameters = json::object();
  const sdk::ActionSpec bad = actionWith(json{{"env", {{"A=B", "x"}, {"N", 1}, {"OK", "y"}}}});
  const Env env = actionEnvironment(sdk::LaunchRequest{"exec-42", pack, bad, parameters});
  EXPECT_EQ(env.count("A=B"), 0u);
  EXPECT_EQ(env.count("N"), 0u);
  EXPECT_EQ(env.at("OK"), "y");
  EXPECT_EQ(env.size(), 6u);

  const sdk::ActionSpec not_object = actionWith(json{{"env", "A=B"}});
  EXPECT_EQ(actionEnvironment(sdk::LaunchRequest{"exec-42", pack, not_object, parameters}).size(),
            5u);
}

}  // namespace
}  // namespace rivet::runner_support
