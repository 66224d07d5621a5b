// Pack delivery (issue 8, docs/pack-delivery.md) end to end: a real nginx serves the pack
// store over HTTPS, artifacts are built and signed for real, and real rivetds sync from it.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <regex>
#include <string>

#include "rivet/pack_artifact/artifact_builder.hpp"
#include "rivet/pack_artifact/signing_key.hpp"
#include "rivet/pack_store/pack_store.hpp"
#include "rivet/test/loopback_nginx.hpp"
#include "rivetd_test_support.hpp"

namespace rivet::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::steady_clock;

constexpr auto kInterval = std::chrono::seconds(2);
// A pass waits the interval give or take 20%.
constexpr auto kLongestWait = kInterval * 6 / 5;
constexpr auto kDeadline = std::chrono::seconds(60);

// Writes pack `name` at `version`: one shell action, `show`, that prints the version and, given
// a file name, waits (bounded) for that file to exist; it fails if its pack's files are gone by
// then.
fs::path writePack(const fs::path& dir, const std::string& name, const std::string& version,
                   const std::string& ref = "") {
  writeFile(dir / "pack.yaml", "name: " + name + "\nversion: " + version + "\n" +
                                   (ref.empty() ? "" : "ref: " + ref + "\n"));
  writeFile(dir / "actions" / "show.yaml",
            "name: show\nrunner_type: local-shell-script\nentry_point: show.sh\n"
            "parameters:\n  flag:\n    type: string\n    default: \"\"\n    position: 0\n");
  writeFile(dir / "actions" / "show.sh",
            "#!/bin/sh\necho \"version " + version +
                "\"\ni=0\nwhile [ -n \"$1\" ] && [ ! -e \"$1\" ] && [ $i -lt 600 ]; do\n"
                "  sleep 0.05; i=$((i+1))\ndone\n"
                "[ -e \"$(dirname \"$0\")/show.yaml\" ] || { echo \"pack files gone\" >&2; exit 3; }\n");
  fs::permissions(dir / "actions" / "show.sh", fs::perms::owner_all | fs::perms::group_read |
                                                   fs::perms::others_read);
  return dir;
}

// Lets a `show` waiting for `flag` go on, and returns the execution once it ended (null if it
// did not within the deadline).
json releaseAndWait(client::Client& client, const fs::path& flag, const std::string& id) {
  writeFile(flag, "");
  auto ended = client.waitForEnd(id, steady_clock::now() + kDeadline, std::chrono::milliseconds(20));
  EXPECT_TRUE(ended.ok()) << ended.status().message();
  return ended.ok() ? *ended : json();
}

class PackDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(nginx_.start()) << nginx_.log();
    auto key = pack_artifact::generateSigningKey(temp_.path());
    ASSERT_TRUE(key.ok()) << key.status().message();
    key_ = *key;
    fs::create_directories(temp_.path() / "no-packs");
    auto blobs = pack_store::openBlobStore(
        nginx_.url(), {nginx_.caFile(), nginx_.writerCert(), nginx_.writerKey()});
    ASSERT_TRUE(blobs.ok()) << blobs.status().message();
    blobs_ = std::move(*blobs);
    store_ = std::make_unique<pack_store::PackStore>(*blobs_);
  }

  // The defines of an agent of `stage` following the store, with no packs of its own.
  std::vector<std::string> agentDefines(const std::string& stage) const {
    return {"rivetd.packs_dir=" + (temp_.path() / "no-packs").string(),
            "pack-sync.store=" + nginx_.url(),
            "pack-sync.stage=" + stage,
            "pack-sync.interval=" + std::to_string(kInterval.count()) + "s",
            "pack-sync.trusted_keys=" + key_.public_key.string(),
            "pack-sync.ca_file=" + nginx_.caFile(),
            "python-venv.pip_no_index=true"};
  }

  // Builds and signs pack `name` at `version` with `key` (ours by default).
  fs::path build(const std::string& name, const std::string& version,
                 const fs::path& key = {}, const std::string& ref = "") {
    const auto source =
        writePack(temp_.path() / "src" / (name + "-" + version), name, version, ref);
    auto built = pack_artifact::buildArtifact(source, key.empty() ? key_.private_key : key,
                                              temp_.path() / "artifacts");
    EXPECT_TRUE(built.ok()) << built.status().message();
    return built.ok() ? built->manifest_file : fs::path();
  }

  pack_store::AuditEntry publish(const fs::path& manifest, const std::string& stage,
                                 bool force = false) {
    auto entry = store_->publish(manifest, stage, "CN=ci-publisher", force);
    EXPECT_TRUE(entry.ok()) << entry.status().message();
    return entry.ok() ? *entry : pack_store::AuditEntry{};
  }

  // Publishes `name` at `version` to test and waits until `agent` serves it; returns that
  // version's directory ("" when the agent did not get there).
  fs::path publishAndWait(RivetdProcess& agent, client::Client& client, const std::string& name,
                          const std::string& version) {
    publish(build(name, version), "test");
    EXPECT_TRUE(waitUntil([&] { return serves(client, name, version); }, kDeadline))
        << agent.log();
    const auto pack = packOf(client, name);
    return pack.is_null() ? fs::path() : fs::path(pack["path"].get<std::string>());
  }

  // Starts `name.show`, held until `flag` exists; returns its id once it printed `version`
  // ("" when it did not).
  static std::string startHeld(client::Client& client, const std::string& name,
                               const std::string& version, const fs::path& flag) {
    auto started = client.run(name + ".show", {{"flag", flag.string()}});
    EXPECT_TRUE(started.ok()) << started.status().message();
    if (!started.ok()) return "";
    const std::string id = (*started)["id"];
    const bool printed = waitUntil(
        [&] { return readAll(client, id) == "version " + version + "\n"; }, kDeadline);
    EXPECT_TRUE(printed);
    return printed ? id : "";
  }

  // Where every test about a replaced version starts: `agent` serves `name` 2.0.0 while an
  // execution of 1.0.0 runs on, held until `flag` exists. `first` is "" when it did not get
  // there.
  struct ReplacedWhileRunning {
    fs::path v1_dir;
    std::string first;  // the execution of 1.0.0
    fs::path flag;
  };
  ReplacedWhileRunning replaceWhileRunning(RivetdProcess& agent, client::Client& client,
                                           const std::string& name) {
    ReplacedWhileRunning replaced{publishAndWait(agent, client, name, "1.0.0"), "",
                                  temp_.path() / ("release-" + name)};
    if (replaced.v1_dir.empty()) return replaced;
    replaced.first = startHeld(client, name, "1.0.0", replaced.flag);
    if (replaced.first.empty() || publishAndWait(agent, client, name, "2.0.0").empty()) {
      replaced.first.clear();
    }
    return replaced;
  }

  // The pack as GET /v1/packs lists it; null when it is not listed.
  static json packOf(client::Client& client, const std::string& name) {
    auto packs = client.packs();
    EXPECT_TRUE(packs.ok()) << packs.status().message();
    if (!packs.ok()) return nullptr;
    for (const auto& item : (*packs)["items"]) {
      if (item["name"] == name) return item;
    }
    return nullptr;
  }

  static bool serves(client::Client& client, const std::string& name, const std::string& version) {
    const auto pack = packOf(client, name);
    return !pack.is_null() && pack["version"] == version && pack["available"] == true;
  }

  // Waits until the agent has checked its stage's index `passes` more times.
  static void waitForPasses(client::Client& client, int passes) {
    for (int pass = 0; pass < passes; ++pass) {
      auto packs = client.packs();
      ASSERT_TRUE(packs.ok());
      const auto before = (*packs)["sync"]["last_check_at"];
      ASSERT_TRUE(waitUntil(
          [&] {
            auto now = client.packs();
            return now.ok() && (*now)["sync"]["last_check_at"] != before;
          },
          kDeadline));
    }
  }

  static double upgradeFailures(client::Client& client, const std::string& pack) {
    auto metrics = client.request("GET", "/v1/metrics");
    EXPECT_TRUE(metrics.ok());
    if (!metrics.ok()) return -1;
    std::smatch match;
    const std::regex line("rivet_pack_upgrade_failures_total\\{pack=\"" + pack + "\"\\} ([0-9.e+]+)");
    return std::regex_search(metrics->body, match, line) ? std::stod(match[1]) : 0;
  }

  TempDir temp_;
  LoopbackNginx nginx_;
  pack_artifact::SigningKeyFiles key_;
  std::unique_ptr<pack_store::BlobStore> blobs_;
  std::unique_ptr<pack_store::PackStore> store_;
};

