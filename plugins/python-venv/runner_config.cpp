#include "runner_config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <string_view>

namespace rivet::plugins::python_venv {
namespace {

namespace fs = std::filesystem;
using sdk::ErrorCode;
using sdk::Status;

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
  return {ErrorCode::invalid_argument, "[python-venv] " + std::string(key) + " = '" + value +
                                           "': expected " + std::string(expected)};
}

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return std::string(text.substr(first, text.find_last_not_of(" \t") - first + 1));
}

std::string lowered(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The spellings rivetd's own config check accepts (Poco's tryParseBool).
std::optional<bool> parseBoolean(const std::string& text) {
  const std::string value = lowered(trimmed(text));
  if (value == "true" || value == "yes" || value == "on" || value == "1") return true;
  if (value == "false" || value == "no" || value == "off" || value == "0") return false;
  return std::nullopt;
}

std::optional<int> parsePositive(const std::string& text) {
  const std::string value = trimmed(text);
  int number = 0;
  const char* end = value.data() + value.size();
  auto [parsed_end, error] = std::from_chars(value.data(), end, number);
  if (value.empty() || error != std::errc() || parsed_end != end || number < 1) {
    return std::nullopt;
  }
  return number;
}

std::vector<std::string> commaList(const std::string& text) {
  std::vector<std::string> items;
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string item = trimmed(rest.substr(0, comma));
    if (!item.empty()) items.push_back(std::move(item));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return items;
}

}  // namespace

sdk::StatusOr<RunnerConfig> parseRunnerConfig(const sdk::PluginContext& context) {
  RunnerConfig config;
  config.python = trimmed(configValue(context, "python"));
  if (config.python.empty() || config.python.front() != '/') {
    return invalidValue("python", config.python, "an absolute path");
  }

  const std::string venv_root = trimmed(configValue(context, "venv_root"));
  config.venv_root =
      (fs::path(context.data_dir) / (venv_root.empty() ? "venvs" : venv_root)).lexically_normal();
  if (!config.venv_root.is_absolute()) {
    return invalidValue("venv_root", venv_root, "a path (data_dir must be absolute)");
  }

  config.pip_index_url = trimmed(configValue(context, "pip_index_url"));
  config.pip_extra_index_url = trimmed(configValue(context, "pip_extra_index_url"));
  config.pip_find_links = commaList(configValue(context, "pip_find_links"));

  const std::string no_index = configValue(context, "pip_no_index");
  const auto pip_no_index = parseBoolean(no_index);
  if (!pip_no_index) return invalidValue("pip_no_index", no_index, "true or false");
  config.pip_no_index = *pip_no_index;

  const std::string pip_timeout = configValue(context, "pip_timeout_seconds");
  const auto pip_timeout_seconds = parsePositive(pip_timeout);
  if (!pip_timeout_seconds) {
    return invalidValue("pip_timeout_seconds", pip_timeout, "a whole number of seconds >= 1");
  }
  config.pip_timeout_seconds = *pip_timeout_seconds;

  const std::string build_timeout = configValue(context, "build_timeout_seconds");
  const auto build_timeout_seconds = parsePositive(build_timeout);
  if (!build_timeout_seconds) {
    return invalidValue("build_timeout_seconds", build_timeout, "a whole number of seconds >= 1");
  }
  config.build_timeout_seconds = *build_timeout_seconds;
  return config;
}

std::vector<std::string> pipOptions(const RunnerConfig& config) {
  std::vector<std::string> options;
  if (!config.pip_index_url.empty())
    options.insert(options.end(), {"--index-url", config.pip_index_url});
  if (!config.pip_extra_index_url.empty()) {
    options.insert(options.end(), {"--extra-index-url", config.pip_extra_index_url});
  }
  for (const auto& link : config.pip_find_links)
    options.insert(options.end(), {"--find-links", link});
  if (config.pip_no_index) options.emplace_back("--no-index");
  options.insert(options.end(), {"--timeout", std::to_string(config.pip_timeout_seconds)});
  return options;
}

}  // namespace rivet::plugins::python_venv
