// `rivet: {limits: ...}` in action metadata: what an action may ask of the sandbox.
#include "packs/action_limits.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "packs/metadata_error.hpp"

namespace rivet::core {
namespace {

using ::testing::HasSubstr;

sdk::ResourceLimits limitsOf(const std::string& yaml) {
  return readActionLimits(YAML::Load(yaml));
}

std::string refusalOf(const std::string& yaml) {
  try {
    readActionLimits(YAML::Load(yaml));
  } catch (const MetadataError& error) {
    return error.what();
  }
  return "";
}

TEST(ActionLimitsTest, AbsentMeansNoLimitOfItsOwn) {
  EXPECT_TRUE(limitsOf("name: act\n").empty());
  EXPECT_TRUE(limitsOf("name: act\nrivet: {}\n").empty());
  EXPECT_TRUE(limitsOf("name: act\nrivet:\n  limits: {}\n").empty());
}

TEST(ActionLimitsTest, ReadsMemoryCpuAndPids) {
  const auto limits = limitsOf("rivet:\n  limits: {memory: 256M, cpu: 0.25, pids: 64}\n");
  EXPECT_EQ(limits.memory_bytes, 256u << 20);
  EXPECT_EQ(limits.cpu_share, 0.25);
  EXPECT_EQ(limits.pids, 64u);
  const auto memory_only = limitsOf("rivet:\n  limits:\n    memory: 1G\n");
  EXPECT_EQ(memory_only.memory_bytes, 1u << 30);
  EXPECT_FALSE(memory_only.cpu_share);
  EXPECT_FALSE(memory_only.pids);
}

TEST(ActionLimitsTest, RefusesUnknownKeysAndValuesOutOfRange) {
  EXPECT_THAT(refusalOf("rivet:\n  limts: {}\n"), HasSubstr("rivet.limts is not a Rivet key"));
  EXPECT_THAT(refusalOf("rivet:\n  limits: {swap: 1G}\n"), HasSubstr("swap: unknown key"));
  EXPECT_THAT(refusalOf("rivet:\n  limits: {memory: lots}\n"),
              HasSubstr("memory = 'lots': expected a byte count"));
  EXPECT_THAT(refusalOf("rivet:\n  limits: {memory: 0}\n"), HasSubstr("memory = '0'"));
  EXPECT_THAT(refusalOf("rivet:\n  limits: {cpu: 0}\n"),
              HasSubstr("cpu = '0': expected a number from 0.01 to 4096"));
  EXPECT_THAT(refusalOf("rivet:\n  limits: {pids: -1}\n"), HasSubstr("pids = '-1'"));
  EXPECT_THAT(refusalOf("rivet:\n  limits: {pids: [1]}\n"), HasSubstr("must be a single value"));
  EXPECT_THAT(refusalOf("rivet: [limits]\n"), HasSubstr("rivet must be a map"));
}

}  // namespace
}  // namespace rivet::core
