// Python actions in per-pack virtualenvs, interpreters by shebang, and structured results
// (issue 4), through the real rivetd: real venvs built offline from wheels made here, real
// pip, real perl.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <thread>

#include "rivetd_test_support.hpp"

namespace rivet::test {
namespace {

using namespace std::chrono_literals;

void writePythonAction(const std::filesystem::path& pack, const std::string& name,
                       const std::string& source, const std::string& parameters = "") {
  writeFile(pack / "actions" / (name + ".py"), source);
  writeFile(pack / "actions" / (name + ".yaml"),
            "name: " + name + "\nrunner_type: python-script\nentry_point: " + name + ".py\n" +
                (parameters.empty() ? "" : "parameters:\n" + parameters));
}

void writeVersionPack(const std::filesystem::path& packs, const std::string& ref,
                      const std::string& requirement) {
  writeFile(packs / ref / "pack.yaml", "name: " + ref + "\nversion: 0.1.0\n");
  writeFile(packs / ref / "requirements.txt", requirement + "\n");
  writePythonAction(packs / ref, "version",
                    "import rivetdemo\n"
                    "from st2common.runners.base_action import Action\n\n\n"
                    "class Version(Action):\n"
                    "    def run(self):\n"
                    "        return {'version': rivetdemo.VERSION}\n");
}

// The venv a pack's actions run in now, as (directory, inode): a rebuild changes the inode
// even when the key stays the same.
std::pair<std::string, ino_t> currentVenv(const std::filesystem::path& venv_root,
                                          const std::string& pack) {
  std::error_code ec;
  const auto target = std::filesystem::canonical(venv_root / pack / "current", ec);
  struct stat info {};
  if (ec || ::stat(target.c_str(), &info) != 0) return {"", 0};
  return {target.string(), info.st_ino};
}

class ScriptRunnersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto* version : {"1.0", "2.0"}) {
      auto made = runProgram({"/usr/bin/python3",
                              RIVET_SOURCE_DIR "/plugins/python-venv/tests/make_test_wheel.py",
                              wheels_.str(), "rivetdemo", version});
      ASSERT_EQ(made.exit_code, 0) << made.err;
    }
    writeVersionPack(packs_.path(), "demo_one", "rivetdemo==1.0");
    writeVersionPack(packs_.path(), "demo_two", "rivetdemo==2.0");

    const auto st2 = packs_.path() / "st2_style";
    writeFile(st2 / "pack.yaml", "name: st2_style\nversion: 0.1.0\n");
    writeFile(st2 / "config.yaml", "greeting: hello from the pack config\n");
    writeFile(st2 / "actions/lib/shared.py", "def double(x):\n    return 2 * x\n");
    writePythonAction(st2, "returns_value",
                      "from shared import double\n"
                      "from st2common.runners.base_action import Action\n\n\n"
                      "class ReturnsValue(Action):\n"
                      "    def run(self, count, token):\n"
                      "        return {'double': double(count), 'greeting': self.config['greeting'],\n"
                      "                'token_length': len(token)}\n",
                      "  count: {type: integer, required: true}\n"
                      "  token: {type: string, secret: true, required: true}\n");
    writePythonAction(st2, "returns_false",
                      "from st2common.runners.base_action import Action\n\n\n"
                      "class ReturnsFalse(Action):\n"
                      "    def run(self):\n"
                      "        return (False, {'why': 'disk still full'})\n");
    writePythonAction(st2, "raises",
                      "from st2common.runners.base_action import Action\n\n\n"
                      "class Raises(Action):\n"
                      "    def run(self):\n"
                      "        raise ValueError('boom')\n");
    writePythonAction(st2, "plain",
                      "import json\nimport sys\n\n"
                      "if __name__ == '__main__':\n"
                      "    print(json.dumps({'argv': sys.argv[1:]}))\n",
                      "  target: {type: string, required: true}\n");

    const auto broken = packs_.path() / "broken";
    writeFile(broken / "pack.yaml", "name: broken\nversion: 0.1.0\n");
    writeFile(broken / "requirements.txt", "doesnotexist-rivet==9.9\n");
    writePythonAction(broken, "anything", "print('never')\n");

