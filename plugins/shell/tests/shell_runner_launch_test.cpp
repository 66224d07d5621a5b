// Plans executed for real (posix_spawn, roughly as rivetd does) to prove that hostile parameter
// values reach the script verbatim and that no shell ever parses them.
#include "rivet/test/run_plan.hpp"
#include "shell_runner_fixture.hpp"

namespace rivet::plugins::shell {
namespace {

using rivet::test::runPlan;
using rivet::test::splitAtNul;

TEST_F(ShellRunnerTest, RunningAScriptPlanDeliversHostileValuesVerbatim) {
  const Args hostile = hostileValues();
  const std::string named = "$(touch " + (dir_.path() / "pwned").string() + ")\n-x";
  auto action = scriptAction("print_args", std::string("#!/bin/sh\n") + kPrintArgsBody);
  auto plan = planOf(action, hostileParameters(action, hostile, named));

  auto result = runPlan(plan);
  EXPECT_EQ(result.exit_code, 0);
  Args expected{"--note=" + named};
  expected.insert(expected.end(), hostile.begin(), hostile.end());
  EXPECT_EQ(splitAtNul(result.out), expected);
  EXPECT_FALSE(canaryExists());
}

TEST_F(ShellRunnerTest, RunningAScriptThroughBashDeliversHostileValuesVerbatim) {
  const Args hostile = hostileValues();
  auto action = scriptAction("print_args_bash", kPrintArgsBody, kReadOnly);
  auto plan = planOf(action, hostileParameters(action, hostile, "`touch pwned`"));
  ASSERT_EQ(plan.argv.at(0), "/bin/bash");

  auto result = runPlan(plan);
  EXPECT_EQ(result.exit_code, 0);
  Args expected{"--note=`touch pwned`"};
  expected.insert(expected.end(), hostile.begin(), hostile.end());
  EXPECT_EQ(splitAtNul(result.out), expected);
  EXPECT_FALSE(canaryExists());
  EXPECT_FALSE(fs::exists(fs::path(pack_.path) / "pwned"));
}

TEST_F(ShellRunnerTest, RunningACmdPlanDeliversHostileValuesVerbatimAndNamesItself) {
  const Args hostile = hostileValues();
  auto action = cmdAction("print_args_cmd", "printf '%s\\0' \"$0\" \"$@\"; pwd");
  auto plan = planOf(action, hostileParameters(action, hostile, "; touch pwned"));

  auto result = runPlan(plan);
  EXPECT_EQ(result.exit_code, 0);
  Args expected{"rivet-print_args_cmd", "--note=; touch pwned"};
  expected.insert(expected.end(), hostile.begin(), hostile.end());
  const auto last_nul = result.out.rfind('\0');
  ASSERT_NE(last_nul, std::string::npos);
  EXPECT_EQ(splitAtNul(result.out.substr(0, last_nul + 1)), expected);
  EXPECT_EQ(result.out.substr(last_nul + 1), pack_.path + "\n");  // ran in the pack directory
  EXPECT_FALSE(canaryExists());
  EXPECT_FALSE(fs::exists(fs::path(pack_.path) / "pwned"));
}

// The examples pack's echo_args, planned as the host would from its metadata: the shipped
// script prints arguments between markers and the StackStorm environment.
TEST_F(ShellRunnerTest, ExamplesEchoArgsPrintsArgumentsAndEnvironment) {
  usePack("examples", RIVET_SOURCE_DIR "/packs/examples");
  sdk::ActionSpec action = actionOf("echo_args", "local-shell-script", "echo_args.sh");
  action.parameters = {param("message", sdk::ParameterType::string, 0),
                       param("extra", sdk::ParameterType::string, 1),
                       param("label", sdk::ParameterType::string),
                       param("loud", sdk::ParameterType::boolean)};
  ASSERT_TRUE(runner_->checkAction(pack_, action).ok());

  const std::string message = "$(touch " + (dir_.path() / "pwned").string() + "); `id` 'q\" *";
  auto plan = planOf(action, json{{"message", message}, {"label", "-l x"}, {"loud", true}});
  EXPECT_EQ(plan.argv.at(0), action.entry_point_path) << "echo_args.sh must be executable";

  auto result = runPlan(plan);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out,
            "--- args (4) ---\n"
            "--label=-l x\n"
            "--loud\n" +
                message +
                "\n"
                "\n"
                "--- end args ---\n"
                "ST2_ACTION_PACK_NAME=examples\n"
                "ST2_ACTION_EXECUTION_ID=exec-42\n");
  EXPECT_FALSE(canaryExists());
}

}  // namespace
}  // namespace rivet::plugins::shell
