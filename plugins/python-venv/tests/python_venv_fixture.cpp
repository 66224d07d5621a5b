#include "python_venv_fixture.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace rivet::plugins::python_venv {
namespace {

// argv and envp arrays over strings that outlive the spawn.
struct SpawnArrays {
  SpawnArrays(const std::vector<std::string>& argv_strings,
              const std::map<std::string, std::string>& env) {
    for (const auto& [name, value] : env) env_strings.push_back(name + "=" + value);
    for (const auto& arg : argv_strings) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    for (auto& entry : env_strings) envp.push_back(entry.data());
    envp.push_back(nullptr);
  }
  std::vector<std::string> env_strings;
  std::vector<char*> argv;
  std::vector<char*> envp;
};

int waitFor(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

void makeTestWheel(const fs::path& dir, const std::string& name, const std::string& version) {
  auto result = runProcess({kPython, RIVET_MAKE_TEST_WHEEL, dir.string(), name, version},
                           {{"PATH", "/usr/bin:/bin"}}, "", "/", dir.parent_path());
  if (result.exit_code != 0) throw std::runtime_error("make_test_wheel.py failed: " + result.err);
}

const fs::path& testWheelDir() {
  static const test::TempDir wheels("rivet-python-venv-wheels");
  static const fs::path dir = [] {
    const fs::path dir = wheels.path() / "wheels";
    fs::create_directories(dir);
    makeTestWheel(dir, "rivetdemo", "1.0");
    makeTestWheel(dir, "rivetdemo", "2.0");
    return dir;
  }();
  return dir;
}

ProcessResult runProcess(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env,
                         const std::string& stdin_data, const std::string& working_dir,
                         const fs::path& scratch) {
  fs::create_directories(scratch);
  const fs::path in = scratch / "stdin";
  const fs::path out = scratch / "stdout";
  const fs::path err = scratch / "stderr";
  { std::ofstream(in, std::ios::binary) << stdin_data; }
  SpawnArrays arrays(argv, env);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addchdir_np(&actions, working_dir.c_str());
  pid_t pid = -1;
  const int error = ::posix_spawn(&pid, arrays.argv[0], &actions, nullptr, arrays.argv.data(),
                                  arrays.envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) throw std::runtime_error(argv[0] + ": " + std::strerror(error));

  ProcessResult result;
  result.exit_code = waitFor(pid);
  result.out = test::readFile(out);
  result.err = test::readFile(err);
  return result;
}

ProcessResult runPlan(const sdk::LaunchPlan& plan, const fs::path& scratch) {
  std::map<std::string, std::string> env{
      {"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"LANG", "C.UTF-8"}, {"HOME", scratch.string()}};
  for (const auto& [name, value] : plan.env) env[name] = value;
  const fs::path result_file = scratch / "result.json";
  env[sdk::kResultFileVariable] = result_file.string();
  std::error_code ignored;
  fs::remove(result_file, ignored);

  ProcessResult result = runProcess(plan.argv, env, plan.stdin_data, plan.working_dir, scratch);
  if (fs::exists(result_file)) {
    result.result = json::parse(test::readFile(result_file), nullptr, false);
  }
  return result;
}

RunningProcess::RunningProcess(const std::vector<std::string>& argv,
                               const std::map<std::string, std::string>& env) {
  SpawnArrays arrays(argv, env);
  const int error = ::posix_spawn(&pid_, arrays.argv[0], nullptr, nullptr, arrays.argv.data(),
                                  arrays.envp.data());
  if (error != 0) throw std::runtime_error(argv[0] + ": " + std::strerror(error));
}

void RunningProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  waitFor(pid_);
  pid_ = -1;
}

TestPack::TestPack(const fs::path& parent, const std::string& ref) {
  spec_.ref = ref;
  spec_.name = ref;
  spec_.version = "1.0.0";
  spec_.path = (parent / ref).string();
  spec_.metadata = json{{"name", ref}, {"version", "1.0.0"}};
  fs::create_directories(fs::path(spec_.path) / "actions");
}

void TestPack::write(const std::string& relative, const std::string& content) const {
  const fs::path file = dir() / relative;
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

sdk::ActionSpec TestPack::action(const std::string& name, const std::string& source) const {
  write("actions/" + name + ".py", source);
  sdk::ActionSpec action;
  action.pack = spec_.ref;
  action.name = name;
  action.runner_type = "python-script";
  action.entry_point = name + ".py";
  action.entry_point_path = (dir() / "actions" / action.entry_point).string();
  return action;
}

RunnerUnderTest::RunnerUnderTest(const fs::path& data_dir,
                                 const std::map<std::string, std::string>& overrides)
    : data_dir_(data_dir) {
  library_ = test::PluginHandle(RIVET_PLUGIN_DIR "/python-venv.so");
  runner_ = library_.create<sdk::Runner>();
  std::map<std::string, std::string> config{
      {"python", kPython}, {"pip_no_index", "true"}, {"pip_find_links", testWheelDir().string()}};
  for (const auto& [key, value] : overrides) config[key] = value;
  const auto status = configure(config);
  if (!status.ok()) throw std::runtime_error("configure: " + status.message());
}

sdk::Status RunnerUnderTest::configure(const std::map<std::string, std::string>& config) {
  sdk::PluginContext context;
  context.data_dir = data_dir_.string();
  context.config = config;
  context.logger = logger_.get();
  return runner_->configure(context);
}

sdk::LaunchPlan RunnerUnderTest::planOf(const sdk::PackSpec& pack, const sdk::ActionSpec& action,
                                        const json& parameters) const {
  sdk::LaunchRequest request{"exec-42", pack, action, parameters};
  auto plan = runner_->plan(request);
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  return plan.ok() ? *plan : sdk::LaunchPlan{};
}

}  // namespace rivet::plugins::python_venv
