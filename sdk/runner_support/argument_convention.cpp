#include "rivet/runner_support/argument_convention.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>

namespace rivet::runner_support {
namespace {

using nlohmann::json;

// Compact JSON that never throws: invalid UTF-8 in a string becomes U+FFFD instead of an
// exception, since a runner must not throw across the plugin boundary.
std::string compactJson(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string numberText(sdk::ParameterType type, const json& value) {
  if (value.is_number_integer()) return compactJson(value);
  const double number = value.get<double>();
  // An integer parameter may arrive as 3.0 from a JSON client; scripts expect "3".
  if (type == sdk::ParameterType::integer && std::isfinite(number) &&
      number == std::trunc(number) &&
      std::fabs(number) < static_cast<double>(std::numeric_limits<std::int64_t>::max())) {
    return std::to_string(static_cast<std::int64_t>(number));
  }
  return compactJson(value);  // shortest representation that reads back as the same double
}

std::string elementText(const json& element) {
  if (element.is_string()) return element.get<std::string>();
  if (element.is_null()) return "";
  return compactJson(element);  // numbers, true/false, nested arrays and objects
}

}  // namespace

std::string argumentText(sdk::ParameterType type, const json& value) {
  switch (value.type()) {
    case json::value_t::null:
    case json::value_t::discarded:
      return "";
    case json::value_t::string:
      return value.get<std::string>();
    case json::value_t::boolean:
      return value.get<bool>() ? "1" : "0";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return numberText(type, value);
    case json::value_t::array: {
      std::string text;
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (i != 0) text += ',';
        text += elementText(value[i]);
      }
      return text;
    }
    case json::value_t::object:
    case json::value_t::binary:
      return compactJson(value);
  }
  return "";
}

std::vector<std::string> parameterArguments(const std::vector<sdk::ParameterSpec>& specs,
                                            const json& parameters, std::string_view named_prefix) {
  static const json kNull;
  auto valueOf = [&](const sdk::ParameterSpec& spec) -> const json& {
    if (!parameters.is_object()) return kNull;
    auto found = parameters.find(spec.name);
    return found == parameters.end() ? kNull : *found;
  };

  std::vector<std::string> arguments;
  std::vector<const sdk::ParameterSpec*> positional;
  for (const auto& spec : specs) {
    if (spec.position) {
      positional.push_back(&spec);
      continue;
    }
    const json& value = valueOf(spec);
    if (value.is_boolean()) {
      if (value.get<bool>()) arguments.push_back(std::string(named_prefix) + spec.name);
      continue;
    }
    std::string text = argumentText(spec.type, value);
    if (text.empty()) continue;
    arguments.push_back(std::string(named_prefix) + spec.name + "=" + text);
  }

  std::stable_sort(positional.begin(), positional.end(),
                   [](const auto* a, const auto* b) { return *a->position < *b->position; });
  for (const auto* spec : positional) arguments.push_back(argumentText(spec->type, valueOf(*spec)));
  return arguments;
}

sdk::Status checkPositions(const std::vector<sdk::ParameterSpec>& specs) {
  std::map<int, const std::string*> owners;
  for (const auto& spec : specs) {
    if (!spec.position) continue;
    if (*spec.position < 0) {
      return {sdk::ErrorCode::unprocessable, "parameter `" + spec.name +
                                                 "` has a negative position " +
                                                 std::to_string(*spec.position)};
    }
    auto [it, inserted] = owners.emplace(*spec.position, &spec.name);
    if (!inserted) {
      return {sdk::ErrorCode::unprocessable, "parameters `" + *it->second + "` and `" + spec.name +
                                                 "` share position " +
                                                 std::to_string(*spec.position)};
    }
  }
  return sdk::Status::success();
}

}  // namespace rivet::runner_support
