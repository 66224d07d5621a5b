// Inventories (docs/fleet.md): JSON or YAML, attributes, selection, and refusals that name the
// entry.
#include "rivet/client/inventory.hpp"

#include <gtest/gtest.h>

#include "rivet/client/fleet.hpp"

namespace rivet::client {
namespace {

TEST(InventoryTest, ReadsYamlAndJsonWithDefaultsAndAttributes) {
  const auto yaml = parseInventory(R"(
- {id: cass-1, address: 10.0.1.5, app: cassandra, zone: us-east-1a, tags: [db, prod]}
- address: 10.0.1.6
  port: 7500
  shard: 3
)");
  ASSERT_TRUE(yaml.ok()) << yaml.status().message();
  ASSERT_EQ(yaml->size(), 2u);
  EXPECT_EQ((*yaml)[0].id, "cass-1");
  EXPECT_EQ((*yaml)[0].endpoint.port, 7443);
  EXPECT_EQ((*yaml)[0].attribute("zone"), "us-east-1a");
  EXPECT_EQ((*yaml)[0].attributes.at("tags"), (std::vector<std::string>{"db", "prod"}));
  EXPECT_EQ((*yaml)[1].id, "10.0.1.6:7500");
  EXPECT_EQ((*yaml)[1].attribute("shard"), "3");

  const auto json = parseInventory(R"({"instances": [{"address": "h1", "port": 1}]})");
  ASSERT_TRUE(json.ok()) << json.status().message();
  EXPECT_EQ(json->at(0).endpoint.port, 1);
}

TEST(InventoryTest, RefusalsNameTheEntry) {
  EXPECT_EQ(parseInventory("[{port: 1}]").status().message(),
            "inventory entry 1: address is required");
  EXPECT_EQ(parseInventory("[{address: a}, {address: b, port: 70000}]").status().message(),
            "inventory entry 2: port must be a number from 1 to 65535, got 70000");
  EXPECT_EQ(parseInventory("[{address: a, id: x}, {address: b, id: x}]").status().message(),
            "inventory entry 2: id 'x' is used twice");
  EXPECT_EQ(parseInventory("[{address: a, zone: {x: 1}}]").status().code(),
            sdk::ErrorCode::invalid_argument);
  EXPECT_FALSE(parseInventory("{address: a}").ok());
  EXPECT_FALSE(parseInventory("[unclosed").ok());
}

TEST(InventoryTest, SelectionMatchesEveryPairAndListMembers) {
  const auto instances = parseInventory(R"(
- {id: a, address: h1, zone: z1, tags: [db]}
- {id: b, address: h2, zone: z1, tags: [web]}
- {id: c, address: h3, zone: z2, tags: [db, web]}
)");
  ASSERT_TRUE(instances.ok());
  const auto ids = [&](const std::vector<std::string>& selectors) {
    std::vector<std::string> found;
    const auto selected = selectInstances(*instances, selectors);
    for (const auto& instance : *selected) found.push_back(instance.id);
    return found;
  };
  EXPECT_EQ(ids({}), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(ids({"tags=db"}), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(ids({"tags=web", "zone=z1"}), (std::vector<std::string>{"b"}));
  EXPECT_EQ(ids({"address=h3"}), (std::vector<std::string>{"c"}));
  EXPECT_TRUE(ids({"zone=z9"}).empty());
  EXPECT_FALSE(selectInstances(*instances, {"zone"}).ok());
}

TEST(InventoryTest, CommandOutputIsAnInventoryAndAFailingCommandIsAnError) {
  const auto listed = loadInventoryCommand("echo '[{\"address\": \"h1\"}]'");
  ASSERT_TRUE(listed.ok()) << listed.status().message();
  EXPECT_EQ(listed->at(0).endpoint.host, "h1");
  const auto failed = loadInventoryCommand("exit 3");
  EXPECT_NE(failed.status().message().find("exit code 3"), std::string::npos);
}

TEST(InventoryTest, HostCountsAndStrategiesParse) {
  EXPECT_EQ(parseHostCount("10")->of(500, true), 10u);
  EXPECT_EQ(parseHostCount("10%")->of(25, true), 3u);
  EXPECT_EQ(parseHostCount("10%")->of(25, false), 2u);
  EXPECT_FALSE(parseHostCount("101%"));
  EXPECT_FALSE(parseHostCount("ten"));
  EXPECT_FALSE(parseHostCount(""));
  EXPECT_EQ(parseFleetStrategy("zone"), FleetStrategy::zone);
  EXPECT_FALSE(parseFleetStrategy("random"));
}

}  // namespace
}  // namespace rivet::client
