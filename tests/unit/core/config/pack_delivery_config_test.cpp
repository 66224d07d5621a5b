#include "config/pack_delivery_config.hpp"

#include <gtest/gtest.h>

#include <Poco/AutoPtr.h>
#include <Poco/Util/MapConfiguration.h>

namespace rivet::core {
namespace {

class PackDeliveryConfigTest : public ::testing::Test {
 protected:
  Poco::AutoPtr<Poco::Util::MapConfiguration> config_{new Poco::Util::MapConfiguration};
  const std::filesystem::path data_dir_{"/var/lib/rivet"};
};

TEST_F(PackDeliveryConfigTest, PackSyncIsOffWithoutAStore) {
  auto sync = readPackSyncConfig(*config_, data_dir_);
  ASSERT_TRUE(sync.ok()) << sync.status().message();
  EXPECT_FALSE(sync->enabled());
  EXPECT_EQ(sync->interval, std::chrono::minutes(2));
}

TEST_F(PackDeliveryConfigTest, ReadsAStoreWithItsStageKeysAndPacks) {
  config_->setString("pack-sync.store", "https://packs.example.com");
  config_->setString("pack-sync.stage", "prod");
  config_->setString("pack-sync.interval", "90s");
  config_->setString("pack-sync.packs", "linux, nginx");
  config_->setString("pack-sync.trusted_keys", "/etc/rivet/ci.pub, /etc/rivet/release.pub");
  auto sync = readPackSyncConfig(*config_, data_dir_);
  ASSERT_TRUE(sync.ok()) << sync.status().message();
  EXPECT_TRUE(sync->enabled());
  EXPECT_EQ(sync->stage, "prod");
  EXPECT_EQ(sync->interval, std::chrono::seconds(90));
  EXPECT_EQ(sync->packs, (std::vector<std::string>{"linux", "nginx"}));
  EXPECT_EQ(sync->trusted_keys, (std::vector<std::filesystem::path>{"/etc/rivet/ci.pub",
                                                                    "/etc/rivet/release.pub"}));
  EXPECT_EQ(sync->install_dir, "/var/lib/rivet/delivered-packs");
}

TEST_F(PackDeliveryConfigTest, AStoreNeedsAStageAndATrustedKey) {
  config_->setString("pack-sync.store", "file:///srv/packs");
  auto no_stage = readPackSyncConfig(*config_, data_dir_);
  ASSERT_FALSE(no_stage.ok());
  EXPECT_NE(no_stage.status().message().find("stage is required"), std::string::npos);

  config_->setString("pack-sync.stage", "test");
  auto no_key = readPackSyncConfig(*config_, data_dir_);
  ASSERT_FALSE(no_key.ok());
  EXPECT_NE(no_key.status().message().find("trusted_keys is required"), std::string::npos);
}

TEST_F(PackDeliveryConfigTest, DevPacksAreOffByDefault) {
  auto dev = readDevPacksConfig(*config_, data_dir_);
  ASSERT_TRUE(dev.ok()) << dev.status().message();
  EXPECT_FALSE(dev->enabled);
  EXPECT_TRUE(dev->identities.empty());
  EXPECT_EQ(dev->work_dir, "/var/lib/rivet/dev-packs");
}

TEST_F(PackDeliveryConfigTest, DevIdentitiesAreSubjectsSeparatedBySemicolons) {
  config_->setString("dev-packs.enabled", "true");
  config_->setString("dev-packs.identities", "CN=alice,O=Ops ; CN=bob,O=Ops");
  auto dev = readDevPacksConfig(*config_, data_dir_);
  ASSERT_TRUE(dev.ok()) << dev.status().message();
  EXPECT_TRUE(dev->enabled);
  EXPECT_EQ(dev->identities, (std::vector<std::string>{"CN=alice,O=Ops", "CN=bob,O=Ops"}));
}

TEST_F(PackDeliveryConfigTest, EnabledDevPacksNeedAnIdentity) {
  config_->setString("dev-packs.enabled", "true");
  auto dev = readDevPacksConfig(*config_, data_dir_);
  ASSERT_FALSE(dev.ok());
  EXPECT_NE(dev.status().message().find("identities is required"), std::string::npos);
}

}  // namespace
}  // namespace rivet::core
