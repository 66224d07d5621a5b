// Typed reading of a plugin's own config section, so every plugin accepts the same spellings
// (booleans as Poco does, byte sizes with K/M/G/T) and every refusal reads the same way:
//   [storage-sqlite] busy_timeout_ms = 'soon': expected a whole number from 0 to 2147483647
// Header-only: plugins use it without linking anything of the host.
#pragma once

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/status.hpp"

namespace rivet::sdk {

class ConfigReader {
 public:
  // `section` names the plugin in messages; `keys` (the plugin's key table) gives the default
  // of a key absent from `values`. Both must outlive the reader.
  ConfigReader(std::string_view section, const std::map<std::string, std::string>& values,
               std::span<const ConfigKeySpec> keys)
      : section_(section), values_(values), keys_(keys) {}

  // The value with surrounding blanks removed, or the key's default when absent.
  std::string text(std::string_view key) const {
    std::string_view value;
    if (auto found = values_.find(std::string(key)); found != values_.end()) {
      value = found->second;
    } else {
      for (const auto& spec : keys_) {
        if (key == spec.name) value = spec.default_value;
      }
    }
    return trimmed(value);
  }

  // The non-empty entries of a `separator`-separated value, each trimmed.
  std::vector<std::string> list(std::string_view key, char separator = ',') const {
    std::vector<std::string> items;
    const std::string whole = text(key);
    std::string_view rest = whole;
    while (!rest.empty()) {
      const auto end = rest.find(separator);
      if (std::string item = trimmed(rest.substr(0, end)); !item.empty()) {
        items.push_back(std::move(item));
      }
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
    }
    return items;
  }

  StatusOr<bool> boolean(std::string_view key) const {
    std::string value = text(key);
    std::transform(value.begin(), value.end(), value.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (value == "true" || value == "yes" || value == "on" || value == "1") return true;
    if (value == "false" || value == "no" || value == "off" || value == "0") return false;
    return invalid(key, "true or false");
  }

  StatusOr<std::uint64_t> integer(
      std::string_view key, std::uint64_t min = 0,
      std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) const {
    const std::string value = text(key);
    const auto number = wholeNumber(value, 1);
    if (!number || *number < min || *number > max) {
      return invalid(key, "a whole number" + range(min, max));
    }
    return *number;
  }

  // A byte count with an optional K, M, G or T suffix (1024-based, either case).
  StatusOr<std::uint64_t> bytes(std::string_view key, std::uint64_t min = 0,
                                std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) const {
    std::string value = text(key);
    std::uint64_t unit = 1;
    if (!value.empty() && std::isalpha(static_cast<unsigned char>(value.back())) != 0) {
      const auto suffix = std::string_view("KMGT").find(
          static_cast<char>(std::toupper(static_cast<unsigned char>(value.back()))));
      unit = suffix == std::string_view::npos ? 0 : 1ULL << (10 * (suffix + 1));
      value.pop_back();
    }
    const auto number = unit == 0 ? std::nullopt : wholeNumber(value, unit);
    if (!number || *number < min || *number > max) {
      return invalid(key, "a byte count" + range(min, max) + " with an optional K, M, G or T suffix");
    }
    return *number;
  }

  StatusOr<double> decimal(std::string_view key, double min, double max) const {
    const std::string value = text(key);
    double number = 0;
    const char* end = value.data() + value.size();
    const auto [parsed_end, error] = std::from_chars(value.data(), end, number);
    if (value.empty() || error != std::errc() || parsed_end != end || !std::isfinite(number) ||
        number < min || number > max) {
      return invalid(key, "a number from " + shortNumber(min) + " to " + shortNumber(max));
    }
    return number;
  }

  // invalid_argument naming the section, the key and the value as written.
  Status invalid(std::string_view key, std::string_view expected) const {
    return {ErrorCode::invalid_argument, "[" + std::string(section_) + "] " + std::string(key) +
                                             " = '" + text(key) + "': expected " +
                                             std::string(expected)};
  }

  // invalid_argument for the first key of `values` that is not in the table.
  Status checkKnownKeys() const {
    for (const auto& entry : values_) {
      const bool known = std::any_of(keys_.begin(), keys_.end(), [&](const ConfigKeySpec& spec) {
        return entry.first == spec.name;
      });
      if (!known) {
        return {ErrorCode::invalid_argument,
                "[" + std::string(section_) + "] " + entry.first + ": unknown key"};
      }
    }
    return Status::success();
  }

 private:
  static std::string trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    return std::string(text.substr(first, text.find_last_not_of(" \t") - first + 1));
  }

  // The whole of `text` as a base-10 count times `unit`, or nothing on any other character or
  // on overflow.
  static std::optional<std::uint64_t> wholeNumber(std::string_view text, std::uint64_t unit) {
    std::uint64_t number = 0;
    const char* end = text.data() + text.size();
    const auto [parsed_end, error] = std::from_chars(text.data(), end, number);
    if (text.empty() || error != std::errc() || parsed_end != end ||
        number > std::numeric_limits<std::uint64_t>::max() / unit) {
      return std::nullopt;
    }
    return number * unit;
  }

  static std::string range(std::uint64_t min, std::uint64_t max) {
    if (max == std::numeric_limits<std::uint64_t>::max()) {
      return min == 0 ? std::string() : " >= " + std::to_string(min);
    }
    return " from " + std::to_string(min) + " to " + std::to_string(max);
  }

  static std::string shortNumber(double value) {
    std::string text = std::to_string(value);
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
    return text;
  }

  std::string_view section_;
  const std::map<std::string, std::string>& values_;
  std::span<const ConfigKeySpec> keys_;
};

}  // namespace rivet::sdk
