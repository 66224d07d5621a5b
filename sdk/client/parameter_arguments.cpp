#include "rivet/client/parameter_arguments.hpp"

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace rivet::client {
namespace {

using nlohmann::json;
using rivet::sdk::ErrorCode;
using rivet::sdk::Status;

Status invalidArgument(std::string message) {
  return Status(ErrorCode::invalid_argument, std::move(message));
}

template <typename Number>
std::optional<Number> wholeNumber(std::string_view text) {
  Number number{};
  const auto* end = text.data() + text.size();
  const auto [parsed_end, error] = std::from_chars(text.data(), end, number);
  if (text.empty() || error != std::errc() || parsed_end != end) return std::nullopt;
  return number;
}

std::vector<std::string> commaSeparated(std::string_view text) {
  std::vector<std::string> items;
  if (text.empty()) return items;
  std::size_t start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    items.emplace_back(text.substr(start, comma - start));
    if (comma == std::string_view::npos) return items;
    start = comma + 1;
  }
}

// The declared type of `name`, or "" when the action does not declare it.
std::string declaredType(const json& action, const std::string& name) {
  const auto parameters = action.find("parameters");
  if (parameters == action.end() || !parameters->is_object()) return "";
  const auto parameter = parameters->find(name);
  if (parameter == parameters->end() || !parameter->is_object()) return "";
  const auto type = parameter->find("type");
  return type != parameter->end() && type->is_string() ? type->get<std::string>() : "";
}

rivet::sdk::StatusOr<json> typedValue(const std::string& name, const std::string& type,
                                      const std::string& text) {
  if (type == "integer") {
    if (const auto number = wholeNumber<std::int64_t>(text)) return json(*number);
  } else if (type == "number") {
    if (const auto number = wholeNumber<std::int64_t>(text)) return json(*number);
    if (const auto number = wholeNumber<double>(text)) return json(*number);
  } else if (type == "boolean") {
    if (text == "true") return json(true);
    if (text == "false") return json(false);
  } else if (type == "array") {
    const auto parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_array()) return parsed;
    return json(commaSeparated(text));
  } else if (type == "object") {
    const auto parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object()) return parsed;
    return invalidArgument("parameter '" + name + "' is an object: give it as JSON, e.g. " + name +
                           "='{\"key\": \"value\"}'");
  }
  return json(text);
}

}  // namespace

rivet::sdk::StatusOr<json> parameterArguments(const std::vector<std::string>& arguments,
                                              const json& action) {
  json parameters = json::object();
  for (const std::string& argument : arguments) {
    const auto equals = argument.find('=');
    if (equals == std::string::npos || equals == 0 || (equals == 1 && argument[0] == ':')) {
      return invalidArgument("expected NAME=VALUE or NAME:=JSON, got '" + argument + "'");
    }
    const bool raw_json = argument[equals - 1] == ':';
    const std::string name = argument.substr(0, raw_json ? equals - 1 : equals);
    const std::string text = argument.substr(equals + 1);
    if (parameters.contains(name)) return invalidArgument("parameter '" + name + "' given twice");

    if (raw_json) {
      auto parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_discarded()) {
        return invalidArgument("parameter '" + name +
                               "': the value after ':=' is not JSON: " + text);
      }
      parameters[name] = std::move(parsed);
      continue;
    }
    auto value = typedValue(name, declaredType(action, name), text);
    if (!value.ok()) return value.status();
    parameters[name] = std::move(*value);
  }
  return parameters;
}

}  // namespace rivet::client
