#include "packs/parameter_resolver.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rivet::core {
namespace {

using sdk::ParameterType;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using json = nlohmann::json;

sdk::ParameterSpec parameter(const std::string& name, ParameterType type) {
  sdk::ParameterSpec spec;
  spec.name = name;
  spec.type = type;
  return spec;
}

sdk::ActionSpec actionWith(std::vector<sdk::ParameterSpec> parameters) {
  sdk::ActionSpec action;
  action.pack = "demo";
  action.name = "act";
  action.runner_type = "local-shell-script";
  action.parameters = std::move(parameters);
  return action;
}

json resolvedOrFail(const sdk::ActionSpec& action, const json& requested) {
  auto result = resolveParameters(action, requested);
  if (auto* errors = std::get_if<std::vector<ParameterError>>(&result)) {
    std::string all;
    for (const auto& error : *errors) all += error.parameter + ": " + error.message + "\n";
    ADD_FAILURE() << "unexpected errors for " << requested.dump() << ":\n" << all;
    return nullptr;
  }
  return std::get<json>(result);
}

std::vector<ParameterError> errorsOf(const sdk::ActionSpec& action, const json& requested) {
  auto result = resolveParameters(action, requested);
  if (auto* errors = std::get_if<std::vector<ParameterError>>(&result)) return *errors;
  ADD_FAILURE() << "expected errors for " << requested.dump();
  return {};
}

// The single error message resolving {name: value} against one parameter of type gives.
std::string typeErrorOf(ParameterType type, const json& value) {
  auto errors = errorsOf(actionWith({parameter("p", type)}), {{"p", value}});
  if (errors.size() != 1) return "(" + std::to_string(errors.size()) + " errors)";
  EXPECT_EQ(errors[0].parameter, "p");
  return errors[0].message;
}

TEST(ParameterResolverTest, AcceptsEachTypeWithItsJsonType) {
  const std::vector<std::pair<ParameterType, json>> accepted = {
      {ParameterType::string, "text"},
      {ParameterType::string, ""},
      {ParameterType::integer, 42},
      {ParameterType::integer, -7},
      {ParameterType::number, 3},
      {ParameterType::number, 2.5},
      {ParameterType::boolean, true},
      {ParameterType::boolean, false},
      {ParameterType::array, json::array({1, "two"})},
      {ParameterType::object, json({{"k", "v"}})},
      {ParameterType::null, nullptr},
  };
  for (const auto& [type, value] : accepted) {
    auto action = actionWith({parameter("p", type)});
    EXPECT_EQ(resolvedOrFail(action, {{"p", value}}), json({{"p", value}})) << value.dump();
  }
}

TEST(ParameterResolverTest, RefusesValuesOfAnotherJsonType) {
  EXPECT_EQ(typeErrorOf(ParameterType::integer, "5"), "expected integer, got string");
  EXPECT_EQ(typeErrorOf(ParameterType::integer, 2.5),
            "expected integer, got number 2.5 "
            "(an integer is written without a decimal point)");
  EXPECT_THAT(typeErrorOf(ParameterType::integer, 3.0), HasSubstr("got number 3.0"));
  EXPECT_EQ(typeErrorOf(ParameterType::integer, true), "expected integer, got boolean");
  EXPECT_EQ(typeErrorOf(ParameterType::number, "1.5"), "expected number, got string");
  EXPECT_EQ(typeErrorOf(ParameterType::boolean, "true"), "expected boolean, got string");
  EXPECT_EQ(typeErrorOf(ParameterType::boolean, 1), "expected boolean, got integer");
  EXPECT_EQ(typeErrorOf(ParameterType::string, 5), "expected string, got integer");
  EXPECT_EQ(typeErrorOf(ParameterType::string, json::array({"a"})), "expected string, got array");
  EXPECT_EQ(typeErrorOf(ParameterType::array, "a,b"), "expected array, got string");
  EXPECT_EQ(typeErrorOf(ParameterType::object, json::array()), "expected object, got array");
  EXPECT_EQ(typeErrorOf(ParameterType::null, ""), "expected null, got string");
  for (ParameterType type : {ParameterType::string, ParameterType::integer, ParameterType::number,
                             ParameterType::boolean, ParameterType::array, ParameterType::object}) {
    EXPECT_THAT(typeErrorOf(type, nullptr), HasSubstr(", got null"));
  }
}

TEST(ParameterResolverTest, ChecksEnumValues) {
  auto mode = parameter("mode", ParameterType::string);
  mode.enum_values = {"fast", "slow"};
  auto level = parameter("level", ParameterType::integer);
  level.enum_values = {1, 2};
  auto action = actionWith({mode, level});
  EXPECT_EQ(resolvedOrFail(action, {{"mode", "slow"}, {"level", 2}}),
            json({{"mode", "slow"}, {"level", 2}}));
  EXPECT_THAT(errorsOf(action, {{"mode", "medium"}, {"level", 3}}),
              ElementsAre(Field(&ParameterError::message, "must be one of: fast, slow"),
                          Field(&ParameterError::message, "must be one of: 1, 2")));
}

TEST(ParameterResolverTest, AppliesDefaultsAndLeavesOutAbsentOptionalParameters) {
  auto depth = parameter("depth", ParameterType::integer);
  depth.default_value = 1;
  auto human = parameter("human", ParameterType::boolean);
  human.default_value = true;
  auto path = parameter("path", ParameterType::string);
  path.required = true;
  auto label = parameter("label", ParameterType::string);
  auto action = actionWith({path, depth, human, label});
  EXPECT_EQ(resolvedOrFail(action, {{"path", "/var"}, {"human", false}}),
            json({{"path", "/var"}, {"depth", 1}, {"human", false}}));
}

TEST(ParameterResolverTest, RequiredParameterMustBeGivenUnlessItHasADefault) {
  auto path = parameter("path", ParameterType::string);
  path.required = true;
  auto depth = parameter("depth", ParameterType::integer);
  depth.required = true;
  depth.default_value = 2;
  auto action = actionWith({path, depth});
  auto errors = errorsOf(action, json::object());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].parameter, "path");
  EXPECT_EQ(errors[0].message, "is required");
  EXPECT_EQ(resolvedOrFail(action, {{"path", "/"}}), json({{"path", "/"}, {"depth", 2}}));
}