TEST_F(PackDeliveryTest, PublishedToTestReachesTestAgentsOnlyUntilPromotedToProd) {
  RivetdProcess test_agent(agentDefines("test"));
  RivetdProcess prod_agent(agentDefines("prod"));
  ASSERT_TRUE(test_agent.start()) << test_agent.log();
  ASSERT_TRUE(prod_agent.start()) << prod_agent.log();
  auto test_client = clientFor(test_agent);
  auto prod_client = clientFor(prod_agent);
  waitForPasses(test_client, 1);

  const auto published_at = steady_clock::now();
  const auto manifest = build("promoted", "1.0.0");
  publish(manifest, "test");
  ASSERT_TRUE(waitUntil([&] { return serves(test_client, "promoted", "1.0.0"); }, kDeadline))
      << test_agent.log();
  // Two passes at most, plus the install of a shell pack.
  EXPECT_LE(steady_clock::now() - published_at, 2 * kLongestWait + std::chrono::seconds(2));
  const auto pack = packOf(test_client, "promoted");
  EXPECT_EQ(pack["source"], "store");
  EXPECT_EQ(pack["stage"], "test");
  EXPECT_EQ(pack["digest"].get<std::string>().rfind("sha256:", 0), 0u);
  EXPECT_TRUE(pack["installed_at"].is_string());
  const auto ran = runToEnd(test_client, "promoted.show");
  EXPECT_EQ(ran["status"], "succeeded");
  EXPECT_EQ(ran["pack_version"], "1.0.0");
  EXPECT_EQ(ran["pack_source"], "store");
  EXPECT_EQ(ran["pack_digest"], pack["digest"]);
  EXPECT_EQ(readAll(test_client, ran["id"]), "version 1.0.0\n");

  // The prod agent has looked twice since and still does not have it.
  waitForPasses(prod_client, 2);
  EXPECT_TRUE(packOf(prod_client, "promoted").is_null());
  auto refused = prod_client.run("promoted.show", json::object());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.apiError()->http_status, 404);

  auto promoted = store_->promote("promoted", "1.0.0", "test", "prod", "CN=release-manager");
  ASSERT_TRUE(promoted.ok()) << promoted.status().message();
  ASSERT_TRUE(waitUntil([&] { return serves(prod_client, "promoted", "1.0.0"); }, kDeadline))
      << prod_agent.log();
  EXPECT_EQ(packOf(prod_client, "promoted")["stage"], "prod");
  EXPECT_EQ(runToEnd(prod_client, "promoted.show")["status"], "succeeded");

  // The audit log has both changes, with who and when.
  auto history = store_->history("promoted");
  ASSERT_TRUE(history.ok()) << history.status().message();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].action, "publish");
  EXPECT_EQ((*history)[0].who, "CN=ci-publisher");
  EXPECT_EQ((*history)[0].to_stage, "test");
  EXPECT_EQ((*history)[1].action, "promote");
  EXPECT_EQ((*history)[1].who, "CN=release-manager");
  EXPECT_EQ((*history)[1].from_stage, "test");
  EXPECT_EQ((*history)[1].to_stage, "prod");
  EXPECT_LE((*history)[0].at, (*history)[1].at);
  EXPECT_TRUE(std::regex_match((*history)[1].at,
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
}

TEST_F(PackDeliveryTest, AnExecutionRunningDuringAnUpgradeFinishesOnItsVersion) {
  RivetdProcess agent(agentDefines("test"));
  ASSERT_TRUE(agent.start()) << agent.log();
  auto client = clientFor(agent);
  const auto [v1_dir, first, flag] = replaceWhileRunning(agent, client, "upgraded");
  ASSERT_FALSE(first.empty());
  EXPECT_TRUE(fs::exists(v1_dir)) << "v1 was removed while an execution used it";

  const auto second = runToEnd(client, "upgraded.show");
  EXPECT_EQ(second["status"], "succeeded");
  EXPECT_EQ(second["pack_version"], "2.0.0");
  EXPECT_EQ(readAll(client, second["id"]), "version 2.0.0\n");

  const auto ended = releaseAndWait(client, flag, first);
  EXPECT_EQ(ended["status"], "succeeded");
  EXPECT_EQ(ended["pack_version"], "1.0.0");
  EXPECT_TRUE(waitUntil([&] { return !fs::exists(v1_dir); }, kDeadline))
      << v1_dir << " is still there after its last execution ended";
  EXPECT_TRUE(fs::exists(packOf(client, "upgraded")["path"].get<std::string>()));
}

TEST_F(PackDeliveryTest, RollingBackToAVersionStillRunningLeavesEachItsOwnDirectory) {
  RivetdProcess agent(agentDefines("test"));
  ASSERT_TRUE(agent.start()) << agent.log();
  auto client = clientFor(agent);
  const auto [v1_dir, first, flag] = replaceWhileRunning(agent, client, "rolled");
  ASSERT_FALSE(first.empty());
  auto rolled_back = store_->rollback("rolled", "test", "", "CN=on-call");
  ASSERT_TRUE(rolled_back.ok()) << rolled_back.status().message();
  EXPECT_EQ(rolled_back->version, "1.0.0");
  ASSERT_TRUE(waitUntil([&] { return serves(client, "rolled", "1.0.0"); }, kDeadline))
      << agent.log();
  const fs::path rolled_back_dir = packOf(client, "rolled")["path"].get<std::string>();
  EXPECT_NE(rolled_back_dir, v1_dir);

  EXPECT_EQ(releaseAndWait(client, flag, first)["status"], "succeeded");
  EXPECT_TRUE(waitUntil([&] { return !fs::exists(v1_dir); }, kDeadline));
  EXPECT_TRUE(fs::exists(rolled_back_dir)) << "the end of the first run removed the rollback";
  const auto after = runToEnd(client, "rolled.show");
  EXPECT_EQ(after["status"], "succeeded") << after.dump();
  EXPECT_EQ(after["pack_version"], "1.0.0");
}

TEST_F(PackDeliveryTest, AReplacedVersionOutlivesARestartWhileAnExecutionRunsFromIt) {
  RivetdProcess agent(agentDefines("test"));
  ASSERT_TRUE(agent.start()) << agent.log();
  ReplacedWhileRunning replaced;
  {
    auto client = clientFor(agent);
    replaced = replaceWhileRunning(agent, client, "restarted");
    ASSERT_FALSE(replaced.first.empty());
  }
  const auto& [v1_dir, first, flag] = replaced;
  ASSERT_EQ(agent.stop(), 0);  // the execution runs on under its supervisor

  ASSERT_TRUE(agent.start()) << agent.log();
  auto client = clientFor(agent);
  EXPECT_TRUE(serves(client, "restarted", "2.0.0"));
  EXPECT_TRUE(fs::exists(v1_dir)) << "the restart removed v1 while an execution ran from it";
  const auto ended = releaseAndWait(client, flag, first);
  EXPECT_EQ(ended["status"], "succeeded") << ended.dump();
  EXPECT_EQ(ended["pack_version"], "1.0.0");
  EXPECT_TRUE(waitUntil([&] { return !fs::exists(v1_dir); }, kDeadline))
      << v1_dir << " is still there after its last execution ended";
  const fs::path v2_dir = packOf(client, "restarted")["path"].get<std::string>();
  EXPECT_TRUE(fs::exists(v2_dir));
  EXPECT_EQ(runToEnd(client, "restarted.show")["pack_version"], "2.0.0");
}

TEST_F(PackDeliveryTest, AWithdrawnPackIsUninstalledButAMissingIndexUninstallsNothing) {
  RivetdProcess agent(agentDefines("test"));
  ASSERT_TRUE(agent.start()) << agent.log();
  auto client = clientFor(agent);
  const fs::path v1_dir = publishAndWait(agent, client, "pulled", "1.0.0");
  ASSERT_FALSE(v1_dir.empty());

  // The store loses the stage's index (or the agent points at the wrong place): the agent
  // goes on serving what it has.
  const auto index_file = nginx_.rootDir() / "stages" / "test" / "index.json";
  const auto index_text = readFile(index_file);
  fs::remove(index_file);
  waitForPasses(client, 2);
  EXPECT_TRUE(serves(client, "pulled", "1.0.0"));
  writeFile(index_file, index_text);

  const auto flag = temp_.path() / "release-v1-run";
  const std::string first = startHeld(client, "pulled", "1.0.0", flag);
  ASSERT_FALSE(first.empty());

  auto withdrawn = store_->withdraw("pulled", "test", "CN=on-call");
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status().message();
  EXPECT_EQ(withdrawn->action, "withdraw");
  ASSERT_TRUE(waitUntil([&] { return packOf(client, "pulled").is_null(); }, kDeadline))
      << agent.log();
  auto refused = client.run("pulled.show", json::object());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.apiError()->http_status, 404);
  EXPECT_TRUE(fs::exists(v1_dir)) << "withdrawing removed the pack under a running execution";
  EXPECT_EQ(releaseAndWait(client, flag, first)["status"], "succeeded");
  EXPECT_TRUE(waitUntil([&] { return !fs::exists(v1_dir); }, kDeadline));

  // Withdrawn for good: a restart does not bring it back; a rollback does.
  ASSERT_EQ(agent.stop(), 0);
  ASSERT_TRUE(agent.start()) << agent.log();
  auto restarted = clientFor(agent);
  EXPECT_TRUE(packOf(restarted, "pulled").is_null());
  auto restored = store_->rollback("pulled", "test", "", "CN=on-call");
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  ASSERT_TRUE(waitUntil([&] { return serves(restarted, "pulled", "1.0.0"); }, kDeadline))
      << agent.log();
  EXPECT_EQ(runToEnd(restarted, "pulled.show")["status"], "succeeded");
}

