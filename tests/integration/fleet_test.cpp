// Fleet runs (issue 6) against 27 real rivetd agents on 127.0.0.1 (3 regions x 3 zones x 3
// hosts, distinct ports, one shared PKI), through the C++ client library and the CLI. The
// action records its own start and end (epoch ms) as its result, so overlaps are measured.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "rivet/client/fleet.hpp"
#include "rivetd_test_support.hpp"

namespace rivet::test {
namespace {

using client::FleetOptions;
using client::FleetResult;
using client::FleetStrategy;
using client::Instance;

constexpr int kRegions = 3;
constexpr int kZonesPerRegion = 3;
constexpr int kHostsPerZone = 3;

void writeStampPack(const std::filesystem::path& packs, int exit_code) {
  writeFile(packs / "fleet/pack.yaml", "name: fleet\nversion: 0.1.0\n");
  writeFile(packs / "fleet/actions/stamp.yaml",
            "name: stamp\nrunner_type: local-shell-script\nentry_point: stamp.sh\n");
  writeFile(packs / "fleet/actions/stamp.sh",
            "#!/bin/sh\nstart=$(date +%s%3N)\nsleep 0.2\nend=$(date +%s%3N)\n"
            "echo \"{\\\"start\\\": $start, \\\"end\\\": $end}\"\nexit " +
                std::to_string(exit_code) + "\n");
}

// The agents, their inventory and what a test may break: started once for the suite.
class FleetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_ = new Shared;
    ASSERT_TRUE(client::makeDevPki(shared_->pki.str()).ok());
    writeStampPack(shared_->good_packs.path(), 0);
    writeStampPack(shared_->failing_packs.path(), 1);
    const auto files = client::devPkiFiles(shared_->pki.str());
    for (int i = 0; i < kRegions * kZonesPerRegion * kHostsPerZone; ++i) {
      // Hosts 4, 13 and 22 (one zone in each region) fail the action.
      const bool fails = i % 9 == 4;
      shared_->agents.push_back(std::make_unique<RivetdProcess>(std::vector<std::string>{
          "rivetd.packs_dir=" + (fails ? shared_->failing_packs : shared_->good_packs).str(),
          "rivetd.plugins=storage-sqlite, transport-https, shell",
          "transport-https.ca_file=" + files.ca_cert,
          "transport-https.cert_file=" + files.server_cert,
          "transport-https.key_file=" + files.server_key, "transport-https.dev_pki=false"}));
      ASSERT_TRUE(shared_->agents.back()->start()) << shared_->agents.back()->log();
      const int region = i / (kZonesPerRegion * kHostsPerZone);
      const int zone = i / kHostsPerZone % kZonesPerRegion;
      Instance instance;
      instance.id = "host-" + std::to_string(i);
      instance.endpoint = {"127.0.0.1", shared_->agents.back()->port()};
      instance.attributes["region"] = {"region-" + std::to_string(region)};
      instance.attributes["zone"] = {"zone-" + std::to_string(region) + std::string(1, char('a' + zone))};
      instance.attributes["health"] = {fails ? "bad" : "good"};
      shared_->instances.push_back(std::move(instance));
    }
  }
  static void TearDownTestSuite() {
    delete shared_;
    shared_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(shared_, nullptr); }

  static std::vector<Instance> healthy() {
    std::vector<Instance> selected;
    for (const auto& instance : shared_->instances) {
      if (instance.attribute("health") == "good") selected.push_back(instance);
    }
    return selected;
  }
  static FleetOptions optionsFor(FleetStrategy strategy) {
    const auto files = client::devPkiFiles(shared_->pki.str());
    FleetOptions options;
    options.strategy = strategy;
    options.tls = {files.ca_cert, files.client_cert, files.client_key};
    options.wait_limit = std::chrono::seconds(60);
    return options;
  }
  static FleetResult run(const std::vector<Instance>& instances, const FleetOptions& options) {
    return client::runFleet(instances, "fleet.stamp", nlohmann::json::object(), options);
  }

