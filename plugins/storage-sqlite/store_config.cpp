#include "store_config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <optional>
#include <string_view>

namespace rivet::plugins::storage_sqlite {

using sdk::ErrorCode;
using sdk::Status;
using sdk::StatusOr;

namespace {

std::string configValue(const sdk::PluginContext& context, std::string_view key) {
  if (auto found = context.config.find(std::string(key)); found != context.config.end()) {
    return found->second;
  }
  for (const auto& spec : kConfigKeys) {
    if (key == spec.name) return spec.default_value;
  }
  return {};
}

Status invalidValue(std::string_view key, const std::string& value, std::string_view expected) {
  return Status(ErrorCode::invalid_argument, "[storage-sqlite] " + std::string(key) + " = '" +
                                                 value + "': expected " + std::string(expected));
}

// The whole of `text` as a base-10 integer, or nothing (empty text, other characters, or out
// of Integer's range).
template <typename Integer>
std::optional<Integer> parseWholeNumber(const std::string& text) {
  Integer value{};
  const char* const end = text.data() + text.size();
  const auto [parsed_end, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || parsed_end != end) return std::nullopt;
  return value;
}

}  // namespace

StatusOr<StoreConfig> parseStoreConfig(const sdk::PluginContext& context) {
  StoreConfig config;

  const std::string path = configValue(context, "path");
  // WAL needs a real file; SQLite would quietly keep an in-memory database in its old mode.
  if (path == ":memory:") {
    return invalidValue("path", path, "a file path (an in-memory database cannot use WAL)");
  }
  config.path = path.empty() ? (std::filesystem::path(context.data_dir) / "rivet.db").string()
                             : (std::filesystem::path(context.data_dir) / path).string();

  std::string synchronous = configValue(context, "synchronous");
  std::transform(synchronous.begin(), synchronous.end(), synchronous.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (synchronous != "NORMAL" && synchronous != "FULL") {
    return invalidValue("synchronous", configValue(context, "synchronous"), "NORMAL or FULL");
  }
  config.synchronous = synchronous;

  const std::string timeout = configValue(context, "busy_timeout_ms");
  const auto busy_timeout_ms = parseWholeNumber<int>(timeout);
  if (!busy_timeout_ms || *busy_timeout_ms < 0) {
    return invalidValue("busy_timeout_ms", timeout, "a whole number of milliseconds >= 0");
  }
  config.busy_timeout_ms = *busy_timeout_ms;

  const std::string max_result = configValue(context, "max_result_bytes");
  const auto max_result_bytes = parseWholeNumber<std::int64_t>(max_result);
  if (!max_result_bytes || *max_result_bytes < 1) {
    return invalidValue("max_result_bytes", max_result, "a whole number of bytes >= 1");
  }
  config.max_result_bytes = *max_result_bytes;
  return config;
}

}  // namespace rivet::plugins::storage_sqlite
