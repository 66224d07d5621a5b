#include "pack_config.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <regex>

namespace rivet::plugins::python_venv {
namespace {

using nlohmann::json;
constexpr int kMaxDepth = 64;

struct ConfigError {
  std::string message;
};

std::optional<json> plainNumber(const std::string& text) {
  static const std::regex kInteger("[-+]?[0-9]+");
  static const std::regex kHex("0x[0-9a-fA-F]+");
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  auto parse = [](std::string_view digits, auto value, auto... base) -> std::optional<json> {
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), value, base...);
    if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return json(value);
  };
  if (std::regex_match(text, kHex))
    return parse(std::string_view(text).substr(2), std::int64_t{}, 16);
  if (std::regex_match(text, kInteger)) {
    if (auto integer = parse(text, std::int64_t{}, 10)) return integer;
  }
  if (std::regex_match(text, kFloat)) return parse(text, double{});
  return std::nullopt;
}

json scalar(const YAML::Node& node) {
  static const std::regex kTrue("true|True|TRUE|yes|Yes|YES|on|On|ON");
  static const std::regex kFalse("false|False|FALSE|no|No|NO|off|Off|OFF");
  static const std::regex kNull("null|Null|NULL|~|");
  const std::string& text = node.Scalar();
  if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return text;  // quoted
  if (std::regex_match(text, kNull)) return nullptr;
  if (std::regex_match(text, kTrue)) return true;
  if (std::regex_match(text, kFalse)) return false;
  if (auto number = plainNumber(text)) return *number;
  return text;
}

json convert(const YAML::Node& node, int depth) {
  if (depth > kMaxDepth) throw ConfigError{"nested deeper than 64 levels"};
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar:
      return scalar(node);
    case YAML::NodeType::Sequence: {
      json array = json::array();
      for (const auto& item : node) array.push_back(convert(item, depth + 1));
      return array;
    }
    case YAML::NodeType::Map: {
      json object = json::object();
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) throw ConfigError{"a map key must be a plain value"};
        const std::string& key = entry.first.Scalar();
        if (object.contains(key)) throw ConfigError{"duplicate key '" + key + "'"};
        object[key] = convert(entry.second, depth + 1);
      }
      return object;
    }
  }
  return nullptr;
}

}  // namespace

sdk::StatusOr<json> readPackConfig(const std::string& pack_dir) {
  const std::filesystem::path file = std::filesystem::path(pack_dir) / kPackConfigFile;
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return json::object();
  auto invalid = [&](const std::string& why) {
    return sdk::Status(sdk::ErrorCode::unprocessable, file.string() + ": " + why);
  };
  std::ifstream in(file, std::ios::binary);
  if (!in) return invalid("cannot be read");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  try {
    json config = convert(YAML::Load(text), 0);
    if (config.is_null()) return json::object();
    if (!config.is_object()) return invalid("must be a mapping of config keys");
    return config;
  } catch (const YAML::Exception& error) {
    return invalid("invalid YAML: " + error.msg + " (line " + std::to_string(error.mark.line + 1) +
                   ")");
  } catch (const ConfigError& error) {
    return invalid(error.message);
  }
}

}  // namespace rivet::plugins::python_venv