  // The most executions that ran at the same moment, by the times they recorded.
  static std::size_t mostAtOnce(const FleetResult& fleet) {
    std::vector<std::pair<std::int64_t, int>> edges;
    for (const auto& host : fleet.hosts) {
      if (!host.result.is_object()) continue;
      edges.emplace_back(host.result["start"].get<std::int64_t>(), +1);
      edges.emplace_back(host.result["end"].get<std::int64_t>(), -1);
    }
    std::sort(edges.begin(), edges.end());  // an end sorts before a start at the same ms
    std::size_t now = 0;
    std::size_t most = 0;
    for (const auto& [at, change] : edges) {
      now += change;
      most = std::max(most, now);
    }
    return most;
  }

  struct Shared {
    TempDir pki;
    TempDir good_packs;
    TempDir failing_packs;
    std::vector<std::unique_ptr<RivetdProcess>> agents;
    std::vector<Instance> instances;
  };
  static inline Shared* shared_ = nullptr;
};

TEST_F(FleetTest, OneAtATimeNeverOverlaps) {
  const auto hosts = healthy();
  const auto fleet = run(std::vector<Instance>(hosts.begin(), hosts.begin() + 6),
                         optionsFor(FleetStrategy::one_at_a_time));
  EXPECT_EQ(fleet.exitCode(), 0) << fleet.toJson().dump();
  EXPECT_EQ(fleet.countsByStatus().at("succeeded"), 6u);
  EXPECT_EQ(mostAtOnce(fleet), 1u) << fleet.toJson().dump();
}

TEST_F(FleetTest, ZonesNeverOverlapAndRunInOrder) {
  const auto fleet = run(healthy(), optionsFor(FleetStrategy::zone));
  ASSERT_EQ(fleet.exitCode(), 0) << fleet.toJson().dump();
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> span;  // zone -> first start, last end
  for (const auto& host : fleet.hosts) {
    auto& [first, last] = span.try_emplace(host.group, INT64_MAX, 0).first->second;
    first = std::min(first, host.result["start"].get<std::int64_t>());
    last = std::max(last, host.result["end"].get<std::int64_t>());
  }
  EXPECT_EQ(span.size(), 9u);
  std::int64_t previous_end = 0;
  for (const auto& [zone, times] : span) {  // map order = the sorted order zones must run in
    EXPECT_GE(times.first, previous_end) << zone << " started before the previous zone ended";
    previous_end = times.second;
  }
  EXPECT_GE(mostAtOnce(fleet), 2u) << "hosts of one zone did not run together";
}

TEST_F(FleetTest, ParallelNeverExceedsMaxConcurrencyAndFinishesAll) {
  auto options = optionsFor(FleetStrategy::parallel);
  options.max_concurrency = client::parseHostCount("10");
  const auto fleet = run(healthy(), options);
  EXPECT_EQ(fleet.exitCode(), 0) << fleet.toJson().dump();
  EXPECT_EQ(fleet.countsByStatus().at("succeeded"), healthy().size());
  EXPECT_LE(mostAtOnce(fleet), 10u);
  EXPECT_GE(mostAtOnce(fleet), 5u) << "the parallel run was not parallel";
}

TEST_F(FleetTest, MaxErrorsStopsNewHostsAfterItIsExceeded) {
  // One at a time over every host: hosts 4, 13 and 22 fail; max-errors 2 stops after 22.
  auto options = optionsFor(FleetStrategy::one_at_a_time);
  options.max_errors = *client::parseHostCount("2");
  const auto fleet = run(shared_->instances, options);
  EXPECT_TRUE(fleet.stopped_early);
  EXPECT_EQ(fleet.exitCode(), 1);
  const auto counts = fleet.countsByStatus();
  EXPECT_EQ(counts.at("failed"), 3u) << fleet.toJson().dump();
  EXPECT_EQ(counts.at("succeeded"), 20u);
  EXPECT_EQ(counts.at("skipped"), 4u);
  EXPECT_EQ(fleet.hosts[22].status, "failed");
  EXPECT_EQ(fleet.hosts[23].status, "skipped");
  EXPECT_NE(fleet.hosts[23].error.find("max-errors"), std::string::npos);
}