TEST_F(PackDeliveryTest, APackIsFollowedByItsNameWhateverItsRef) {
  RivetdProcess agent(agentDefines("test"));
  ASSERT_TRUE(agent.start()) << agent.log();
  auto client = clientFor(agent);
  const auto refs = [&] {
    std::vector<std::string> listed;
    auto packs = client.packs();
    if (packs.ok()) {
      for (const auto& item : (*packs)["items"]) listed.push_back(item["ref"]);
    }
    return listed;
  };
  // A name with '-' is not a ref: the pack says its ref, and may change it.
  publish(build("dashed-pack", "1.0.0", {}, "dashed_pack"), "test");
  ASSERT_TRUE(waitUntil([&] { return serves(client, "dashed-pack", "1.0.0"); }, kDeadline))
      << agent.log();
  EXPECT_EQ(runToEnd(client, "dashed_pack.show")["status"], "succeeded");
  publish(build("dashed-pack", "2.0.0", {}, "dashed"), "test");
  ASSERT_TRUE(waitUntil([&] { return serves(client, "dashed-pack", "2.0.0"); }, kDeadline))
      << agent.log();
  EXPECT_EQ(refs(), std::vector<std::string>{"dashed"});

  ASSERT_TRUE(store_->withdraw("dashed-pack", "test", "CN=on-call").ok());
  ASSERT_TRUE(waitUntil([&] { return refs().empty(); }, kDeadline)) << agent.log();
}

