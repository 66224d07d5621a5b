// The shell runner as rivetd sees it: descriptor, configuration, action checks and the launch
// plans it builds.
#include <unistd.h>

#include "shell_runner_fixture.hpp"

namespace rivet::plugins::shell {
namespace {

TEST_F(ShellRunnerTest, DescriptorNamesTheRunnerAndItsConfigKeys) {
  const auto& descriptor = library_.descriptor();
  rivet::test::expectDescriptor(descriptor, sdk::PluginKind::runner, "shell", "0.1.0");
  ASSERT_EQ(descriptor.config_key_count, 2u);
  EXPECT_STREQ(descriptor.config_keys[0].name, "shell");
  EXPECT_STREQ(descriptor.config_keys[0].type, "path");
  EXPECT_STREQ(descriptor.config_keys[0].default_value, "/bin/sh");
  EXPECT_STREQ(descriptor.config_keys[1].name, "bash");
  EXPECT_STREQ(descriptor.config_keys[1].default_value, "/bin/bash");
}

TEST_F(ShellRunnerTest, ServesBothShellTypesWithSixtySecondDefaultTimeout) {
  EXPECT_EQ(runner_->runnerTypes(), (Args{"local-shell-script", "local-shell-cmd"}));
  EXPECT_EQ(runner_->defaultTimeoutSeconds("local-shell-script"), 60);
  EXPECT_EQ(runner_->defaultTimeoutSeconds("local-shell-cmd"), 60);
}

TEST_F(ShellRunnerTest, ConfigureRefusesRelativePathsAndWarnsAboutMissingOnes) {
  auto relative = configure({{"shell", "sh"}});
  EXPECT_EQ(relative.code(), sdk::ErrorCode::invalid_argument);
  EXPECT_NE(relative.message().find("absolute"), std::string::npos);
  EXPECT_FALSE(configure({{"shell", "/bin/bash"}, {"bash", "bash"}}).ok());
  EXPECT_EQ(planOf(cmdAction("c", "true"), json::object()).argv.at(0), "/bin/sh")
      << "a refused configuration must change nothing";

  logger_.clear();
  EXPECT_TRUE(configure({{"bash", "/nonexistent/bash"}}).ok());
  const auto lines = logger_.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].level, sdk::LogLevel::warning);
  EXPECT_NE(lines[0].message.find("/nonexistent/bash"), std::string::npos);
}

TEST_F(ShellRunnerTest, ConfiguredInterpretersAreUsed) {
  ASSERT_TRUE(configure({{"shell", "/bin/bash"}, {"bash", "/usr/bin/bash"}}).ok());
  auto cmd = cmdAction("c", "true");
  EXPECT_EQ(planOf(cmd, json::object()).argv.at(0), "/bin/bash");
  auto script = scriptAction("s", "true\n", kReadOnly);
  EXPECT_EQ(planOf(script, json::object()).argv.at(0), "/usr/bin/bash");
}

TEST_F(ShellRunnerTest, CheckActionAcceptsWellFormedActions) {
  auto script = scriptAction("ok", "#!/bin/sh\ntrue\n");
  EXPECT_TRUE(runner_->checkAction(pack_, script).ok());
  auto cmd = cmdAction("ok_cmd", "df -hP -- \"$@\"");
  cmd.runner_parameters["env"] = json{{"LC_ALL", "C"}};
  cmd.runner_parameters["cwd"] = "/tmp";
  EXPECT_TRUE(runner_->checkAction(pack_, cmd).ok());
}

TEST_F(ShellRunnerTest, CheckActionRefusesCmdActionWithoutFixedCmd) {
  auto action = cmdAction("no_cmd", "");
  action.runner_parameters = json::object();
  auto status = runner_->checkAction(pack_, action);
  EXPECT_EQ(status.code(), sdk::ErrorCode::unprocessable);
  EXPECT_NE(status.message().find("local-shell-cmd action needs a fixed `cmd` in its metadata "
                                  "parameters (default, immutable)"),
            std::string::npos)
      << status.message();

  action.runner_parameters = json{{"cmd", 42}};
  EXPECT_FALSE(runner_->checkAction(pack_, action).ok());
  action.runner_parameters = json{{"cmd", ""}};
  EXPECT_FALSE(runner_->checkAction(pack_, action).ok());
}

TEST_F(ShellRunnerTest, CheckActionRefusesScriptsThatAreNotReadableRegularFiles) {
  sdk::ActionSpec action;
  action.pack = pack_.ref;
  action.name = "s";
  action.runner_type = "local-shell-script";
  EXPECT_EQ(runner_->checkAction(pack_, action).code(), sdk::ErrorCode::unprocessable);

  action.entry_point_path = (actionsDir() / "missing.sh").string();
  EXPECT_EQ(runner_->checkAction(pack_, action).code(), sdk::ErrorCode::unprocessable);

  fs::create_directories(actionsDir() / "a_dir");
  action.entry_point_path = (actionsDir() / "a_dir").string();
  auto status = runner_->checkAction(pack_, action);
  EXPECT_EQ(status.code(), sdk::ErrorCode::unprocessable);
  EXPECT_NE(status.message().find("not a readable regular file"), std::string::npos);

  if (::geteuid() != 0) {  // root reads anything
    auto unreadable = scriptAction("unreadable", "#!/bin/sh\n", fs::perms::owner_write);
    EXPECT_EQ(runner_->checkAction(pack_, unreadable).code(), sdk::ErrorCode::unprocessable);
  }
}

