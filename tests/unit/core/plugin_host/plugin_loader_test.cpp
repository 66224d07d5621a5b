// The loader against real shared objects, good and deliberately broken: every refusal must be
// a clear error naming the file, never a crash.
#include "plugin_host/plugin_loader.hpp"

#include <gtest/gtest.h>

#include <Poco/AutoPtr.h>
#include <Poco/Util/MapConfiguration.h>

#include "plugin_host/plugin_set.hpp"
#include "rivet/sdk/runner.hpp"
#include "rivet/test/temp_dir.hpp"

namespace rivet::core {
namespace {

const std::filesystem::path kFixtures = RIVET_FIXTURE_PLUGIN_DIR;

std::string loadError(const std::string& name) {
  auto loaded = loadPlugin(pluginFile(kFixtures, name), name);
  EXPECT_FALSE(loaded.ok()) << name << " loaded but should not";
  return loaded.ok() ? "" : loaded.status().message();
}

TEST(PluginLoader, LoadsAValidPluginAndCopiesItsDescriptor) {
  auto loaded = loadPlugin(pluginFile(kFixtures, "good_runner"), "good_runner");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->info.name, "good_runner");
  EXPECT_EQ(loaded->info.version, "1.2.3");
  EXPECT_EQ(loaded->info.kind, sdk::PluginKind::runner);
  EXPECT_EQ(loaded->info.build_id, sdk::kBuildId);
  ASSERT_EQ(loaded->info.config_keys.size(), 1u);
  EXPECT_EQ(loaded->info.config_keys[0].name, "greeting");
  EXPECT_EQ(loaded->info.config_keys[0].default_value, "hello");

  auto runner = std::dynamic_pointer_cast<sdk::Runner>(loaded->object);
  ASSERT_NE(runner, nullptr) << "dynamic_cast across the plugin boundary failed";
  sdk::PluginContext context{"/tmp", {{"greeting", "hi"}}, nullptr};
  ASSERT_TRUE(runner->configure(context).ok());
  EXPECT_EQ(runner->runnerTypes(), std::vector<std::string>{"fixture-hi"});
  // The last reference is the cast one: the library must stay loaded until it is released.
  loaded->object.reset();
  EXPECT_EQ(runner->defaultTimeoutSeconds("x"), 7);
}

TEST(PluginLoader, RefusesAMissingFile) {
  const auto message = loadError("no_such_plugin");
  EXPECT_NE(message.find("no_such_plugin.so"), std::string::npos) << message;
}

TEST(PluginLoader, RefusesAFileThatIsNotElf) {
  rivet::test::TempDir dir("rivet-loader");
  dir.write("text.so", "this is not a shared object\n");
  auto loaded = loadPlugin(pluginFile(dir.path(), "text"), "text");
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("text.so"), std::string::npos);
  EXPECT_NE(loaded.status().message().find("not a loadable shared object"), std::string::npos)
      << loaded.status().message();
}

TEST(PluginLoader, RefusesASharedObjectWithoutDescriptor) {
  const auto message = loadError("no_descriptor");
  EXPECT_NE(message.find("no_descriptor.so"), std::string::npos) << message;
  EXPECT_NE(message.find("rivet_plugin_descriptor"), std::string::npos) << message;
}

TEST(PluginLoader, RefusesAnAbiMismatchNamingBothVersions) {
  const auto message = loadError("wrong_abi");
  EXPECT_NE(message.find("wrong_abi.so"), std::string::npos) << message;
  EXPECT_NE(message.find("version " + std::to_string(sdk::kAbiVersion + 1)), std::string::npos)
      << message;
  EXPECT_NE(message.find("this rivetd has " + std::to_string(sdk::kAbiVersion)),
            std::string::npos)
      << message;
}

TEST(PluginLoader, RefusesAnotherBuildId) {
  const auto message = loadError("wrong_build");
  EXPECT_NE(message.find("clang 99"), std::string::npos) << message;
  EXPECT_NE(message.find(sdk::kBuildId), std::string::npos) << message;
}

TEST(PluginLoader, RefusesAMissingSymbolAtLoadTime) {
  const auto message = loadError("missing_symbol");
  EXPECT_NE(message.find("cannot be loaded"), std::string::npos) << message;
  EXPECT_NE(message.find("rivet_fixture_symbol_nobody_defines"), std::string::npos) << message;
}

TEST(PluginLoader, RefusesAFactoryThatFails) {
  const auto message = loadError("throwing_factory");
  EXPECT_NE(message.find("factory failed"), std::string::npos) << message;
}

TEST(PluginLoader, RefusesAPluginWhoseNameDiffersFromItsFile) {
  const auto message = loadError("wrong_name");
  EXPECT_NE(message.find("'someone_else'"), std::string::npos) << message;
}

TEST(PluginSet, RefusesAnObjectThatIsNotOfItsDeclaredKind) {
  Poco::AutoPtr<Poco::Util::MapConfiguration> config(new Poco::Util::MapConfiguration);
  HostConfig host;
  host.plugin_dir = kFixtures;
  host.data_dir = "/tmp";
  host.plugins = {"wrong_kind"};
  auto set = PluginSet::load(host, *config);
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find("declares kind storage"), std::string::npos)
      << set.status().message();
}

TEST(PluginSet, RefusesAConfigKeyThePluginDoesNotDeclare) {
  Poco::AutoPtr<Poco::Util::MapConfiguration> config(new Poco::Util::MapConfiguration);
  config->setString("good_runner.greting", "typo");
  HostConfig host;
  host.plugin_dir = kFixtures;
  host.data_dir = "/tmp";
  host.plugins = {"good_runner"};
  auto set = PluginSet::load(host, *config);
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find("[good_runner] has no key 'greting'"), std::string::npos)
      << set.status().message();
}

TEST(PluginSet, NeedsAStorageAndATransport) {
  Poco::AutoPtr<Poco::Util::MapConfiguration> config(new Poco::Util::MapConfiguration);
  HostConfig host;
  host.plugin_dir = kFixtures;
  host.data_dir = "/tmp";
  host.plugins = {"good_runner"};
  auto set = PluginSet::load(host, *config);
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find("no storage plugin"), std::string::npos)
      << set.status().message();
}

}  // namespace
}  // namespace rivet::core
