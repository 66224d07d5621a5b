// The wrapper's contract, executed for real in one pack's virtualenv (built once for the
// suite): Action classes and their results, plain scripts and their argv, actions/lib, the
// pack config, and parameter values that must arrive untouched.
#include "python_venv_fixture.hpp"
#include "rivet/test/parameter_spec.hpp"

namespace rivet::plugins::python_venv {
namespace {

using test::param;

class PythonVenvActionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir("rivet-python-venv-actions");
    runner_ = new RunnerUnderTest(dir_->path());
    pack_ = new TestPack(dir_->path() / "packs", "actions_pack");
    pack_->write("actions/lib/helpers.py", "def shout(text):\n    return text.upper() + '!'\n");
    pack_->write("config.yaml",
                 "region: eu-west-1\nretries: 3\nverbose: yes\nport: '8080'\n"
                 "servers: [a, b]\nnested: {key: ~}\n");
    const auto status = (*runner_)->preparePack(pack_->spec());
    ASSERT_TRUE(status.ok()) << status.message();
  }
  static void TearDownTestSuite() {
    delete pack_;
    delete runner_;
    delete dir_;
  }

  ProcessResult run(const sdk::ActionSpec& action, const json& parameters) {
    auto plan = runner_->planOf(pack_->spec(), action, parameters);
    return runPlan(plan, dir_->path() / ("run-" + action.name));
  }

  // One check each; grouped into few tests below, since under ctest every test is a process
  // of its own that builds the suite's virtualenv again.
  void PlanRunsTheWrapperInThePacksVirtualenv();
  void AnActionReturningAValueSucceedsWithThatResult();
  void AFalseStatusTupleFailsWithItsResult();
  void ARaisingActionFailsWithItsTraceback();
  void TheDatastoreSaysItIsNotSupported();
  void APlainScriptGetsStackStormArgvAndItsExitCode();
  void ActionsLibAndTheEntryPointDirectoryAreImportable();
  void ThePackConfigIsSelfConfig();
  void HostileAndSecretLookingValuesArriveIntact();

  static test::TempDir* dir_;
  static RunnerUnderTest* runner_;
  static TestPack* pack_;
};

test::TempDir* PythonVenvActionTest::dir_ = nullptr;
RunnerUnderTest* PythonVenvActionTest::runner_ = nullptr;
TestPack* PythonVenvActionTest::pack_ = nullptr;

void PythonVenvActionTest::PlanRunsTheWrapperInThePacksVirtualenv() {
  auto action = pack_->action("noop", "print('x')\n");
  auto plan = runner_->planOf(pack_->spec(), action, json{{"a", 1}});
  const fs::path venv = venvOf(plan);
  ASSERT_EQ(venv.parent_path(), dir_->path() / "venvs" / "actions_pack");
  EXPECT_EQ(plan.argv, (std::vector<std::string>{(venv / "bin/python").string(),
                                                 (venv / "rivet/rivet_python_action.py").string(),
                                                 action.entry_point_path}));
  EXPECT_EQ(plan.env.at("PATH"), (venv / "bin").string() + ":/usr/local/bin:/usr/bin:/bin");
  EXPECT_EQ(plan.env.at("PYTHONDONTWRITEBYTECODE"), "1");
  EXPECT_EQ(plan.env.at("PYTHONUNBUFFERED"), "1");
  EXPECT_EQ(plan.env.at("ST2_ACTION_PACK_NAME"), "actions_pack");
  EXPECT_EQ(plan.env.at("ST2_ACTION_EXECUTION_ID"), "exec-42");
  EXPECT_EQ(plan.env.at("RIVET_ACTION_PACK"), "actions_pack");
  EXPECT_EQ(plan.env.at("RIVET_ACTION_NAME"), "noop");
  EXPECT_EQ(plan.env.at("RIVET_EXECUTION_ID"), "exec-42");
  EXPECT_EQ(plan.working_dir, pack_->spec().path);
  // The shared runner parameters: the pack's `env` (never over the virtualenv's variables),
  // `cwd`.
  auto fixed = action;
  fixed.runner_parameters =
      json{{"env", {{"LC_ALL", "C"}, {"VIRTUAL_ENV", "/elsewhere"}}}, {"cwd", "actions"}};
  ASSERT_TRUE((*runner_)->checkAction(pack_->spec(), fixed).ok());
  auto fixed_plan = runner_->planOf(pack_->spec(), fixed, json::object());
  EXPECT_EQ(fixed_plan.env.at("LC_ALL"), "C");
  EXPECT_EQ(fixed_plan.env.at("VIRTUAL_ENV"), venv.string());
  EXPECT_EQ(fixed_plan.working_dir, pack_->spec().path + "/actions");
  const json input = json::parse(plan.stdin_data);
  EXPECT_EQ(input.at("parameters"), (json{{"a", 1}}));
  EXPECT_EQ(input.at("argv"), json::array());
  EXPECT_EQ(input.at("config").at("region"), "eu-west-1");
  // Only st2common of Rivet's goes into site-packages; the wrapper stays outside.
  EXPECT_TRUE(fs::exists(venv / "rivet" / "rivet_python_action.py"));
  bool found_st2common = false;
  for (const auto& lib : fs::directory_iterator(venv / "lib")) {
    found_st2common |= fs::exists(lib.path() / "site-packages/st2common/runners/base_action.py");
    EXPECT_FALSE(fs::exists(lib.path() / "site-packages/rivet_python_action.py"));
  }
  EXPECT_TRUE(found_st2common);
}

