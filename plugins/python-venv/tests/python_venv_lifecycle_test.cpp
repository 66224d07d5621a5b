// Virtualenvs for real (no network: test wheels through --no-index --find-links): one per pack
// with its own dependencies, reused while unchanged, replaced beside the old one when the
// requirements change, the old one removed only once no process uses it.
#include <sys/stat.h>

#include <set>

#include "python_venv_fixture.hpp"

namespace rivet::plugins::python_venv {
namespace {

constexpr const char* kPrintVersion =
    "from st2common.runners.base_action import Action\n"
    "import rivetdemo\n"
    "class Version(Action):\n"
    "    def run(self):\n"
    "        return rivetdemo.VERSION\n";

struct FileIdentity {
  ino_t inode = 0;
  std::int64_t ctime_ns = 0;
  bool operator==(const FileIdentity&) const = default;
};

FileIdentity identityOf(const fs::path& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) return {};
  return {info.st_ino,
          static_cast<std::int64_t>(info.st_ctim.tv_sec) * 1000000000 + info.st_ctim.tv_nsec};
}

std::set<std::string> entriesOf(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

class PythonVenvLifecycleTest : public ::testing::Test {
 protected:
  std::string versionImportedBy(TestPack& pack, const std::string& scratch) {
    auto action = pack.action("version", kPrintVersion);
    auto plan = runner_.planOf(pack.spec(), action, json::object());
    auto run = runPlan(plan, dir_.path() / scratch);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.result.is_string() ? run.result.get<std::string>() : run.result.dump();
  }

  test::TempDir dir_{"rivet-python-venv-lifecycle"};
  // pip_index_url and pip_extra_index_url are ignored by pip under --no-index, but must show
  // on its command line.
  RunnerUnderTest runner_{dir_.path(),
                          {{"pip_index_url", "http://127.0.0.1:9/simple"},
                           {"pip_extra_index_url", "http://127.0.0.1:9/extra"},
                           {"pip_timeout_seconds", "7"}}};
};

TEST_F(PythonVenvLifecycleTest, EachPackImportsItsOwnDependencyVersion) {
  TestPack one(dir_.path() / "packs", "one");
  TestPack two(dir_.path() / "packs", "two");
  one.setRequirements("rivetdemo==1.0\n");
  two.setRequirements("# pinned\nrivetdemo==2.0\n");
  ASSERT_TRUE(runner_->preparePack(one.spec()).ok());
  ASSERT_TRUE(runner_->preparePack(two.spec()).ok());

  EXPECT_EQ(versionImportedBy(one, "run-one"), "1.0");
  EXPECT_EQ(versionImportedBy(two, "run-two"), "2.0");

  // The configured pip options reach pip, in its log.
  auto plan = runner_.planOf(one.spec(), one.action("version", kPrintVersion), json::object());
  const std::string build_log = test::readFile(venvOf(plan) / "build.log");
  for (const std::string& option : std::vector<std::string>{
           "--no-index", "--find-links " + testWheelDir().string(), "--timeout 7",
           "--index-url http://127.0.0.1:9/simple", "--extra-index-url http://127.0.0.1:9/extra"}) {
    EXPECT_NE(build_log.find(option), std::string::npos) << option << "\n" << build_log;
  }
  // No system site-packages: the pack sees its own dependencies only.
  EXPECT_NE(
      test::readFile(venvOf(plan) / "pyvenv.cfg").find("include-system-site-packages = false"),
      std::string::npos);
  // The build is visible in rivetd's log while it happens.
  EXPECT_EQ(runner_.logger().count(sdk::LogLevel::info, "pack one: building virtualenv"), 1);
  EXPECT_EQ(runner_.logger().count(sdk::LogLevel::info, "pack two: pip install -r"), 1);
}

TEST_F(PythonVenvLifecycleTest, AnUnchangedPackReusesItsVirtualenvAlsoAfterARestart) {
  TestPack pack(dir_.path() / "packs", "same");
  auto action = pack.action("hello", "print('hello')\n");
  ASSERT_TRUE(runner_->preparePack(pack.spec()).ok());
  const fs::path venv = venvOf(runner_.planOf(pack.spec(), action, json::object()));
  ASSERT_FALSE(venv.empty());
  EXPECT_EQ(venv.parent_path(), runner_.venvRoot() / "same");
  EXPECT_EQ(fs::read_symlink(runner_.venvRoot() / "same" / "current"), venv.filename());
  const auto marker = identityOf(venv / ".rivet-complete");
  ASSERT_NE(marker.inode, 0u);

  ASSERT_TRUE(runner_->preparePack(pack.spec()).ok());
  // A new plugin object: what rivetd finds after a restart.
  RunnerUnderTest restarted(dir_.path());
  ASSERT_TRUE(restarted->preparePack(pack.spec()).ok());
  EXPECT_EQ(venvOf(restarted.planOf(pack.spec(), action, json::object())), venv);
  EXPECT_EQ(venvOf(runner_.planOf(pack.spec(), action, json::object())), venv);
  EXPECT_EQ(identityOf(venv / ".rivet-complete"), marker) << "the virtualenv was rebuilt";
  EXPECT_EQ(runner_.logger().count(sdk::LogLevel::info, "building virtualenv"), 1);
  EXPECT_EQ(restarted.logger().count(sdk::LogLevel::info, "reusing virtualenv"), 1);
  EXPECT_EQ(entriesOf(runner_.venvRoot() / "same"),
            (std::set<std::string>{"current", venv.filename().string()}));
}

TEST_F(PythonVenvLifecycleTest, ChangedRequirementsSwitchAndTheOldVenvGoesOnceUnused) {
  TestPack pack(dir_.path() / "packs", "changing");
  pack.setRequirements("rivetdemo==1.0\n");
  ASSERT_TRUE(runner_->preparePack(pack.spec()).ok());
  auto action = pack.action("version", kPrintVersion);
  const auto old_plan = runner_.planOf(pack.spec(), action, json::object());
  const fs::path old_venv = venvOf(old_plan);
  EXPECT_EQ(versionImportedBy(pack, "run-old"), "1.0");

  // A process of the old virtualenv still runs (as an execution planned before the change).
  RunningProcess sleeper(
      {(old_venv / "bin" / "python").string(), "-c", "import time; time.sleep(120)"},
      {{"VIRTUAL_ENV", old_venv.string()}, {"PATH", "/usr/bin:/bin"}});
  pack.setRequirements("rivetdemo==2.0\n");
  ASSERT_TRUE(runner_->preparePack(pack.spec()).ok());
  const fs::path new_venv = venvOf(runner_.planOf(pack.spec(), action, json::object()));
  EXPECT_NE(new_venv, old_venv);
  EXPECT_EQ(new_venv.parent_path(), old_venv.parent_path());
  EXPECT_EQ(fs::read_symlink(new_venv.parent_path() / "current"), new_venv.filename());
  EXPECT_TRUE(fs::exists(old_venv / "bin" / "python")) << "removed while in use";
  EXPECT_EQ(versionImportedBy(pack, "run-new"), "2.0");
  // A plan made before the change keeps its virtualenv.
  EXPECT_EQ(runPlan(old_plan, dir_.path() / "run-old-again").result, "1.0");
  // Scripts naming the virtualenv were moved with it from its build directory.
  EXPECT_EQ(runProcess({(new_venv / "bin" / "pip").string(), "--version"},
                       {{"PATH", "/usr/bin:/bin"}}, "", "/", dir_.path() / "run-pip")
                .exit_code,
            0);

  sleeper.stop();
  ASSERT_TRUE(runner_->preparePack(pack.spec()).ok());
  EXPECT_FALSE(fs::exists(old_venv));
  EXPECT_EQ(entriesOf(new_venv.parent_path()),
            (std::set<std::string>{"current", new_venv.filename().string()}));
  EXPECT_EQ(runner_.logger().count(sdk::LogLevel::info, "keeping old virtualenv"), 1);
  EXPECT_EQ(runner_.logger().count(sdk::LogLevel::info, "removed unused virtualenv"), 1);
}

TEST_F(PythonVenvLifecycleTest, BrokenRequirementsMakeThePackUnavailableWithPipsError) {
  TestPack pack(dir_.path() / "packs", "broken");
  pack.setRequirements("rivet-no-such-package==9.9\n");
  auto status = runner_->preparePack(pack.spec());
  EXPECT_EQ(status.code(), sdk::ErrorCode::unavailable);
  EXPECT_NE(status.message().find("pip install failed (exit 1)"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("No matching distribution found for rivet-no-such-package"),
            std::string::npos)
      << status.message();
  EXPECT_EQ(runner_.logger().count(sdk::LogLevel::error, "pip install failed"), 1);
  // No debris, and no plan.
  EXPECT_TRUE(fs::is_empty(runner_.venvRoot() / "broken"));
  auto action = pack.action("a", "print('hi')\n");
  sdk::LaunchRequest request{"exec-1", pack.spec(), action, json::object()};
  EXPECT_EQ(runner_->plan(request).status().code(), sdk::ErrorCode::unavailable);
}

}  // namespace
}  // namespace rivet::plugins::python_venv
