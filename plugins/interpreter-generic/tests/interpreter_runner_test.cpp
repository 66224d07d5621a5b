// The interpreter runner as rivetd sees it: descriptor, configuration, action checks and the
// launch plans it builds. Scripts name real interpreters of this machine where the test needs
// one (perl, node; ruby is absent) and stand-ins in a temporary bin directory otherwise.
#include <unistd.h>

#include "interpreter_runner_fixture.hpp"

namespace rivet::plugins::interpreter_generic {
namespace {

TEST_F(InterpreterRunnerTest, DescriptorNamesTheRunnerAndItsConfigKeys) {
  const auto& descriptor = library_.descriptor();
  rivet::test::expectDescriptor(descriptor, sdk::PluginKind::runner, "interpreter-generic",
                                "0.1.0");
  ASSERT_EQ(descriptor.config_key_count, 2u);
  EXPECT_STREQ(descriptor.config_keys[0].name, "allow");
  EXPECT_STREQ(descriptor.config_keys[0].type, "list");
  EXPECT_STREQ(descriptor.config_keys[0].default_value,
               "perl, ruby, node, python3, php, groovy, Rscript, lua, tclsh");
  EXPECT_STREQ(descriptor.config_keys[1].name, "path");
  EXPECT_STREQ(descriptor.config_keys[1].type, "string");
  EXPECT_STREQ(descriptor.config_keys[1].default_value, "/usr/local/bin:/usr/bin:/bin");
  for (std::size_t i = 0; i < descriptor.config_key_count; ++i) {
    EXPECT_GT(std::string(descriptor.config_keys[i].help).size(), 20u);
  }
}

TEST_F(InterpreterRunnerTest, ServesInterpreterScriptWithSixtySecondDefaultTimeout) {
  EXPECT_EQ(runner_->runnerTypes(), Args{"interpreter-script"});
  EXPECT_EQ(runner_->defaultTimeoutSeconds("interpreter-script"), 60);
}

TEST_F(InterpreterRunnerTest, ConfigureRefusesBadEntriesAndChangesNothingThen) {
  auto relative = configure({{"path", "/usr/bin:bin"}});
  EXPECT_EQ(relative.code(), sdk::ErrorCode::invalid_argument);
  EXPECT_PRED2(contains, relative.message(), "`path` entry \"bin\" must be an absolute directory");
  EXPECT_FALSE(configure({{"path", "/usr/bin::/bin"}}).ok());
  EXPECT_FALSE(configure({{"path", ""}}).ok());
  auto slash = configure({{"allow", "perl, /usr/bin/node"}});
  EXPECT_EQ(slash.code(), sdk::ErrorCode::invalid_argument);
  EXPECT_PRED2(contains, slash.message(), "\"/usr/bin/node\"");
  EXPECT_FALSE(configure({{"allow", "perl, node js"}}).ok());

  auto action = scriptAction("hello.pl", "#!/usr/bin/env perl\n");
  EXPECT_EQ(planOf(action, json::object()).argv.at(0), "/usr/bin/perl")
      << "refused configurations must leave the defaults in place";
}

TEST_F(InterpreterRunnerTest, ConfigureWarnsAboutAnEmptyAllowList) {
  logger_.clear();
  ASSERT_TRUE(configure({{"allow", " , "}}).ok());
  EXPECT_EQ(logger_.count(sdk::LogLevel::warning, "`allow` is empty"), 1);
  auto status = check(scriptAction("hello.pl", "#!/usr/bin/perl\n"));
  EXPECT_PRED2(contains, status.message(), "is not on [interpreter-generic] allow (empty)");
}

TEST_F(InterpreterRunnerTest, CheckActionAcceptsInstalledAllowedInterpreters) {
  ASSERT_EQ(::access("/usr/bin/perl", X_OK), 0) << "these tests need perl";
  EXPECT_TRUE(check(scriptAction("direct.pl", "#!/usr/bin/perl -w\nprint 1;\n")).ok());
  EXPECT_TRUE(check(scriptAction("env.pl", "#!/usr/bin/env perl\n")).ok());
  auto with_parameters = scriptAction("params.pl", "#!/usr/bin/perl\n");
  with_parameters.runner_parameters = json{{"env", {{"LC_ALL", "C"}}}, {"cwd", "/tmp"}};
  EXPECT_TRUE(check(with_parameters).ok());
}

TEST_F(InterpreterRunnerTest, MissingInterpreterMakesTheActionUnavailable) {
  if (fs::exists("/usr/bin/ruby")) GTEST_SKIP() << "ruby is installed on this machine";
  auto direct = check(scriptAction("facts.rb", "#!/usr/bin/ruby\nputs 1\n"));
  EXPECT_EQ(direct.code(), sdk::ErrorCode::unavailable);
  EXPECT_EQ(direct.message(),
            "testpack.facts: interpreter /usr/bin/ruby (from the shebang of facts.rb) is not "
            "installed");

  ASSERT_TRUE(configure({{"path", "/usr/bin:/bin"}}).ok());
  auto looked_up = check(scriptAction("split.rb", "#!/usr/bin/env -S ruby -W0\n"));
  EXPECT_EQ(looked_up.code(), sdk::ErrorCode::unavailable);
  EXPECT_EQ(looked_up.message(),
            "testpack.split: interpreter 'ruby' (from the shebang of split.rb) is not installed: "
            "not found in [interpreter-generic] path (/usr/bin:/bin)");
}

TEST_F(InterpreterRunnerTest, InterpreterOffTheAllowListIsRefusedWithTheList) {
  ASSERT_TRUE(configure({{"allow", "perl, lua"}}).ok());
  auto node = check(scriptAction("hello.js", "#!/usr/bin/env node\n"));
  EXPECT_EQ(node.code(), sdk::ErrorCode::unprocessable);
  EXPECT_EQ(node.message(),
            "testpack.hello: interpreter 'node' (from the shebang of hello.js) is not on "
            "[interpreter-generic] allow (perl, lua)");

  // Shells have the shell runner; they are not allowed by default.
  ASSERT_TRUE(configure({}).ok());
  auto shell = check(scriptAction("run.sh", "#!/bin/bash\n"));
  EXPECT_PRED2(contains, shell.message(), "interpreter 'bash' (from the shebang of run.sh)");
  EXPECT_PRED2(contains, shell.message(),
               "allow (perl, ruby, node, python3, php, groovy, "
               "Rscript, lua, tclsh)");
}

TEST_F(InterpreterRunnerTest, VersionedInterpreterNamesMatchTheirAllowedBase) {
  const std::string python311 = fakeInterpreter("python3.11");
  fakeInterpreter("python");
  ASSERT_TRUE(configure({{"allow", "python3"}, {"path", fakeBin()}}).ok());
  auto versioned = scriptAction("v.py", "#!/usr/bin/env python3.11\n");
  EXPECT_TRUE(check(versioned).ok());
  EXPECT_EQ(planOf(versioned, json::object()).argv.at(0), python311);
  EXPECT_TRUE(check(scriptAction("direct.py", "#!" + python311 + " -u\n")).ok());
  EXPECT_EQ(check(scriptAction("old.py", "#!/usr/bin/env python\n")).code(),
            sdk::ErrorCode::unprocessable);
}

TEST_F(InterpreterRunnerTest, EnvLookupFollowsPathOrderAndSkipsNonExecutables) {
  const fs::path first = dir_.path() / "first";
  const fs::path second = dir_.path() / "second";
  writeFile(first / "lua", "not executable\n", kReadOnly);
  writeFile(second / "lua", "#!/bin/sh\n", kExecutable);
  writeFile(dir_.path() / "third" / "lua", "#!/bin/sh\n", kExecutable);
  ASSERT_TRUE(configure({{"path", first.string() + ":" + second.string() + ":" +
                                      (dir_.path() / "third").string()}})
                  .ok());
  auto action = scriptAction("t.lua", "#!/usr/bin/env lua\n");
  EXPECT_EQ(planOf(action, json::object()).argv.at(0), (second / "lua").string());
}

TEST_F(InterpreterRunnerTest, NonExecutableInterpreterIsUnavailable) {
  writeFile(dir_.path() / "bin" / "perl", "#!/bin/sh\n", kReadOnly);
  auto status = check(scriptAction("x.pl", "#!" + (dir_.path() / "bin" / "perl").string() + "\n"));
  EXPECT_EQ(status.code(), sdk::ErrorCode::unavailable);
  EXPECT_PRED2(contains, status.message(), "is not an executable file");
}

TEST_F(InterpreterRunnerTest, ScriptWithoutShebangIsRefused) {
  auto status = check(scriptAction("plain.pl", "print \"hi\\n\";\n"));
  EXPECT_EQ(status.code(), sdk::ErrorCode::unprocessable);
  EXPECT_EQ(status.message(),
            "testpack.plain: plain.pl: no shebang: the first line must name the "
            "interpreter, e.g. `#!/usr/bin/env perl`");
  EXPECT_EQ(check(scriptAction("empty.pl", "")).code(), sdk::ErrorCode::unprocessable);
  EXPECT_PRED2(contains, check(scriptAction("crlf.pl", "#!/usr/bin/perl\r\n")).message(),
               "crlf.pl: shebang line ends with a carriage return");
}

TEST_F(InterpreterRunnerTest, MissingOrUnreadableEntryPointIsRefused) {
  sdk::ActionSpec action;
  action.pack = pack_.ref;
  action.name = "nothing";
  action.runner_type = "interpreter-script";
  auto no_entry = check(action);
  EXPECT_EQ(no_entry.code(), sdk::ErrorCode::unprocessable);
  EXPECT_PRED2(contains, no_entry.message(), "needs an `entry_point`");

  action.entry_point = "missing.pl";
  action.entry_point_path = (actionsDir() / "missing.pl").string();
  auto missing = check(action);
  EXPECT_EQ(missing.code(), sdk::ErrorCode::unprocessable);
  EXPECT_EQ(missing.message(), "testpack.nothing: entry point " + action.entry_point_path +
                                   " is not a readable regular file");

  fs::create_directories(actionsDir() / "a_dir");
  action.entry_point_path = (actionsDir() / "a_dir").string();
  EXPECT_EQ(check(action).code(), sdk::ErrorCode::unprocessable);

  if (::geteuid() != 0) {  // root reads anything
    auto unreadable = scriptAction("unreadable.pl", "#!/usr/bin/perl\n", fs::perms::owner_write);
    EXPECT_EQ(check(unreadable).code(), sdk::ErrorCode::unprocessable);
  }
}

TEST_F(InterpreterRunnerTest, CheckActionRefusesBadRunnerParametersAndPositions) {
  auto base = scriptAction("s.pl", "#!/usr/bin/perl\n");
  expectBadRunnerParametersRefused(base);
  auto other_type = base;
  other_type.runner_type = "local-shell-script";
  EXPECT_EQ(check(other_type).code(), sdk::ErrorCode::unprocessable);
}

TEST_F(InterpreterRunnerTest, PlanRunsTheInterpreterWithShebangArgsScriptAndParameters) {
  auto action = scriptAction("disk.pl", "#!/usr/bin/perl -w\n");
  action.parameters = {param("path", sdk::ParameterType::string, 0),
                       param("depth", sdk::ParameterType::integer),
                       param("all", sdk::ParameterType::boolean)};
  auto plan = planOf(action, json{{"path", "/var; reboot"}, {"depth", 2}, {"all", true}});
  EXPECT_EQ(plan.argv, (Args{"/usr/bin/perl", "-w", action.entry_point_path, "--depth=2", "--all",
                             "/var; reboot"}));
  EXPECT_TRUE(plan.stdin_data.empty());
}

TEST_F(InterpreterRunnerTest, PlanOfAnEnvShebangRunsTheResolvedInterpreterDirectly) {
  const std::string ruby = fakeInterpreter("ruby");
  ASSERT_TRUE(configure({{"path", fakeBin()}}).ok());
  auto action = scriptAction("split.rb", "#!/usr/bin/env -S ruby -W0 --disable-gems\n");
  EXPECT_EQ(planOf(action, json::object()).argv,
            (Args{ruby, "-W0", "--disable-gems", action.entry_point_path}));
}

TEST_F(InterpreterRunnerTest, PlanRechecksTheShebangOfAScriptEditedSinceTheCheck) {
  auto action = scriptAction("edited.pl", "#!/usr/bin/perl\n");
  ASSERT_TRUE(check(action).ok());
  writeFile(action.entry_point_path, "#!/bin/sh\n", kReadOnly);
  sdk::LaunchRequest request{"exec-1", pack_, action, json::object()};
  auto plan = runner_->plan(request);
  ASSERT_FALSE(plan.ok());
  EXPECT_PRED2(contains, plan.status().message(), "interpreter 'sh'");
}

TEST_F(InterpreterRunnerTest, PlanRefusesAnUnknownRunnerType) {
  auto action = scriptAction("x.pl", "#!/usr/bin/perl\n");
  action.runner_type = "python-script";
  sdk::LaunchRequest request{"exec-1", pack_, action, json::object()};
  EXPECT_EQ(runner_->plan(request).status().code(), sdk::ErrorCode::unprocessable);
}

TEST_F(InterpreterRunnerTest, EnvironmentNamesPackActionAndExecution) {
  expectEnvironmentNamesPackActionAndExecution(scriptAction("env.pl", "#!/usr/bin/perl\n"),
                                               "RIVET_EXECUTION_ID");
}

TEST_F(InterpreterRunnerTest, WorkingDirIsThePackUnlessCwdIsSet) {
  expectWorkingDirIsThePackUnlessCwdIsSet(scriptAction("pwd.pl", "#!/usr/bin/perl\n"));
}

TEST_F(InterpreterRunnerTest, KwargOpChangesTheNamedPrefix) {
  expectKwargOpChangesTheNamedPrefix(scriptAction("k.pl", "#!/usr/bin/perl\n"));
}

}  // namespace
}  // namespace rivet::plugins::interpreter_generic
