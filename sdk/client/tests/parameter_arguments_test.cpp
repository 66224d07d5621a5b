#include "rivet/client/parameter_arguments.hpp"

#include <gtest/gtest.h>

namespace rivet::client {
namespace {

using nlohmann::json;
using rivet::sdk::ErrorCode;

const json kAction = json::parse(R"({
  "ref": "linux.demo", "pack": "linux", "name": "demo",
  "parameters": {
    "path": {"type": "string"},
    "depth": {"type": "integer"},
    "ratio": {"type": "number"},
    "follow": {"type": "boolean"},
    "names": {"type": "array"},
    "labels": {"type": "object"}
  }
})");

json parameters(const std::vector<std::string>& arguments) {
  const auto parsed = parameterArguments(arguments, kAction);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return parsed.ok() ? *parsed : json();
}

TEST(ParameterArguments, TypesValuesByTheDeclaredType) {
  EXPECT_EQ(parameters({"path=/var", "depth=2", "ratio=0.5", "follow=true", "names=a,b,c",
                        R"(labels={"team": "ops"})"}),
            json::parse(R"({"path": "/var", "depth": 2, "ratio": 0.5, "follow": true,
                            "names": ["a", "b", "c"], "labels": {"team": "ops"}})"));
}

TEST(ParameterArguments, StringsStayStringsEvenWhenTheyLookLikeNumbers) {
  EXPECT_EQ(parameters({"path=42"}), json::parse(R"({"path": "42"})"));
  EXPECT_EQ(parameters({"path="}), json::parse(R"({"path": ""})"));
  EXPECT_EQ(parameters({"path=a=b"}), json::parse(R"({"path": "a=b"})"));
}

TEST(ParameterArguments, ArraysAcceptJsonOrCommaSeparatedItems) {
  EXPECT_EQ(parameters({"names=[1, \"x\"]"})["names"], json::parse(R"([1, "x"])"));
  EXPECT_EQ(parameters({"names=single"})["names"], json::parse(R"(["single"])"));
  EXPECT_EQ(parameters({"names="})["names"], json::array());
}

TEST(ParameterArguments, NumbersAcceptIntegersAndFractions) {
  EXPECT_EQ(parameters({"ratio=3"})["ratio"], json(3));
  EXPECT_TRUE(parameters({"ratio=3"})["ratio"].is_number_integer());
  EXPECT_EQ(parameters({"depth=-7"})["depth"], json(-7));
}

TEST(ParameterArguments, MisfitsAndUnknownNamesGoAsStringsForTheServerToJudge) {
  EXPECT_EQ(parameters({"depth=two", "follow=yes", "ratio=1.5x", "colour=red"}),
            json::parse(R"({"depth": "two", "follow": "yes", "ratio": "1.5x",
                            "colour": "red"})"));
}

TEST(ParameterArguments, ColonEqualsSendsRawJson) {
  EXPECT_EQ(parameters({"path:=null", "depth:=\"2\"", "extra:={\"a\": [1]}"}),
            json::parse(R"({"path": null, "depth": "2", "extra": {"a": [1]}})"));
}

TEST(ParameterArguments, AnActionWithoutParametersSendsStrings) {
  const auto parsed = parameterArguments({"x=1"}, json::object());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, json::parse(R"({"x": "1"})"));
}

TEST(ParameterArguments, NoArgumentsIsAnEmptyObject) { EXPECT_EQ(parameters({}), json::object()); }

TEST(ParameterArguments, RejectsMalformedArguments) {
  for (const std::vector<std::string>& arguments : std::vector<std::vector<std::string>>{
           {"path"}, {"=x"}, {":=1"}, {"path=a", "path=b"}, {"path:={"}, {"labels=team=ops"}}) {
    const auto parsed = parameterArguments(arguments, kAction);
    EXPECT_FALSE(parsed.ok()) << arguments.front();
    EXPECT_EQ(parsed.status().code(), ErrorCode::invalid_argument) << arguments.front();
  }
}

}  // namespace
}  // namespace rivet::client
