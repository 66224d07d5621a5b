// The python-venv runner without virtualenvs: descriptor, configuration, action checks, and
// the refusals that happen before anything is built.
#include <sys/stat.h>

#include "python_venv_fixture.hpp"

namespace rivet::plugins::python_venv {
namespace {

class PythonVenvConfigTest : public ::testing::Test {
 protected:
  test::TempDir dir_{"rivet-python-venv-config"};
  RunnerUnderTest runner_{dir_.path()};
  TestPack pack_{dir_.path() / "packs", "demo"};
};

TEST_F(PythonVenvConfigTest, DescriptorNamesTheRunnerAndItsConfigKeys) {
  test::expectDescriptor(runner_.library().descriptor(), sdk::PluginKind::runner, "python-venv");
  const auto defaults = test::configDefaults(runner_.library().descriptor());
  const std::map<std::string, std::string> expected{
      {"python", "/usr/bin/python3"}, {"venv_root", ""},
      {"pip_index_url", ""},          {"pip_extra_index_url", ""},
      {"pip_find_links", ""},         {"pip_no_index", "false"},
      {"pip_timeout_seconds", "60"},  {"build_timeout_seconds", "900"}};
  EXPECT_EQ(defaults, expected);
  EXPECT_EQ(runner_->runnerTypes(), std::vector<std::string>{"python-script"});
  EXPECT_EQ(runner_->defaultTimeoutSeconds("python-script"), 600);
}

TEST_F(PythonVenvConfigTest, ConfigureRefusesValuesOfTheWrongType) {
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"python", "python3"},
                                                        {"pip_no_index", "maybe"},
                                                        {"pip_timeout_seconds", "0"},
                                                        {"build_timeout_seconds", "15m"}}) {
    auto status = runner_.configure({{key, value}});
    EXPECT_EQ(status.code(), sdk::ErrorCode::invalid_argument) << key;
    EXPECT_NE(status.message().find(key), std::string::npos) << status.message();
  }
  EXPECT_TRUE(runner_.configure({{"pip_no_index", "yes"}, {"build_timeout_seconds", " 60 "}}).ok());
}

TEST_F(PythonVenvConfigTest, ConfigureWarnsAboutAMissingInterpreter) {
  runner_.logger().clear();
  ASSERT_TRUE(runner_.configure({{"python", "/nonexistent/python3"}}).ok());
  EXPECT_EQ(runner_.logger().count(sdk::LogLevel::warning, "/nonexistent/python3"), 1);
}

TEST_F(PythonVenvConfigTest, CheckActionWantsAnExistingPythonFileAndInterpreter) {
  auto good = pack_.action("good", "print('hi')\n");
  EXPECT_TRUE(runner_->checkAction(pack_.spec(), good).ok());

  auto missing = good;
  missing.entry_point_path = (pack_.dir() / "actions" / "missing.py").string();
  EXPECT_EQ(runner_->checkAction(pack_.spec(), missing).code(), sdk::ErrorCode::unprocessable);

  pack_.write("actions/script.sh", "echo hi\n");
  auto not_python = good;
  not_python.entry_point = "script.sh";
  not_python.entry_point_path = (pack_.dir() / "actions" / "script.sh").string();
  auto refused = runner_->checkAction(pack_.spec(), not_python);
  EXPECT_EQ(refused.code(), sdk::ErrorCode::unprocessable);
  EXPECT_NE(refused.message().find(".py"), std::string::npos) << refused.message();

  auto with_sudo = good;
  with_sudo.runner_parameters = json{{"sudo", true}};
  EXPECT_EQ(runner_->checkAction(pack_.spec(), with_sudo).code(), sdk::ErrorCode::unprocessable);

  pack_.spec().metadata["rivet"] = json{{"python", "/nonexistent/python3"}};
  auto no_interpreter = runner_->checkAction(pack_.spec(), good);
  EXPECT_EQ(no_interpreter.code(), sdk::ErrorCode::unavailable);
  EXPECT_NE(no_interpreter.message().find("/nonexistent/python3"), std::string::npos);

  pack_.spec().metadata["rivet"] = json{{"python", "python3"}};
  EXPECT_EQ(runner_->checkAction(pack_.spec(), good).code(), sdk::ErrorCode::unprocessable);
}

TEST_F(PythonVenvConfigTest, PythonVersionsMismatchMakesThePackUnavailableWithoutBuilding) {
  pack_.spec().metadata["python_versions"] = json::array({"2"});
  auto status = runner_->preparePack(pack_.spec());
  EXPECT_EQ(status.code(), sdk::ErrorCode::unavailable);
  EXPECT_NE(status.message().find("python_versions [\"2\"]"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("Python 3."), std::string::npos) << status.message();
  EXPECT_FALSE(fs::exists(runner_.venvRoot() / "demo"));

  auto action = pack_.action("a", "print('hi')\n");
  sdk::LaunchRequest request{"exec-1", pack_.spec(), action, json::object()};
  EXPECT_EQ(runner_->plan(request).status().code(), sdk::ErrorCode::unavailable);
}

TEST_F(PythonVenvConfigTest, PlanBeforePrepareIsRefused) {
  auto action = pack_.action("a", "print('hi')\n");
  sdk::LaunchRequest request{"exec-1", pack_.spec(), action, json::object()};
  auto plan = runner_->plan(request);
  EXPECT_EQ(plan.status().code(), sdk::ErrorCode::unavailable);
  EXPECT_NE(plan.status().message().find("not ready"), std::string::npos);
}

TEST_F(PythonVenvConfigTest, AnInvalidPackConfigMakesThePackUnavailable) {
  pack_.write("config.yaml", "key: [unclosed\n");
  auto status = runner_->preparePack(pack_.spec());
  EXPECT_EQ(status.code(), sdk::ErrorCode::unprocessable);
  EXPECT_NE(status.message().find("config.yaml"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace rivet::plugins::python_venv
