#include "rivet/test/runner_fixture.hpp"

#include <fstream>
#include <stdexcept>

#include "rivet/test/parameter_spec.hpp"

namespace rivet::test {

namespace fs = std::filesystem;
using nlohmann::json;

void writeFile(const fs::path& file, std::string_view content, fs::perms perms) {
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out << content;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + file.string());
  fs::permissions(file, perms);
}

RunnerTest::RunnerTest(fs::path plugin_file, std::string_view temp_prefix)
    : plugin_file_(std::move(plugin_file)), dir_(temp_prefix) {}

void RunnerTest::SetUp() {
  library_ = PluginHandle(plugin_file_);
  runner_ = library_.create<sdk::Runner>();
  ASSERT_NE(runner_, nullptr);
  ASSERT_TRUE(configure({}).ok());
  usePack("testpack", (dir_.path() / "testpack").string());
  fs::create_directories(pack_.path);
}

sdk::Status RunnerTest::configure(std::map<std::string, std::string> config) {
  sdk::PluginContext context;
  context.data_dir = dir_.str();
  context.config = std::move(config);
  context.logger = &logger_;
  return runner_->configure(context);
}

sdk::Status RunnerTest::check(const sdk::ActionSpec& action) const {
  return runner_->checkAction(pack_, action);
}

sdk::LaunchPlan RunnerTest::planOf(const sdk::ActionSpec& action, const json& parameters) {
  sdk::LaunchRequest request{"exec-42", pack_, action, parameters};
  auto plan = runner_->plan(request);
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  return plan.ok() ? *plan : sdk::LaunchPlan{};
}

void RunnerTest::usePack(const std::string& ref, const std::string& path) {
  pack_ = sdk::PackSpec{};
  pack_.ref = ref;
  pack_.name = ref;
  pack_.path = path;
}

fs::path RunnerTest::actionsDir() const { return fs::path(pack_.path) / "actions"; }

sdk::ActionSpec RunnerTest::actionOf(const std::string& name, const std::string& runner_type,
                                     const std::string& entry_point) const {
  sdk::ActionSpec action;
  action.pack = pack_.ref;
  action.name = name;
  action.runner_type = runner_type;
  action.entry_point = entry_point;
  if (!entry_point.empty()) action.entry_point_path = (actionsDir() / entry_point).string();
  return action;
}

json RunnerTest::hostileParameters(sdk::ActionSpec& action, const Args& values,
                                   const std::string& named_value) {
  json parameters = json::object();
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::string name = "p" + std::to_string(i);
    action.parameters.push_back(param(name, sdk::ParameterType::string, static_cast<int>(i)));
    parameters[name] = values[i];
  }
  action.parameters.push_back(param("note", sdk::ParameterType::string));
  parameters["note"] = named_value;
  return parameters;
}

void RunnerTest::expectBadRunnerParametersRefused(const sdk::ActionSpec& accepted) const {
  auto refused = [&](auto mutate) {
    sdk::ActionSpec action = accepted;
    mutate(action);
    return check(action).code() == sdk::ErrorCode::unprocessable;
  };
  EXPECT_TRUE(refused([](auto& a) { a.runner_parameters["env"] = json{{"A", 1}}; }));
  EXPECT_TRUE(refused([](auto& a) { a.runner_parameters["env"] = json{{"A=B", "x"}}; }));
  EXPECT_TRUE(refused([](auto& a) { a.runner_parameters["env"] = "A=B"; }));
  EXPECT_TRUE(refused([](auto& a) { a.runner_parameters["cwd"] = 5; }));
  EXPECT_TRUE(refused([](auto& a) { a.runner_parameters["kwarg_op"] = true; }));
  EXPECT_TRUE(refused([](auto& a) { a.runner_parameters["sudo"] = true; }));
  EXPECT_TRUE(refused([](auto& a) { a.runner_parameters = json::array(); }));
  EXPECT_TRUE(refused([](auto& a) {
    a.parameters = {param("a", sdk::ParameterType::string, 1),
                    param("b", sdk::ParameterType::string, 1)};
  }));
  EXPECT_FALSE(refused([](auto& a) { a.runner_parameters["sudo"] = false; }));
}

void RunnerTest::expectEnvironmentNamesPackActionAndExecution(sdk::ActionSpec accepted,
                                                              const std::string& forged_name) {
  accepted.runner_parameters["env"] = json{{"LC_ALL", "C"}, {forged_name, "forged"}};
  auto plan = planOf(accepted, json::object());
  EXPECT_EQ(plan.env, (std::map<std::string, std::string>{
                          {"LC_ALL", "C"},
                          {"ST2_ACTION_PACK_NAME", pack_.ref},
                          {"ST2_ACTION_EXECUTION_ID", "exec-42"},
                          {"RIVET_ACTION_PACK", pack_.ref},
                          {"RIVET_ACTION_NAME", accepted.name},
                          {"RIVET_EXECUTION_ID", "exec-42"},
                      }));
}

void RunnerTest::expectWorkingDirIsThePackUnlessCwdIsSet(sdk::ActionSpec accepted) {
  EXPECT_EQ(planOf(accepted, json::object()).working_dir, pack_.path);
  accepted.runner_parameters["cwd"] = nullptr;
  EXPECT_EQ(planOf(accepted, json::object()).working_dir, pack_.path);
  accepted.runner_parameters["cwd"] = "/tmp";
  EXPECT_EQ(planOf(accepted, json::object()).working_dir, "/tmp");
  accepted.runner_parameters["cwd"] = "actions";
  EXPECT_EQ(planOf(accepted, json::object()).working_dir, pack_.path + "/actions");
}

void RunnerTest::expectKwargOpChangesTheNamedPrefix(sdk::ActionSpec accepted) {
  accepted.runner_parameters["kwarg_op"] = "-";
  accepted.parameters = {param("name", sdk::ParameterType::string)};
  EXPECT_EQ(planOf(accepted, json{{"name", "x"}}).argv.back(), "-name=x");
}

}  // namespace rivet::test