    const auto scripts = packs_.path() / "scripts";
    writeFile(scripts / "pack.yaml", "name: scripts\nversion: 0.1.0\n");
    writeFile(scripts / "actions/hello.pl",
              "#!/usr/bin/perl -w\nuse strict;\nprint qq({\"hello\": \"$ARGV[0]\"}\\n);\n");
    writeFile(scripts / "actions/hello.yaml",
              "name: hello\nrunner_type: interpreter-script\nentry_point: hello.pl\n"
              "parameters:\n  who: {type: string, position: 0, default: world}\n");
    writeFile(scripts / "actions/gem.rb", "#!/usr/bin/ruby\nputs 'hi'\n");
    writeFile(scripts / "actions/gem.yaml",
              "name: gem\nrunner_type: interpreter-script\nentry_point: gem.rb\n");
  }

  std::vector<std::string> defines() const {
    return {"rivetd.packs_dir=" + packs_.str(), "python-venv.python=/usr/bin/python3",
            "python-venv.pip_no_index=true", "python-venv.pip_find_links=" + wheels_.str(),
            "python-venv.venv_root=" + venvs_.str()};
  }

  // Waits until no pack is still building its venv.
  static void waitForPreparation(client::Client& client) {
    ASSERT_TRUE(waitUntil(
        [&] {
          auto packs = client.packs();
          if (!packs.ok()) return false;
          for (const auto& pack : (*packs)["items"]) {
            if (pack["state"] == "building") return false;
          }
          return true;
        },
        180s));
  }

  TempDir wheels_;
  TempDir packs_;
  TempDir venvs_;
};

TEST_F(ScriptRunnersTest, PacksWithConflictingDependenciesRunSideBySide) {
  RivetdProcess rivetd(defines());
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  auto client = clientFor(rivetd);
  waitForPreparation(client);

  auto one = client.run("demo_one.version", nlohmann::json::object());
  auto two = client.run("demo_two.version", nlohmann::json::object());
  ASSERT_TRUE(one.ok() && two.ok()) << one.status().message() << two.status().message();
  const auto ended_one = client.waitForEnd((*one)["id"].get<std::string>(),
                                           std::chrono::steady_clock::now() + 60s, 10ms);
  const auto ended_two = client.waitForEnd((*two)["id"].get<std::string>(),
                                           std::chrono::steady_clock::now() + 60s, 10ms);
  EXPECT_EQ((*ended_one)["status"], "succeeded") << ended_one->dump();
  EXPECT_EQ((*ended_one)["result"]["version"], "1.0") << ended_one->dump();
  EXPECT_EQ((*ended_two)["result"]["version"], "2.0") << ended_two->dump();
}

TEST_F(ScriptRunnersTest, ABrokenRequirementsFileMakesOnlyThatPackUnavailable) {
  RivetdProcess rivetd(defines());
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  auto client = clientFor(rivetd);
  waitForPreparation(client);

  auto broken = client.action("broken.anything");
  ASSERT_TRUE(broken.ok());
  EXPECT_FALSE((*broken)["available"].get<bool>());
  EXPECT_EQ((*broken)["state"], "failed");
  EXPECT_NE((*broken)["error"].get<std::string>().find("doesnotexist-rivet"), std::string::npos)
      << broken->dump();
  auto refused = client.run("broken.anything", nlohmann::json::object());
  ASSERT_TRUE(refused.apiError());
  EXPECT_EQ(refused.apiError()->code, "action_unavailable");

  auto fine = runToEnd(client, "demo_one.version");
  EXPECT_EQ(fine["status"], "succeeded");
  auto metrics = client.request("GET", "/v1/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("rivet_pack_load_failures 1"), std::string::npos) << metrics->body;
}

TEST_F(ScriptRunnersTest, StackStormActionsReturnValuesTuplesAndExceptions) {
  RivetdProcess rivetd(defines());
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  auto client = clientFor(rivetd);
  waitForPreparation(client);

  const std::string secret = "s3cr3t-value-never-shown";
  auto value = runToEnd(client, "st2_style.returns_value", {{"count", 21}, {"token", secret}});
  EXPECT_EQ(value["status"], "succeeded") << value.dump();
  EXPECT_EQ(value["result"]["double"], 42);
  EXPECT_EQ(value["result"]["greeting"], "hello from the pack config");
  EXPECT_EQ(value["result"]["token_length"], secret.size());
  // Secrets are redacted in history, in API answers and in the log.
  EXPECT_EQ(value["parameters"]["token"], "********");
  auto listed = client.list({"st2_style.returns_value", "", 10, ""});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->dump().find(secret), std::string::npos);
  EXPECT_EQ(rivetd.log().find(secret), std::string::npos);

  auto tuple = runToEnd(client, "st2_style.returns_false");
  EXPECT_EQ(tuple["status"], "failed") << tuple.dump();
  EXPECT_EQ(tuple["result"]["why"], "disk still full");

  auto raised = runToEnd(client, "st2_style.raises");
  EXPECT_EQ(raised["status"], "failed") << raised.dump();
  EXPECT_NE(raised["result"]["error"].get<std::string>().find("boom"), std::string::npos)
      << raised.dump();
  EXPECT_NE(readAll(client, raised["id"], "stderr").find("Traceback"), std::string::npos);

  auto plain = runToEnd(client, "st2_style.plain", {{"target", "; rm -rf / $(id)"}});
  EXPECT_EQ(plain["status"], "succeeded") << plain.dump();
  EXPECT_EQ(plain["result"]["argv"], nlohmann::json::array({"--target=; rm -rf / $(id)"}));
}

