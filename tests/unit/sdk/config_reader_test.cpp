// sdk::ConfigReader: the one reading of typed plugin config values every plugin shares.
#include "rivet/sdk/config_reader.hpp"

#include <gtest/gtest.h>

#include <array>

namespace rivet::sdk {
namespace {

constexpr std::array<ConfigKeySpec, 5> kKeys{{
    {"size", "bytes", "64K", ""},
    {"count", "integer", "3", ""},
    {"enabled", "boolean", "yes", ""},
    {"share", "string", "0.5", ""},
    {"names", "list", " a, ,b ", ""},
}};

TEST(ConfigReaderTest, AbsentKeysTakeTheirDefaults) {
  const std::map<std::string, std::string> values;
  const ConfigReader reader("demo", values, kKeys);
  EXPECT_EQ(*reader.bytes("size"), 64U * 1024);
  EXPECT_EQ(*reader.integer("count"), 3U);
  EXPECT_TRUE(*reader.boolean("enabled"));
  EXPECT_DOUBLE_EQ(*reader.decimal("share", 0, 1), 0.5);
  EXPECT_EQ(reader.list("names"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(reader.text("unknown"), "");
}

TEST(ConfigReaderTest, ByteSuffixesAreBinaryAndCaseInsensitive) {
  for (const auto& [text, bytes] : std::vector<std::pair<std::string, std::uint64_t>>{
           {"512", 512}, {"2k", 2048}, {" 3M ", 3ULL << 20}, {"1G", 1ULL << 30}, {"2t", 2ULL << 40}}) {
    const std::map<std::string, std::string> values{{"size", text}};
    EXPECT_EQ(*ConfigReader("demo", values, kKeys).bytes("size"), bytes) << text;
  }
}

TEST(ConfigReaderTest, RefusalsNameSectionKeyValueAndWhatWasExpected) {
  const std::map<std::string, std::string> values{
      {"size", "12X"}, {"count", "-1"}, {"enabled", "maybe"}, {"share", "2"}};
  const ConfigReader reader("demo", values, kKeys);
  EXPECT_EQ(reader.bytes("size").status().message(),
            "[demo] size = '12X': expected a byte count with an optional K, M, G or T suffix");
  EXPECT_EQ(reader.integer("count", 1, 10).status().message(),
            "[demo] count = '-1': expected a whole number from 1 to 10");
  EXPECT_EQ(reader.boolean("enabled").status().message(),
            "[demo] enabled = 'maybe': expected true or false");
  EXPECT_EQ(reader.decimal("share", 0.01, 1).status().message(),
            "[demo] share = '2': expected a number from 0.01 to 1");
  EXPECT_EQ(reader.integer("count").status().code(), ErrorCode::invalid_argument);
}

TEST(ConfigReaderTest, OverflowAndRangeAreRefused) {
  const std::map<std::string, std::string> values{{"size", "20000000T"},
                                                  {"count", "99999999999999999999999"}};
  const ConfigReader reader("demo", values, kKeys);
  EXPECT_FALSE(reader.bytes("size").ok());
  EXPECT_FALSE(reader.integer("count").ok());
  const std::map<std::string, std::string> small{{"size", "1K"}};
  EXPECT_EQ(ConfigReader("demo", small, kKeys).bytes("size", 4096).status().message(),
            "[demo] size = '1K': expected a byte count >= 4096 with an optional K, M, G or T "
            "suffix");
}

TEST(ConfigReaderTest, UnknownKeysAreNamed) {
  const std::map<std::string, std::string> values{{"count", "1"}, {"colour", "red"}};
  const Status status = ConfigReader("demo", values, kKeys).checkKnownKeys();
  EXPECT_EQ(status.message(), "[demo] colour: unknown key");
}

}  // namespace
}  // namespace rivet::sdk