TEST_F(FleetTest, ParallelMaxErrorsLetsRunningHostsFinish) {
  auto options = optionsFor(FleetStrategy::parallel);
  options.max_concurrency = client::parseHostCount("5");
  options.max_errors = *client::parseHostCount("0");
  const auto fleet = run(shared_->instances, options);
  EXPECT_TRUE(fleet.stopped_early);
  for (const auto& host : fleet.hosts) {
    // Whatever started ran to its end: nothing is left half-done.
    EXPECT_TRUE(host.status == "succeeded" || host.status == "failed" || host.status == "skipped")
        << host.host << " " << host.status;
  }
  EXPECT_GT(fleet.countsByStatus().at("skipped"), 0u);
}

TEST_F(FleetTest, AStoppedAgentIsUnreachableAndCountsAsAnError) {
  RivetdProcess gone({"rivetd.plugins=storage-sqlite, transport-https, shell"});
  ASSERT_TRUE(gone.start()) << gone.log();
  Instance stopped;
  stopped.id = "stopped";
  stopped.endpoint = {"127.0.0.1", gone.port()};
  gone.stop();
  auto hosts = healthy();
  hosts.resize(3);
  hosts.insert(hosts.begin() + 1, stopped);
  auto options = optionsFor(FleetStrategy::parallel);
  options.max_errors = *client::parseHostCount("1");
  const auto fleet = run(hosts, options);
  EXPECT_EQ(fleet.hosts[1].status, "unreachable") << fleet.toJson().dump();
  EXPECT_FALSE(fleet.hosts[1].error.empty());
  EXPECT_EQ(fleet.countsByStatus().at("succeeded"), 3u);
  EXPECT_EQ(fleet.exitCode(), 1);
}

TEST_F(FleetTest, TheCliRunsFromAnInventoryFileAndChecksBackOnAnAsyncRun) {
  TempDir work;
  nlohmann::json inventory = nlohmann::json::array();
  for (const auto& instance : shared_->instances) {
    inventory.push_back({{"id", instance.id}, {"address", "127.0.0.1"},
                         {"port", instance.endpoint.port},
                         {"zone", instance.attribute("zone")},
                         {"region", instance.attribute("region")},
                         {"tags", {instance.attribute("health")}}});
  }
  writeFile(work.path() / "inventory.json", inventory.dump());
  const std::vector<std::string> base{RIVET_BINARY_DIR "/bin/rivet", "--certs", shared_->pki.str(),
                                      "run", "fleet.stamp", "--inventory",
                                      (work.path() / "inventory.json").string()};
  auto args = base;
  args.insert(args.end(), {"--select", "region=region-1", "--select", "tags=good",
                           "--strategy", "zone"});
  const auto zone_run = runProgram(args);
  EXPECT_EQ(zone_run.exit_code, 0) << zone_run.out << zone_run.err;
  EXPECT_NE(zone_run.out.find("8 hosts: 8 succeeded"), std::string::npos) << zone_run.out;

  args = base;
  args.insert(args.end(), {"--select", "region=region-0", "--strategy", "parallel", "--async",
                           "--handle", (work.path() / "run.json").string()});
  const auto submitted = runProgram(args);
  ASSERT_EQ(submitted.exit_code, 0) << submitted.out << submitted.err;
  const std::vector<std::string> status{RIVET_BINARY_DIR "/bin/rivet", "--certs",
                                        shared_->pki.str(), "fleet", "status",
                                        (work.path() / "run.json").string()};
  ProgramResult checked;
  EXPECT_TRUE(waitUntil([&] {
    checked = runProgram(status);
    return checked.exit_code != 4;
  }));
  EXPECT_EQ(checked.exit_code, 1) << "host-4 fails the action: " << checked.out;
  EXPECT_NE(checked.out.find("9 hosts: 1 failed, 8 succeeded"), std::string::npos) << checked.out;

  args = base;
  args.insert(args.end(), {"--strategy", "zone", "--async"});
  const auto refused = runProgram(args);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("parallel"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace rivet::test
