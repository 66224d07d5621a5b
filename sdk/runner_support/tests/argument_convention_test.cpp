// The StackStorm argument convention of script runners.
#include "rivet/runner_support/argument_convention.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rivet/test/parameter_spec.hpp"

namespace rivet::runner_support {
namespace {

using nlohmann::json;
using sdk::ParameterType;
using Args = std::vector<std::string>;

using rivet::test::param;

TEST(ArgvBuilderTest, NamedComeFirstInDeclarationOrderThenPositional) {
  std::vector<sdk::ParameterSpec> specs{
      param("target", ParameterType::string, 0), param("zeta", ParameterType::string),
      param("alpha", ParameterType::integer), param("mode", ParameterType::string, 1)};
  json values{{"target", "/var"}, {"zeta", "z"}, {"alpha", 3}, {"mode", "fast"}};
  EXPECT_EQ(parameterArguments(specs, values), (Args{"--zeta=z", "--alpha=3", "/var", "fast"}));
}

TEST(ArgvBuilderTest, NamedBooleansAreBareFlagsOrLeftOut) {
  std::vector<sdk::ParameterSpec> specs{param("verbose", ParameterType::boolean),
                                        param("dry_run", ParameterType::boolean)};
  EXPECT_EQ(parameterArguments(specs, json{{"verbose", true}, {"dry_run", false}}),
            (Args{"--verbose"}));
}

TEST(ArgvBuilderTest, EmptyNamedValuesAreLeftOutButZeroIsKept) {
  std::vector<sdk::ParameterSpec> specs{
      param("empty", ParameterType::string),  param("null", ParameterType::string),
      param("absent", ParameterType::string), param("none", ParameterType::array),
      param("zero", ParameterType::integer),  param("zero_text", ParameterType::string),
      param("obj", ParameterType::object)};
  json values{{"empty", ""}, {"null", nullptr},  {"none", json::array()},
              {"zero", 0},   {"zero_text", "0"}, {"obj", json::object()}};
  EXPECT_EQ(parameterArguments(specs, values), (Args{"--zero=0", "--zero_text=0", "--obj={}"}));
}

TEST(ArgvBuilderTest, NamedValuesUseTheSameTextAsPositional) {
  std::vector<sdk::ParameterSpec> specs{param("hosts", ParameterType::array),
                                        param("ratio", ParameterType::number),
                                        param("labels", ParameterType::object)};
  json values{{"hosts", {"a", "b"}}, {"ratio", 0.5}, {"labels", {{"k", "v"}}}};
  EXPECT_EQ(parameterArguments(specs, values),
            (Args{"--hosts=a,b", "--ratio=0.5", R"(--labels={"k":"v"})"}));
}

TEST(ArgvBuilderTest, PositionalValuesAsText) {
  EXPECT_EQ(argumentText(ParameterType::string, "a b"), "a b");
  EXPECT_EQ(argumentText(ParameterType::integer, 42), "42");
  EXPECT_EQ(argumentText(ParameterType::integer, -7), "-7");
  EXPECT_EQ(argumentText(ParameterType::integer, 3.0), "3");
  EXPECT_EQ(argumentText(ParameterType::number, 3), "3");
  EXPECT_EQ(argumentText(ParameterType::number, 3.0), "3.0");
  EXPECT_EQ(argumentText(ParameterType::number, 0.1), "0.1");
  EXPECT_EQ(argumentText(ParameterType::number, 1.5e300), "1.5e+300");
  EXPECT_EQ(argumentText(ParameterType::boolean, true), "1");
  EXPECT_EQ(argumentText(ParameterType::boolean, false), "0");
  EXPECT_EQ(argumentText(ParameterType::array, json::array({"a", 1, true, nullptr, 1.5})),
            "a,1,true,,1.5");
  EXPECT_EQ(argumentText(ParameterType::array, json::array()), "");
  EXPECT_EQ(argumentText(ParameterType::object, json{{"b", 1}, {"a", {1, 2}}}),
            R"({"a":[1,2],"b":1})");
  EXPECT_EQ(argumentText(ParameterType::string, nullptr), "");
}

TEST(ArgvBuilderTest, InvalidUtf8InAnObjectDoesNotThrow) {
  json object{{"k", std::string("\xff")}};
  EXPECT_EQ(argumentText(ParameterType::object, object), "{\"k\":\"\xEF\xBF\xBD\"}");
  EXPECT_EQ(argumentText(ParameterType::string, std::string("\xff")), "\xff");
}

TEST(ArgvBuilderTest, MissingPositionalBecomesEmptyArgument) {
  std::vector<sdk::ParameterSpec> specs{param("first", ParameterType::string, 0),
                                        param("second", ParameterType::boolean, 1),
                                        param("third", ParameterType::string, 2)};
  EXPECT_EQ(parameterArguments(specs, json{{"third", "x"}, {"second", nullptr}}),
            (Args{"", "", "x"}));
}

// StackStorm sorts positions and places them one after the other: gaps are not filled, so
// positions {1, 3, 7} arrive as $1, $2, $3 (and {0, 1} as $1, $2).
TEST(ArgvBuilderTest, PositionsAreSortedAndGapsAreNotFilled) {
  std::vector<sdk::ParameterSpec> specs{param("c", ParameterType::string, 7),
                                        param("a", ParameterType::string, 1),
                                        param("b", ParameterType::string, 3)};
  EXPECT_EQ(parameterArguments(specs, json{{"a", "A"}, {"b", "B"}, {"c", "C"}}),
            (Args{"A", "B", "C"}));
}

TEST(ArgvBuilderTest, NamedPrefixFollowsKwargOp) {
  std::vector<sdk::ParameterSpec> specs{param("name", ParameterType::string),
                                        param("force", ParameterType::boolean)};
  EXPECT_EQ(parameterArguments(specs, json{{"name", "x"}, {"force", true}}, "-"),
            (Args{"-name=x", "-force"}));
}

TEST(ArgvBuilderTest, UndeclaredValuesAreIgnored) {
  std::vector<sdk::ParameterSpec> specs{param("declared", ParameterType::string)};
  EXPECT_EQ(parameterArguments(specs, json{{"declared", "d"}, {"sneaky", "s"}}),
            (Args{"--declared=d"}));
  EXPECT_EQ(parameterArguments(specs, json::array({"x"})), Args{});
}

TEST(ArgvBuilderTest, HostileValuesStayVerbatimSingleArguments) {
  const Args hostile{"; rm -rf /",
                     "$(touch /tmp/pwned)",
                     "`id`",
                     "a'b\"c",
                     "line1\nline2",
                     "two words",
                     "../../etc/passwd",
                     "-rf",
                     "--other=1",
                     "$HOME",
                     "*",
                     "\\"};
  std::vector<sdk::ParameterSpec> specs;
  json values = json::object();
  for (std::size_t i = 0; i < hostile.size(); ++i) {
    const std::string name = "p" + std::to_string(i);
    specs.push_back(param(name, ParameterType::string, static_cast<int>(i)));
    values[name] = hostile[i];
  }
  specs.push_back(param("named", ParameterType::string));
  values["named"] = "$(reboot); `halt`\n--x";

  Args expected{"--named=$(reboot); `halt`\n--x"};
  expected.insert(expected.end(), hostile.begin(), hostile.end());
  EXPECT_EQ(parameterArguments(specs, values), expected);
}

TEST(ArgvBuilderTest, CheckPositionsRefusesDuplicatesAndNegatives) {
  EXPECT_TRUE(
      checkPositions({param("a", ParameterType::string, 0), param("b", ParameterType::string, 2),
                      param("c", ParameterType::string)})
          .ok());

  auto duplicate =
      checkPositions({param("a", ParameterType::string, 1), param("b", ParameterType::string, 1)});
  EXPECT_EQ(duplicate.code(), sdk::ErrorCode::unprocessable);
  EXPECT_NE(duplicate.message().find("`a` and `b` share position 1"), std::string::npos);

  auto negative = checkPositions({param("a", ParameterType::string, -1)});
  EXPECT_EQ(negative.code(), sdk::ErrorCode::unprocessable);
}

}  // namespace
}  // namespace rivet::runner_support
