// Plans executed for real (posix_spawn, roughly as rivetd does) to prove that hostile parameter
// values reach the script verbatim and that no shell ever parses them.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "shell_runner_fixture.hpp"

namespace rivet::plugins::shell {
namespace {

Args splitNul(const std::string& text) {
  Args parts;
  std::string::size_type start = 0;
  for (auto end = text.find('\0'); end != std::string::npos; end = text.find('\0', start)) {
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

struct RunResult {
  int exit_code = -1;
  std::string out;
};

// Executes a plan roughly as the host does: argv as given, the plan's environment over a
// minimal base, the plan's working directory, stdin from /dev/null, stdout captured.
RunResult runPlan(const sdk::LaunchPlan& plan) {
  std::vector<std::string> env_strings{"PATH=/usr/local/bin:/usr/bin:/bin"};
  for (const auto& [name, value] : plan.env) env_strings.push_back(name + "=" + value);
  std::vector<char*> argv;
  for (const auto& arg : plan.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  if (!plan.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, plan.working_dir.c_str());
  }
  pid_t pid = -1;
  const int spawn_error =
      ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawn_error != 0) {
    ::close(pipe_fds[0]);
    throw std::runtime_error("posix_spawnp failed: " + std::to_string(spawn_error));
  }

  RunResult result;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n > 0) {
      result.out.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

TEST_F(ShellRunnerTest, RunningAScriptPlanDeliversHostileValuesVerbatim) {
  const Args hostile = hostileValues();
  const std::string named = "$(touch " + (dir_.path() / "pwned").string() + ")\n-x";
  auto action = scriptAction("print_args", std::string("#!/bin/sh\n") + kPrintArgsBody);
  auto plan = planOf(action, hostileParameters(action, hostile, named));

  auto result = runPlan(plan);
  EXPECT_EQ(result.exit_code, 0);
  Args expected{"--note=" + named};
  expected.insert(expected.end(), hostile.begin(), hostile.end());
  EXPECT_EQ(splitNul(result.out), expected);
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
  EXPECT_EQ(splitNul(result.out), expected);
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
  EXPECT_EQ(splitNul(result.out.substr(0, last_nul + 1)), expected);
  EXPECT_EQ(result.out.substr(last_nul + 1), pack_.path + "\n");  // ran in the pack directory
  EXPECT_FALSE(canaryExists());
  EXPECT_FALSE(fs::exists(fs::path(pack_.path) / "pwned"));
}

// The examples pack's echo_args, planned as the host would from its metadata: the shipped
// script prints arguments between markers and the StackStorm environment.
TEST_F(ShellRunnerTest, ExamplesEchoArgsPrintsArgumentsAndEnvironment) {
  pack_.ref = "examples";
  pack_.path = RIVET_SOURCE_DIR "/packs/examples";
  sdk::ActionSpec action;
  action.pack = "examples";
  action.name = "echo_args";
  action.runner_type = "local-shell-script";
  action.entry_point = "echo_args.sh";
  action.entry_point_path = pack_.path + "/actions/echo_args.sh";
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
