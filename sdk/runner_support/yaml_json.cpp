#include "rivet/runner_support/yaml_json.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <regex>


namespace rivet::runner_support {
namespace {

constexpr int kMaxDepth = 64;

std::optional<bool> plainBoolean(const std::string& text) {
  static const std::regex kTrue("true|True|TRUE|yes|Yes|YES|on|On|ON");
  static const std::regex kFalse("false|False|FALSE|no|No|NO|off|Off|OFF");
  if (std::regex_match(text, kTrue)) return true;
  if (std::regex_match(text, kFalse)) return false;
  return std::nullopt;
}

std::optional<nlohmann::json> plainNumber(const std::string& text) {
  static const std::regex kDecimal("[-+]?[0-9]+");
  static const std::regex kHex("0x[0-9a-fA-F]+");
  static const std::regex kOctal("0o[0-7]+");
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");

  // from_chars wants the whole text consumed and takes no leading '+'.
  auto parse = [](std::string_view digits, auto value,
                  auto... base) -> std::optional<nlohmann::json> {
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), value, base...);
    if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return nlohmann::json(value);
  };
  std::string_view view = text;
  if (std::regex_match(text, kHex)) return parse(view.substr(2), std::int64_t{}, 16);
  if (std::regex_match(text, kOctal)) return parse(view.substr(2), std::int64_t{}, 8);
  if (std::regex_match(text, kDecimal)) {
    if (auto integer = parse(view, std::int64_t{}, 10)) return integer;
    // Beyond 64 bits: still a number, as PyYAML would keep it; falls through to double.
  }
  if (std::regex_match(text, kFloat)) return parse(view, double{});
  return std::nullopt;
}

nlohmann::json scalarToJson(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  // "?" marks a plain scalar; quoted and block scalars get "!", and !!str is explicit.
  if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return text;
  if (auto boolean = plainBoolean(text)) return *boolean;
  if (auto number = plainNumber(text)) return *number;
  return text;
}

nlohmann::json convert(const YAML::Node& node, int depth) {
  if (depth > kMaxDepth) {
    throw YamlError("nesting deeper than " + std::to_string(kMaxDepth) + " levels",
                        node.Mark());
  }
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar:
      return scalarToJson(node);
    case YAML::NodeType::Sequence: {
      nlohmann::json array = nlohmann::json::array();
      for (const auto& item : node) array.push_back(convert(item, depth + 1));
      return array;
    }
    case YAML::NodeType::Map: {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) {
          throw YamlError("a map key must be a plain value", entry.first.Mark());
        }
        const std::string& key = entry.first.Scalar();
        // yaml-cpp keeps both copies of a repeated key; refuse rather than pick one.
        if (object.contains(key)) {
          throw YamlError("duplicate key '" + key + "'", entry.first.Mark());
        }
        object[key] = convert(entry.second, depth + 1);
      }
      return object;
    }
  }
  return nullptr;
}

}  // namespace

nlohmann::json yamlToJson(const YAML::Node& node) { return convert(node, 0); }

YAML::Node loadYamlFile(const std::string& path) {
  // A directory opens and reads as empty: refuse anything but a file up front.
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    throw YamlError("missing, or not a regular file");
  }
  std::ifstream file(path, std::ios::binary);
  std::string text{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  if (!file.is_open() || file.bad()) throw YamlError("cannot be read");
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& error) {
    throw YamlError("invalid YAML: " + error.msg, error.mark);
  }
}

}  // namespace rivet::runner_support
