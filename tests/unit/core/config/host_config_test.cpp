#include "config/host_config.hpp"

#include <gtest/gtest.h>

#include <Poco/AutoPtr.h>
#include <Poco/Util/MapConfiguration.h>

namespace rivet::core {
namespace {

class HostConfigTest : public ::testing::Test {
 protected:
  Poco::AutoPtr<Poco::Util::MapConfiguration> config_{new Poco::Util::MapConfiguration};
  DefaultPaths defaults_{"/opt/rivet/plugins", "/opt/rivet/packs", "/opt/rivet/bin/rivet-shim"};
};

TEST_F(HostConfigTest, EmbeddedDefaultNeedsNoConfigAtAll) {
  auto host = readHostConfig(*config_, defaults_);
  ASSERT_TRUE(host.ok()) << host.status().message();
  EXPECT_EQ(host->data_dir, std::filesystem::absolute("rivet-data").lexically_normal());
  EXPECT_EQ(host->plugin_dir, "/opt/rivet/plugins");
  EXPECT_EQ(host->packs_dir, "/opt/rivet/packs");
  EXPECT_EQ(host->plugins,
            (std::vector<std::string>{"storage-sqlite", "transport-https", "shell", "python-venv",
                                      "interpreter-generic"}));
  EXPECT_EQ(host->nice, 1);
}

TEST_F(HostConfigTest, ReadsKeysAndTrimsTheList) {
  config_->setString("rivetd.plugins", " a ,b,, c ");
  config_->setString("rivetd.nice", "5");
  config_->setString("rivetd.data_dir", "/var/lib/rivet");
  auto host = readHostConfig(*config_, defaults_);
  ASSERT_TRUE(host.ok()) << host.status().message();
  EXPECT_EQ(host->plugins, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(host->nice, 5);
  EXPECT_EQ(host->data_dir, "/var/lib/rivet");
}

TEST_F(HostConfigTest, RefusesAnUnknownKeyNamingTheKnownOnes) {
  config_->setString("rivetd.nicety", "5");
  auto host = readHostConfig(*config_, defaults_);
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.status().message().find("no key 'nicety'"), std::string::npos);
  EXPECT_NE(host.status().message().find("nice"), std::string::npos);
}

TEST_F(HostConfigTest, RefusesValuesOfTheWrongType) {
  config_->setString("rivetd.nice", "high");
  auto host = readHostConfig(*config_, defaults_);
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.status().message().find("not an integer"), std::string::npos);

  config_->setString("rivetd.nice", "25");
  host = readHostConfig(*config_, defaults_);
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.status().message().find("0..19"), std::string::npos);
}

TEST_F(HostConfigTest, RefusesUnknownSections) {
  Poco::AutoPtr<Poco::Util::MapConfiguration> file(new Poco::Util::MapConfiguration);
  file->setString("rivetd.nice", "1");
  file->setString("transport-htps.port", "1");
  auto status = checkSections(*file, {"rivetd", "transport-https"});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("[transport-htps]"), std::string::npos);
}

TEST_F(HostConfigTest, DescribesEveryKey) {
  const auto text = describeSection("rivetd", hostConfigKeys());
  for (const auto& key : hostConfigKeys()) EXPECT_NE(text.find(key.name), std::string::npos);
}

}  // namespace
}  // namespace rivet::core