void PythonVenvActionTest::AnActionReturningAValueSucceedsWithThatResult() {
  auto action = pack_->action(
      "add",
      "from st2common.runners.base_action import Action\n"
      "class Add(Action):\n"
      "    def run(self, a, b):\n"
      "        print('adding')\n"
      "        self.logger.info('logged to stderr')\n"
      "        return {'sum': a + b, 'when': __import__('datetime').date(2024, 1, 2)}\n");
  auto result = run(action, json{{"a", 2}, {"b", 3}});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.result, (json{{"sum", 5}, {"when", "2024-01-02"}}));  // default=str
  EXPECT_EQ(result.out, "adding\n");
  EXPECT_NE(result.err.find("logged to stderr"), std::string::npos);
}

void PythonVenvActionTest::AFalseStatusTupleFailsWithItsResult() {
  auto action = pack_->action("refuse",
                              "from st2common.runners.base_action import Action\n"
                              "class Refuse(Action):\n"
                              "    def run(self):\n"
                              "        return (False, {'why': 'x'})\n");
  auto result = run(action, json::object());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.result, (json{{"why", "x"}}));

  auto ok = pack_->action("agree",
                          "from st2common.runners.base_action import Action\n"
                          "class Agree(Action):\n"
                          "    def run(self):\n"
                          "        return True, [1, 2]\n");
  auto agreed = run(ok, json::object());
  EXPECT_EQ(agreed.exit_code, 0);
  EXPECT_EQ(agreed.result, json::array({1, 2}));
}

void PythonVenvActionTest::ARaisingActionFailsWithItsTraceback() {
  auto action = pack_->action("explode",
                              "from st2common.runners.base_action import Action\n"
                              "class Explode(Action):\n"
                              "    def run(self):\n"
                              "        raise RuntimeError('disk on fire')\n");
  auto result = run(action, json::object());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("Traceback"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("RuntimeError: disk on fire"), std::string::npos) << result.err;
  EXPECT_EQ(result.result.value("error", ""), "disk on fire");
  EXPECT_NE(result.result.value("traceback", "").find("explode.py"), std::string::npos);
}

void PythonVenvActionTest::TheDatastoreSaysItIsNotSupported() {
  auto action = pack_->action("datastore",
                              "from st2common.runners.base_action import Action\n"
                              "class Datastore(Action):\n"
                              "    def run(self):\n"
                              "        self.action_service.get_value('k')\n");
  auto result = run(action, json::object());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.result.value("error", ""), "the datastore is not supported by Rivet");
}