TEST_F(ShellRunnerTest, CheckActionNeedsBashForScriptsThatCannotRunDirectly) {
  ASSERT_TRUE(configure({{"bash", (dir_.path() / "no-bash").string()}}).ok());
  auto plain = scriptAction("plain", "echo hi\n", kReadOnly);
  EXPECT_EQ(runner_->checkAction(pack_, plain).code(), sdk::ErrorCode::unavailable);
  auto direct = scriptAction("direct", "#!/bin/sh\necho hi\n");
  EXPECT_TRUE(runner_->checkAction(pack_, direct).ok());
}

TEST_F(ShellRunnerTest, CheckActionRefusesBadRunnerParametersAndPositions) {
  auto base = scriptAction("s", "#!/bin/sh\n");
  expectBadRunnerParametersRefused(base);
  auto other_type = base;
  other_type.runner_type = "python-script";
  EXPECT_EQ(check(other_type).code(), sdk::ErrorCode::unprocessable);
}

TEST_F(ShellRunnerTest, ExecutableScriptWithShebangRunsDirectly) {
  auto action = scriptAction("direct", "#!/bin/sh\ntrue\n");
  action.parameters = {param("path", sdk::ParameterType::string, 0),
                       param("depth", sdk::ParameterType::integer),
                       param("all", sdk::ParameterType::boolean)};
  auto plan = planOf(action, json{{"path", "/var"}, {"depth", 2}, {"all", true}});
  EXPECT_EQ(plan.argv, (Args{action.entry_point_path, "--depth=2", "--all", "/var"}));
  EXPECT_TRUE(plan.stdin_data.empty());
}

TEST_F(ShellRunnerTest, ScriptWithoutExecBitOrShebangRunsThroughBash) {
  auto no_exec = scriptAction("no_exec", "#!/bin/sh\ntrue\n", kReadOnly);
  EXPECT_EQ(planOf(no_exec, json::object()).argv, (Args{"/bin/bash", no_exec.entry_point_path}));
  auto no_shebang = scriptAction("no_shebang", "true\n", kExecutable);
  EXPECT_EQ(planOf(no_shebang, json::object()).argv,
            (Args{"/bin/bash", no_shebang.entry_point_path}));
}

TEST_F(ShellRunnerTest, CmdPlanPassesParametersAsArgumentsNeverInTheCommand) {
  const std::string cmd = "df -hP -- \"$@\"";
  auto action = cmdAction("disk_free", cmd);
  action.parameters = {param("path", sdk::ParameterType::string, 0),
                       param("inodes", sdk::ParameterType::boolean)};
  auto plan = planOf(action, json{{"path", "/$(reboot)"}, {"inodes", true}});
  EXPECT_EQ(plan.argv, (Args{"/bin/sh", "-c", cmd, "rivet-disk_free", "--inodes", "/$(reboot)"}));
}

TEST_F(ShellRunnerTest, EnvironmentNamesPackActionAndExecution) {
  expectEnvironmentNamesPackActionAndExecution(scriptAction("env", "#!/bin/sh\n"),
                                               "ST2_ACTION_PACK_NAME");
}

TEST_F(ShellRunnerTest, WorkingDirIsThePackUnlessCwdIsSet) {
  expectWorkingDirIsThePackUnlessCwdIsSet(cmdAction("pwd", "pwd"));
}

TEST_F(ShellRunnerTest, KwargOpChangesTheNamedPrefix) {
  expectKwargOpChangesTheNamedPrefix(cmdAction("k", "true"));
}

TEST_F(ShellRunnerTest, PlanRefusesAnUnknownRunnerType) {
  auto action = cmdAction("x", "true");
  action.runner_type = "remote-shell-cmd";
  sdk::LaunchRequest request{"exec-1", pack_, action, json::object()};
  EXPECT_EQ(runner_->plan(request).status().code(), sdk::ErrorCode::unprocessable);
}

TEST_F(ShellRunnerTest, HostileValuesAreSingleVerbatimArgvEntriesForBothTypes) {
  const Args hostile = hostileValues();
  const std::string named = "$(touch x); `id` \"'\n";
  Args expected_args{"--note=" + named};
  expected_args.insert(expected_args.end(), hostile.begin(), hostile.end());

  auto script = scriptAction("print_args", std::string("#!/bin/sh\n") + kPrintArgsBody);
  auto script_plan = planOf(script, hostileParameters(script, hostile, named));
  Args expected{script.entry_point_path};
  expected.insert(expected.end(), expected_args.begin(), expected_args.end());
  EXPECT_EQ(script_plan.argv, expected);

  const std::string cmd = "printf '%s\\0' \"$@\"";
  auto cmd_action = cmdAction("print_args_cmd", cmd);
  auto cmd_plan = planOf(cmd_action, hostileParameters(cmd_action, hostile, named));
  expected = {"/bin/sh", "-c", cmd, "rivet-print_args_cmd"};
  expected.insert(expected.end(), expected_args.begin(), expected_args.end());
  EXPECT_EQ(cmd_plan.argv, expected);
}

}  // namespace
}  // namespace rivet::plugins::shell