TEST_F(ScriptRunnersTest, InterpretersComeFromTheShebangAndTheAllowList) {
  RivetdProcess rivetd(defines());
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  auto client = clientFor(rivetd);
  auto hello = runToEnd(client, "scripts.hello", {{"who", "perl"}});
  EXPECT_EQ(hello["status"], "succeeded") << hello.dump();
  EXPECT_EQ(hello["result"]["hello"], "perl");

  auto gem = client.action("scripts.gem");
  ASSERT_TRUE(gem.ok());
  EXPECT_FALSE((*gem)["available"].get<bool>());
  EXPECT_NE((*gem)["error"].get<std::string>().find("not installed"), std::string::npos)
      << gem->dump();
  auto refused = client.run("scripts.gem", nlohmann::json::object());
  ASSERT_TRUE(refused.apiError());
  EXPECT_EQ(refused.apiError()->code, "action_unavailable");
}

TEST(StructuredResults, AShellActionPrintingOneJsonObjectHasItAsResult) {
  RivetdProcess repo_packs;
  ASSERT_TRUE(repo_packs.start()) << repo_packs.log();
  auto repo_client = clientFor(repo_packs);
  auto facts = runToEnd(repo_client, "linux.host_facts");
  EXPECT_EQ(facts["status"], "succeeded");
  EXPECT_TRUE(facts["result"].is_object()) << facts.dump();
  EXPECT_FALSE(facts["result"]["hostname"].get<std::string>().empty());
  auto text = runToEnd(repo_client, "examples.echo_args", {{"message", "not json"}});
  EXPECT_TRUE(text["result"].is_null());
}

TEST_F(ScriptRunnersTest, AnUnchangedPackIsNotRebuiltAndAChangedOneOnce) {
  std::pair<std::string, ino_t> first;
  {
    RivetdProcess rivetd(defines());
    ASSERT_TRUE(rivetd.start()) << rivetd.log();
    auto client = clientFor(rivetd);
    waitForPreparation(client);
    first = currentVenv(venvs_.path(), "demo_one");
    ASSERT_FALSE(first.first.empty());
  }
  {
    RivetdProcess rivetd(defines());
    ASSERT_TRUE(rivetd.start()) << rivetd.log();
    auto client = clientFor(rivetd);
    waitForPreparation(client);
    EXPECT_EQ(currentVenv(venvs_.path(), "demo_one"), first) << "rebuilt without a change";
  }
  writeFile(packs_.path() / "demo_one/requirements.txt", "rivetdemo==2.0\n");
  std::pair<std::string, ino_t> changed;
  {
    RivetdProcess rivetd(defines());
    ASSERT_TRUE(rivetd.start()) << rivetd.log();
    auto client = clientFor(rivetd);
    waitForPreparation(client);
    changed = currentVenv(venvs_.path(), "demo_one");
    EXPECT_NE(changed.first, first.first);
    EXPECT_EQ(runToEnd(client, "demo_one.version")["result"]["version"], "2.0");
    EXPECT_FALSE(std::filesystem::exists(first.first)) << "the unused old venv was kept";
  }
  {
    RivetdProcess rivetd(defines());
    ASSERT_TRUE(rivetd.start()) << rivetd.log();
    auto client = clientFor(rivetd);
    waitForPreparation(client);
    EXPECT_EQ(currentVenv(venvs_.path(), "demo_one"), changed) << "rebuilt twice";
  }
}

}  // namespace
}  // namespace rivet::test