void PythonVenvActionTest::APlainScriptGetsStackStormArgvAndItsExitCode() {
  auto action = pack_->action("script",
                              "import json, sys\n"
                              "if __name__ == '__main__':\n"
                              "    print(json.dumps(sys.argv[1:]))\n"
                              "    sys.exit(3)\n");
  action.parameters = {param("target", sdk::ParameterType::string, 0),
                       param("count", sdk::ParameterType::integer),
                       param("force", sdk::ParameterType::boolean)};
  auto result = run(action, json{{"target", "a b; rm -rf /"}, {"count", 2}, {"force", true}});
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_EQ(json::parse(result.out), json::array({"--count=2", "--force", "a b; rm -rf /"}));
  EXPECT_TRUE(result.result.is_null()) << "a plain script writes no result file";
}

void PythonVenvActionTest::ActionsLibAndTheEntryPointDirectoryAreImportable() {
  pack_->write("actions/sibling.py", "NAME = 'sibling'\n");
  auto action = pack_->action("use_lib",
                              "from st2common.runners.base_action import Action\n"
                              "import helpers, sibling\n"
                              "class UseLib(Action):\n"
                              "    def run(self, text):\n"
                              "        return helpers.shout(text) + ' ' + sibling.NAME\n");
  auto result = run(action, json{{"text", "hi"}});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.result, "HI! sibling");
}

void PythonVenvActionTest::ThePackConfigIsSelfConfig() {
  auto action = pack_->action("show_config",
                              "from st2common.runners.base_action import Action\n"
                              "class ShowConfig(Action):\n"
                              "    def run(self):\n"
                              "        return self.config\n");
  auto result = run(action, json::object());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.result, (json{{"region", "eu-west-1"},
                                 {"retries", 3},
                                 {"verbose", true},
                                 {"port", "8080"},
                                 {"servers", {"a", "b"}},
                                 {"nested", {{"key", nullptr}}}}));
}

void PythonVenvActionTest::HostileAndSecretLookingValuesArriveIntact() {
  const fs::path canary = dir_->path() / "pwned";
  const json parameters{{"password", "hunter2'\"; $(touch " + canary.string() + ")"},
                        {"command", "`touch " + canary.string() + "` && rm -rf / | cat"},
                        {"multiline", "line1\nline2\r\n\tend"},
                        {"unicode", "h\u00e9llo \u2603 \xF0\x9F\x94\x91"},
                        {"flag_like", "--password=forged"},
                        {"nested", {{"token", "$HOME"}, {"list", {"*", "", nullptr, 1.5}}}}};
  auto action = pack_->action("echo",
                              "from st2common.runners.base_action import Action\n"
                              "import sys\n"
                              "class Echo(Action):\n"
                              "    def run(self, **kwargs):\n"
                              "        return {'parameters': kwargs, 'argv': sys.argv[1:]}\n");
  for (const auto& [name, value] : parameters.items()) {
    action.parameters.push_back(param(name, sdk::ParameterType::string));
  }
  action.parameters.back().type = sdk::ParameterType::object;
  auto result = run(action, parameters);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.result.at("parameters"), parameters);
  EXPECT_FALSE(fs::exists(canary));
}

TEST_F(PythonVenvActionTest, ActionClassesReturnValuesStatusTuplesAndExceptions) {
  AnActionReturningAValueSucceedsWithThatResult();
  AFalseStatusTupleFailsWithItsResult();
  ARaisingActionFailsWithItsTraceback();
  TheDatastoreSaysItIsNotSupported();
}

TEST_F(PythonVenvActionTest, PlainScriptsActionsLibAndThePackConfig) {
  APlainScriptGetsStackStormArgvAndItsExitCode();
  ActionsLibAndTheEntryPointDirectoryAreImportable();
  ThePackConfigIsSelfConfig();
}

TEST_F(PythonVenvActionTest, ThePlanAndHostileValues) {
  PlanRunsTheWrapperInThePacksVirtualenv();
  HostileAndSecretLookingValuesArriveIntact();
}

}  // namespace
}  // namespace rivet::plugins::python_venv