TEST_F(PackDeliveryTest, RejectedUpgradesLeaveThePreviousVersionServing) {
  RivetdProcess agent(agentDefines("test"));
  ASSERT_TRUE(agent.start()) << agent.log();
  auto client = clientFor(agent);
  ASSERT_FALSE(publishAndWait(agent, client, "guarded", "1.0.0").empty());

  const auto artifactFile = [&](const std::string& version, const std::string& suffix) {
    return nginx_.rootDir() / "artifacts" / "guarded" / version /
           ("guarded-" + version + suffix);
  };
  // Each bad version is published to a stage of its own that no agent follows and spoiled in
  // the store; below, each is promoted to the agents' stage in turn.
  const auto stagingOf = [](const std::string& version) {
    return "staging-" + version.substr(0, version.find('.'));
  };
  const auto offer = [&](const fs::path& manifest, const std::string& version,
                         const std::function<void()>& spoil) {
    publish(manifest, stagingOf(version));
    spoil();
  };
  struct Rejection {
    std::string version;
    std::string reason;
  };
  std::vector<Rejection> rejections;

  offer(build("guarded", "2.0.0"), "2.0.0", [&] {
    std::ofstream(artifactFile("2.0.0", ".tar.zst"), std::ios::app) << "tampered";
  });
  rejections.push_back({"2.0.0", "size mismatch"});

  offer(build("guarded", "3.0.0"), "3.0.0", [&] {
    const auto file = artifactFile("3.0.0", ".manifest.json");
    auto manifest = json::parse(readFile(file));
    auto other = pack_artifact::buildArtifact(temp_.path() / "src" / "guarded-2.0.0",
                                              key_.private_key, temp_.path() / "other");
    ASSERT_TRUE(other.ok());
    manifest["signature"] = json::parse(readFile(other->manifest_file))["signature"];
    std::ofstream(file, std::ios::trunc) << manifest.dump();
  });
  rejections.push_back({"3.0.0", "bad signature"});

  fs::create_directories(temp_.path() / "stranger");
  auto stranger = pack_artifact::generateSigningKey(temp_.path() / "stranger");
  ASSERT_TRUE(stranger.ok());
  offer(build("guarded", "4.0.0", stranger->private_key), "4.0.0", [] {});
  rejections.push_back({"4.0.0", "unknown key"});

  // A Python action whose requirement no index has: its virtualenv cannot be built.
  const auto source = writePack(temp_.path() / "src" / "guarded-5.0.0", "guarded", "5.0.0");
  writeFile(source / "requirements.txt", "rivet-no-such-package==1.0\n");
  writeFile(source / "actions" / "py.yaml",
            "name: py\nrunner_type: python-script\nentry_point: py.py\n");
  writeFile(source / "actions" / "py.py",
            "from st2common.runners.base_action import Action\n\n"
            "class Py(Action):\n    def run(self):\n        return 1\n");
  auto venv_fails = pack_artifact::buildArtifact(source, key_.private_key, temp_.path() / "artifacts");
  ASSERT_TRUE(venv_fails.ok()) << venv_fails.status().message();
  offer(venv_fails->manifest_file, "5.0.0", [] {});
  rejections.push_back({"5.0.0", "preparing failed"});

  // Offered one after the other, each waited for: the last offer replaces the one before.
  double failures = upgradeFailures(client, "guarded");
  for (const auto& rejection : rejections) {
    SCOPED_TRACE(rejection.version);
    auto promoted = store_->promote("guarded", rejection.version, stagingOf(rejection.version),
                                    "test", "CN=ci-publisher");
    ASSERT_TRUE(promoted.ok()) << promoted.status().message();
    json failure;
    ASSERT_TRUE(waitUntil(
        [&] {
          failure = packOf(client, "guarded")["upgrade_failure"];
          return failure.is_object() && failure["version"] == rejection.version;
        },
        kDeadline))
        << agent.log();
    EXPECT_NE(failure["error"].get<std::string>().find(rejection.reason), std::string::npos)
        << failure.dump();
    EXPECT_GT(upgradeFailures(client, "guarded"), failures);
    failures = upgradeFailures(client, "guarded");
    EXPECT_TRUE(serves(client, "guarded", "1.0.0"));
    const auto ran = runToEnd(client, "guarded.show");
    EXPECT_EQ(ran["status"], "succeeded");
    EXPECT_EQ(ran["pack_version"], "1.0.0");
  }
  // What an operator sees.
  auto health = client.health();
  ASSERT_TRUE(health.ok());
  EXPECT_NE((*health)["warnings"].dump().find("pack guarded 5.0.0 not installed: preparing failed"),
            std::string::npos)
      << health->dump();
  const auto listed = runProgram({RIVET_BINARY_DIR "/bin/rivet", "--host", agent.hostPort(),
                                  "--certs", agent.pkiDir().string(), "packs"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("store:test"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("guarded: version 5.0.0 not installed: preparing failed"),
            std::string::npos)
      << listed.out;
  // Nothing of the rejected versions is left on the agent.
  const auto installed = agent.dataDir() / "delivered-packs" / "guarded";
  std::size_t versions = 0;
  for (const auto& entry : fs::directory_iterator(installed)) versions += entry.is_directory();
  EXPECT_EQ(versions, 1u);
}

TEST_F(PackDeliveryTest, ARestartedAgentServesItsInstalledPacksWithoutTheStore) {
  RivetdProcess agent(agentDefines("test"));
  ASSERT_TRUE(agent.start()) << agent.log();
  {
    auto client = clientFor(agent);
    ASSERT_FALSE(publishAndWait(agent, client, "kept", "1.0.0").empty());
  }
  ASSERT_EQ(agent.stop(), 0);
  nginx_.stop();  // the store is gone: nothing in the execution path needs it

  ASSERT_TRUE(agent.start()) << agent.log();
  auto client = clientFor(agent);
  EXPECT_TRUE(serves(client, "kept", "1.0.0"));
  const auto ran = runToEnd(client, "kept.show");
  EXPECT_EQ(ran["status"], "succeeded");
  EXPECT_EQ(ran["pack_version"], "1.0.0");
  EXPECT_EQ(ran["pack_source"], "store");
  json sync;
  ASSERT_TRUE(waitUntil(
      [&] {
        auto packs = client.packs();
        if (packs.ok()) sync = (*packs)["sync"];
        return sync.is_object() && !sync["last_error"].get<std::string>().empty();
      },
      kDeadline));
  auto health = client.health();
  ASSERT_TRUE(health.ok());
  EXPECT_NE((*health)["warnings"].dump().find("not readable"), std::string::npos)
      << health->dump();
  EXPECT_TRUE(serves(client, "kept", "1.0.0")) << sync.dump();
}

TEST_F(PackDeliveryTest, PublishingStraightToProdIsRefusedUnlessForcedAndAudited) {
  const auto manifest = build("hotfix", "1.0.0");
  auto refused = store_->publish(manifest, "prod", "CN=ci-publisher", false);
  ASSERT_FALSE(refused.ok());
  EXPECT_FALSE(fs::exists(nginx_.rootDir() / "stages" / "prod"));
  auto history = store_->history("hotfix");
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->empty());

  const auto forced = publish(manifest, "prod", true);
  EXPECT_TRUE(forced.forced);
  history = store_->history("hotfix");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_TRUE((*history)[0].forced);
  EXPECT_EQ((*history)[0].to_stage, "prod");
}

// Dev mode: a pack sent with the request.
class DevPacksTest : public ::testing::Test {
 protected:
  // Who the tests' client certificate is, as an agent sees it ("" if it could not be told).
  static std::string testClientSubject() {
    RivetdProcess probe;
    if (!probe.start()) return "";
    auto client = clientFor(probe);
    const auto ran = runToEnd(client, "examples.echo_args", {{"message", "hi"}});
    return ran.is_object() ? ran["requester"].value("subject", "") : "";
  }

  // Writes pack `mypack` (0.0.1-dev) into source() and returns its archive, as
  // `rivet run --pack-dir` sends it.
  fs::path writeDevPack() const {
    writePack(source(), "mypack", "0.0.1-dev");
    const auto archive = temp_.path() / "mypack.tar.zst";
    EXPECT_TRUE(pack_artifact::writePackArchive(source(), archive).ok());
    return archive;
  }
  fs::path source() const { return temp_.path() / "mypack"; }

  TempDir temp_;
};

TEST_F(DevPacksTest, APackSentWithARequestIsRefusedWhenDevModeIsOff) {
  RivetdProcess agent;
  ASSERT_TRUE(agent.start()) << agent.log();
  auto client = clientFor(agent);
  const auto archive = writeDevPack();

  auto refused = client.run("mypack.show", json::object(),
                            {"", std::nullopt, std::nullopt, readFile(archive)});
  ASSERT_FALSE(refused.ok());
  ASSERT_TRUE(refused.apiError());
  EXPECT_EQ(refused.apiError()->http_status, 403);
  EXPECT_EQ(refused.apiError()->code, "dev_packs_disabled");
  EXPECT_FALSE(fs::exists(agent.dataDir() / "dev-packs"));
  auto executions = client.list();
  ASSERT_TRUE(executions.ok());
  EXPECT_TRUE((*executions)["items"].empty());
}

TEST_F(DevPacksTest, AnAllowedIdentityRunsItsPackForThatRunOnly) {
  const auto archive = writeDevPack();

  const auto subject = testClientSubject();
  ASSERT_FALSE(subject.empty());

  RivetdProcess stranger_only({"dev-packs.enabled=true", "dev-packs.identities=CN=someone-else"});
  ASSERT_TRUE(stranger_only.start()) << stranger_only.log();
  auto stranger_client = clientFor(stranger_only);
  auto forbidden = stranger_client.run("mypack.show", json::object(),
                                       {"", std::nullopt, std::nullopt, readFile(archive)});
  ASSERT_FALSE(forbidden.ok());
  EXPECT_EQ(forbidden.apiError()->http_status, 403);
  EXPECT_EQ(forbidden.apiError()->code, "forbidden");
  EXPECT_FALSE(fs::exists(stranger_only.dataDir() / "dev-packs"));

  RivetdProcess agent({"dev-packs.enabled=true", "dev-packs.identities=" + subject});
  ASSERT_TRUE(agent.start()) << agent.log();
  auto client = clientFor(agent);
  // Through the CLI, as an engineer tries a change.
  const auto cli = runProgram({RIVET_BINARY_DIR "/bin/rivet", "--host", agent.hostPort(),
                               "--certs", agent.pkiDir().string(), "--json", "run", "--wait",
                               "--pack-dir", source().string(), "mypack.show"});
  ASSERT_EQ(cli.exit_code, 0) << cli.out << cli.err;
  const auto ran = json::parse(cli.out);
  EXPECT_EQ(ran["status"], "succeeded");
  EXPECT_EQ(ran["pack_source"], "dev");
  EXPECT_EQ(ran["pack_version"], "0.0.1-dev");
  EXPECT_EQ(ran["pack_digest"], pack_artifact::contentDigest(readFile(archive)));
  EXPECT_EQ(readAll(client, ran["id"]), "version 0.0.1-dev\n");
  // Installed for that run only: not in the catalog, and gone once it ended.
  auto packs = client.packs();
  ASSERT_TRUE(packs.ok());
  for (const auto& pack : (*packs)["items"]) EXPECT_NE(pack["name"], "mypack");
  EXPECT_TRUE(waitUntil([&] {
    return !fs::exists(agent.dataDir() / "dev-packs") ||
           fs::is_empty(agent.dataDir() / "dev-packs");
  }));
}

TEST_F(DevPacksTest, ASentPackOutlivesARestartWhileItsExecutionRuns) {
  const auto archive = writeDevPack();
  const auto subject = testClientSubject();
  ASSERT_FALSE(subject.empty());
  RivetdProcess agent({"dev-packs.enabled=true", "dev-packs.identities=" + subject});
  ASSERT_TRUE(agent.start()) << agent.log();
  const auto flag = temp_.path() / "release-dev-run";
  const auto dev_dir = agent.dataDir() / "dev-packs";
  std::string id;
  {
    auto client = clientFor(agent);
    auto started = client.run("mypack.show", {{"flag", flag.string()}},
                              {"", std::nullopt, std::nullopt, readFile(archive)});
    ASSERT_TRUE(started.ok()) << started.status().message();
    id = (*started)["id"];
    ASSERT_TRUE(waitUntil([&] { return readAll(client, id) == "version 0.0.1-dev\n"; }));
  }
  ASSERT_EQ(agent.stop(), 0);
  writeFile(dev_dir / "left-by-a-crash" / "pack.tar.zst", "debris");

  ASSERT_TRUE(agent.start()) << agent.log();
  auto client = clientFor(agent);
  EXPECT_FALSE(fs::exists(dev_dir / "left-by-a-crash"));
  ASSERT_TRUE(fs::is_directory(dev_dir));
  EXPECT_FALSE(fs::is_empty(dev_dir)) << "the restart removed the pack of a running execution";
  const auto ended = releaseAndWait(client, flag, id);
  EXPECT_EQ(ended["status"], "succeeded") << ended.dump();
  EXPECT_EQ(ended["pack_source"], "dev");
  EXPECT_TRUE(waitUntil([&] { return fs::is_empty(dev_dir); }, kDeadline));
}

TEST_F(DevPacksTest, PreparingASentPackHoldsNoTransportThread) {
  // A Python pack whose requirement cannot be installed: its virtualenv is built (seconds),
  // then pip fails. The agent has two transport threads and gets three such requests.
  const auto source = writePack(temp_.path() / "pypack", "pypack", "0.0.1-dev");
  writeFile(source / "requirements.txt", "rivet-no-such-package==1.0\n");
  writeFile(source / "actions" / "py.yaml",
            "name: py\nrunner_type: python-script\nentry_point: py.py\n");
  writeFile(source / "actions" / "py.py", "print('never')\n");
  const auto archive = temp_.path() / "pypack.tar.zst";
  ASSERT_TRUE(pack_artifact::writePackArchive(source, archive).ok());

  const auto subject = testClientSubject();
  ASSERT_FALSE(subject.empty());
  RivetdProcess agent({"dev-packs.enabled=true", "dev-packs.identities=" + subject,
                       "transport-https.threads=2", "python-venv.pip_no_index=true"});
  ASSERT_TRUE(agent.start()) << agent.log();
  const auto bytes = readFile(archive);
  std::vector<std::future<client::Result<json>>> posts;
  for (int i = 0; i < 3; ++i) {
    posts.push_back(std::async(std::launch::async, [&agent, &bytes] {
      auto client = clientFor(agent);
      return client.run("pypack.py", json::object(), {"", std::nullopt, std::nullopt, bytes});
    }));
  }
  // Once all three are being prepared, the agent still answers everyone else at once.
  ASSERT_TRUE(waitUntil([&] {
    return fs::exists(agent.dataDir() / "dev-packs") &&
           std::distance(fs::directory_iterator(agent.dataDir() / "dev-packs"),
                         fs::directory_iterator()) >= 1;
  }));
  auto client = clientFor(agent);
  auto health = client.health();
  ASSERT_TRUE(health.ok()) << health.status().message();
  EXPECT_EQ((*health)["status"], "ok");
  // Had the preparations held the two transport threads, the health check would have waited
  // for one of them to end.
  for (auto& post : posts) {
    EXPECT_EQ(post.wait_for(std::chrono::seconds(0)), std::future_status::timeout)
        << "a sent pack was answered before the health check";
  }
  for (auto& post : posts) {
    auto answered = post.get();
    ASSERT_FALSE(answered.ok());
    ASSERT_TRUE(answered.apiError());
    EXPECT_EQ(answered.apiError()->http_status, 422);
    EXPECT_EQ(answered.apiError()->code, "invalid_pack");
    EXPECT_NE(answered.apiError()->message.find("preparing it failed"), std::string::npos)
        << answered.apiError()->message;
  }
  // Refused packs leave nothing behind and never ran.
  EXPECT_TRUE(fs::is_empty(agent.dataDir() / "dev-packs"));
  auto executions = client.list();
  ASSERT_TRUE(executions.ok());
  EXPECT_TRUE((*executions)["items"].empty());
}

}  // namespace
}  // namespace rivet::test
