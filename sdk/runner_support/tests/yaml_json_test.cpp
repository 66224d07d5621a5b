#include "rivet/runner_support/yaml_json.hpp"

#include <gtest/gtest.h>

#include "rivet/test/temp_dir.hpp"

namespace rivet::runner_support {
namespace {

using json = nlohmann::json;

json convert(const std::string& yaml) { return yamlToJson(YAML::Load(yaml)); }

TEST(YamlToJsonTest, TypesPlainScalarsLikeStackStorm) {
  EXPECT_EQ(convert("~"), json(nullptr));
  EXPECT_EQ(convert("a: null")["a"], json(nullptr));
  EXPECT_EQ(convert("a:")["a"], json(nullptr));
  for (const char* yes : {"true", "True", "TRUE", "yes", "Yes", "on", "ON"}) {
    EXPECT_EQ(convert(yes), json(true)) << yes;
  }
  for (const char* no : {"false", "False", "no", "NO", "off", "Off"}) {
    EXPECT_EQ(convert(no), json(false)) << no;
  }
  const json integer = convert("42");
  EXPECT_TRUE(integer.is_number_integer());
  EXPECT_EQ(integer, 42);
  EXPECT_EQ(convert("-7"), -7);
  EXPECT_EQ(convert("+7"), 7);
  EXPECT_EQ(convert("0x1f"), 31);
  EXPECT_EQ(convert("0o17"), 15);
  EXPECT_TRUE(convert("3.0").is_number_float());
  EXPECT_EQ(convert("3.0"), 3.0);
  EXPECT_EQ(convert("-2e3"), -2000.0);
  EXPECT_EQ(convert(".5"), 0.5);
  EXPECT_TRUE(convert("99999999999999999999").is_number_float());
}

TEST(YamlToJsonTest, KeepsEverythingElseAsStrings) {
  EXPECT_EQ(convert("'true'"), "true");
  EXPECT_EQ(convert("\"42\""), "42");
  EXPECT_EQ(convert("!!str 42"), "42");
  EXPECT_EQ(convert("|\n  line\n"), "line\n");
  EXPECT_EQ(convert("'null'"), "null");
  EXPECT_EQ(convert("0.1.0"), "0.1.0");
  EXPECT_EQ(convert(".inf"), ".inf");
  EXPECT_EQ(convert("1e999"), "1e999");
  EXPECT_EQ(convert("y"), "y");
  EXPECT_EQ(convert("$(rm -rf /)"), "$(rm -rf /)");
}

TEST(YamlToJsonTest, ConvertsListsAndMapsInOrder) {
  EXPECT_EQ(convert("a: [1, x, {b: false}]\nc: {}\n"),
            json({{"a", {1, "x", {{"b", false}}}}, {"c", json::object()}}));
}

TEST(YamlToJsonTest, RefusesDuplicateAndComplexKeysAndEndlessNesting) {
  try {
    convert("a: 1\nb: 2\na: 3\n");
    FAIL() << "duplicate key accepted";
  } catch (const YamlError& error) {
    EXPECT_STREQ(error.what(), "duplicate key 'a'");
    EXPECT_EQ(error.mark().line, 2);
  }
  EXPECT_THROW(convert("? [a, b]\n: 1\n"), YamlError);
  EXPECT_THROW(convert("a: &loop [*loop]\n"), YamlError);
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "[";
  EXPECT_THROW(convert(deep + std::string(100, ']')), YamlError);
}

TEST(YamlToJsonTest, LoadYamlFileReportsUnreadableFilesAndTheLineOfInvalidYaml) {
  rivet::test::TempDir dir;
  dir.write("bad.yaml", "a: 1\nb: [1, 2\n");
  dir.write("empty.yaml", "");
  try {
    loadYamlFile((dir.path() / "bad.yaml").string());
    FAIL() << "invalid YAML accepted";
  } catch (const YamlError& error) {
    EXPECT_EQ(std::string(error.what()).rfind("invalid YAML: ", 0), 0u) << error.what();
    EXPECT_EQ(error.mark().line + 1, 3);
  }
  EXPECT_TRUE(loadYamlFile((dir.path() / "empty.yaml").string()).IsNull());
  EXPECT_THROW(loadYamlFile((dir.path() / "missing.yaml").string()), YamlError);
  EXPECT_THROW(loadYamlFile(dir.str()), YamlError);  // a directory
}

}  // namespace
}  // namespace rivet::runner_support
