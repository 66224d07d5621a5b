// Plans executed for real (posix_spawn, roughly as rivetd does) through the interpreters of
// this machine: hostile parameter values reach the script verbatim and run nothing, an env
// shebang runs node, shebang arguments reach perl, and the examples pack's perl_facts works.
#include <unistd.h>

#include "interpreter_runner_fixture.hpp"
#include "rivet/test/run_plan.hpp"

namespace rivet::plugins::interpreter_generic {
namespace {

using rivet::test::runPlan;
using rivet::test::splitAtNul;

// Prints the script's own path, then every argument, each followed by a NUL so that
// arguments holding newlines stay recognisable.
constexpr const char* kPerlPrintArgs = "print map { \"$_\\0\" } $0, @ARGV;\n";

class InterpreterLaunchTest : public InterpreterRunnerTest {
 protected:
  void SetUp() override {
    InterpreterRunnerTest::SetUp();
    if (::access("/usr/bin/perl", X_OK) != 0) GTEST_SKIP() << "perl is not installed";
  }

  std::string canary() const { return (dir_.path() / "pwned").string(); }
  bool canaryExists() const {
    return fs::exists(canary()) || fs::exists(fs::path(pack_.path) / "pwned");
  }

  Args hostileValues() const {
    return {"; touch " + canary(),
            "$(touch " + canary() + ")",
            "`touch " + canary() + "`",
            "&& touch " + canary(),
            "| touch " + canary(),
            "a'b\"c",
            "line1\nline2",
            "two words",
            "-e",
            "system('touch " + canary() + "')",
            "--note=forged",
            "$HOME",
            "*",
            "\\",
            ""};
  }
};

TEST_F(InterpreterLaunchTest, PerlReceivesHostileValuesAsSingleVerbatimArguments) {
  const Args hostile = hostileValues();
  const std::string named = "$(touch " + canary() + ")\n-x";
  auto action = scriptAction("print_args.pl", std::string("#!/usr/bin/perl\n") + kPerlPrintArgs);
  auto plan = planOf(action, hostileParameters(action, hostile, named));

  auto result = runPlan(plan);
  EXPECT_EQ(result.exit_code, 0);
  Args expected{action.entry_point_path, "--note=" + named};
  expected.insert(expected.end(), hostile.begin(), hostile.end());
  EXPECT_EQ(splitAtNul(result.out), expected);
  EXPECT_FALSE(canaryExists());
}

TEST_F(InterpreterLaunchTest, ShebangArgumentReachesPerl) {
  auto warned = scriptAction("warned.pl", "#!/usr/bin/perl -w\nprint $^W ? \"on\" : \"off\";\n");
  EXPECT_EQ(runPlan(planOf(warned, json::object())).out, "on");
  auto quiet = scriptAction("quiet.pl", "#!/usr/bin/perl\nprint $^W ? \"on\" : \"off\";\n");
  EXPECT_EQ(runPlan(planOf(quiet, json::object())).out, "off");
  // One argument "-w -T", as the kernel passes it; perl splits it itself.
  auto tainted = scriptAction("tainted.pl", "#!/usr/bin/perl -w -T\nprint \"$^W ${^TAINT}\";\n");
  EXPECT_EQ(planOf(tainted, json::object()).argv.at(1), "-w -T");
  EXPECT_EQ(runPlan(planOf(tainted, json::object())).out, "1 1");
}

TEST_F(InterpreterLaunchTest, EnvShebangRunsNodeWithItsArguments) {
  if (::access("/usr/bin/node", X_OK) != 0) GTEST_SKIP() << "node is not installed";
  ASSERT_TRUE(configure({{"path", "/usr/bin:/bin"}}).ok());
  auto action = scriptAction("args.js",
                             "#!/usr/bin/env node\n"
                             "process.stdout.write(JSON.stringify({argv: process.argv.slice(2), "
                             "pack: process.env.ST2_ACTION_PACK_NAME, cwd: process.cwd()}));\n");
  action.parameters = {param("target", sdk::ParameterType::string, 0),
                       param("count", sdk::ParameterType::integer)};
  auto plan = planOf(action, json{{"target", "$(touch " + canary() + ")"}, {"count", 3}});
  ASSERT_EQ(plan.argv.at(0), "/usr/bin/node");

  auto result = runPlan(plan);
  EXPECT_EQ(result.exit_code, 0);
  const json out = json::parse(result.out);
  EXPECT_EQ(out["argv"], json::array({"--count=3", "$(touch " + canary() + ")"}));
  EXPECT_EQ(out["pack"], "testpack");
  EXPECT_EQ(out["cwd"], pack_.path);
  EXPECT_FALSE(canaryExists());
}

// The examples pack's perl_facts, planned as the host would from its metadata.
TEST_F(InterpreterLaunchTest, ExamplesPerlFactsPrintsOneJsonObject) {
  usePack("examples", RIVET_SOURCE_DIR "/packs/examples");
  sdk::ActionSpec action = actionOf("perl_facts", "interpreter-script", "perl_facts.pl");
  action.parameters = {param("subject", sdk::ParameterType::string, 0),
                       param("label", sdk::ParameterType::string)};
  ASSERT_TRUE(check(action).ok()) << check(action).message();

  const std::string subject = "$(touch " + canary() + "); \"quoted\"\n`id`";
  auto result = runPlan(planOf(action, json{{"subject", subject}, {"label", "a b"}}));
  EXPECT_EQ(result.exit_code, 0);
  const json facts = json::parse(result.out);
  EXPECT_EQ(facts["args"], json::array({"--label=a b", subject}));
  EXPECT_EQ(facts["pack"], "examples");
  EXPECT_EQ(facts["execution_id"], "exec-42");
  EXPECT_TRUE(facts["perl_version"].is_string());
  EXPECT_EQ(facts["perl_version"].get<std::string>().rfind("5.", 0), 0u);
  EXPECT_FALSE(canaryExists());
}

}  // namespace
}  // namespace rivet::plugins::interpreter_generic