TEST(ParameterResolverTest, RefusesUnknownRunnerAndImmutableParameters) {
  auto mode = parameter("mode", ParameterType::string);
  mode.immutable = true;
  mode.default_value = "safe";
  auto action = actionWith({mode});
  action.runner_parameters = {{"cmd", "df -h"}};
  action.timeout_seconds = 30;

  EXPECT_EQ(resolvedOrFail(action, json::object()), json({{"mode", "safe"}}));
  for (const char* runner : {"cmd", "cwd", "env", "timeout", "sudo", "sudo_password", "kwarg_op"}) {
    auto errors = errorsOf(action, {{runner, "x"}});
    ASSERT_EQ(errors.size(), 1u) << runner;
    EXPECT_EQ(errors[0].parameter, runner);
    EXPECT_EQ(errors[0].message, "is fixed by the pack and cannot be set by a request");
  }
  auto errors = errorsOf(action, {{"mode", "safe"}, {"colour", "red"}});
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].parameter, "mode");
  EXPECT_EQ(errors[0].message, "is immutable and cannot be set by a request");
  EXPECT_EQ(errors[1].parameter, "colour");
  EXPECT_EQ(errors[1].message, "is not a parameter of demo.act");
}

TEST(ParameterResolverTest, CollectsEveryErrorInParameterOrder) {
  auto a = parameter("a", ParameterType::integer);
  auto b = parameter("b", ParameterType::string);
  b.required = true;
  auto c = parameter("c", ParameterType::boolean);
  auto action = actionWith({a, b, c});
  auto errors = errorsOf(action, {{"c", "yes"}, {"a", "1"}, {"zz", 1}, {"timeout", 5}});
  std::vector<std::string> order;
  for (const auto& error : errors) order.push_back(error.parameter);
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c", "timeout", "zz"}));
}

TEST(ParameterResolverTest, HostileStringsAreAcceptedVerbatim) {
  auto action = actionWith({parameter("s", ParameterType::string)});
  for (const char* value : {"; rm -rf /", "$(rm -rf /)", "`id`", "a\nb\r\n", "'\"quoted\"'",
                            "--flag=1", "../../etc/passwd", "* ? [", "\\", "ünïcode"}) {
    EXPECT_EQ(resolvedOrFail(action, {{"s", value}}), json({{"s", value}})) << value;
  }
}

TEST(ParameterResolverTest, RequestParametersMustBeAnObject) {
  auto action = actionWith({parameter("s", ParameterType::string)});
  for (const json& requested : {json::array({"x"}), json("s=x"), json(nullptr), json(1)}) {
    auto errors = errorsOf(action, requested);
    ASSERT_EQ(errors.size(), 1u) << requested.dump();
    EXPECT_EQ(errors[0].parameter, "");
    EXPECT_THAT(errors[0].message, HasSubstr("parameters must be a JSON object, got "));
  }
}

TEST(ParameterResolverTest, RedactsSecretValuesOnly) {
  auto user = parameter("user", ParameterType::string);
  auto password = parameter("password", ParameterType::string);
  password.secret = true;
  auto pin = parameter("pin", ParameterType::integer);
  pin.secret = true;
  auto action = actionWith({user, password, pin});
  const json values = {{"user", "alice"}, {"password", "hunter2"}, {"pin", 1234}};
  EXPECT_EQ(redactSecrets(action, values),
            json({{"user", "alice"}, {"password", "********"}, {"pin", "********"}}));
  EXPECT_EQ(values["password"], "hunter2");  // the original is untouched
  EXPECT_EQ(redactSecrets(action, {{"user", "bob"}}), json({{"user", "bob"}}));
}

}  // namespace
}  // namespace rivet::core
