#include "runner_config.hpp"

#include "rivet/sdk/config_reader.hpp"

namespace rivet::plugins::python_venv {

namespace fs = std::filesystem;

sdk::StatusOr<RunnerConfig> parseRunnerConfig(const sdk::PluginContext& context) {
  const sdk::ConfigReader reader("python-venv", context.config, kConfigKeys);
  RunnerConfig config;
  config.python = reader.text("python");
  if (config.python.empty() || config.python.front() != '/') {
    return reader.invalid("python", "an absolute path");
  }

  const std::string venv_root = reader.text("venv_root");
  config.venv_root =
      (fs::path(context.data_dir) / (venv_root.empty() ? "venvs" : venv_root)).lexically_normal();
  if (!config.venv_root.is_absolute()) {
    return reader.invalid("venv_root", "a path (data_dir must be absolute)");
  }

  config.pip_index_url = reader.text("pip_index_url");
  config.pip_extra_index_url = reader.text("pip_extra_index_url");
  config.pip_find_links = reader.list("pip_find_links");

  const auto pip_no_index = reader.boolean("pip_no_index");
  if (!pip_no_index.ok()) return pip_no_index.status();
  config.pip_no_index = *pip_no_index;

  constexpr std::uint64_t kMaxSeconds = 86400;
  const auto pip_timeout_seconds = reader.integer("pip_timeout_seconds", 1, kMaxSeconds);
  if (!pip_timeout_seconds.ok()) return pip_timeout_seconds.status();
  config.pip_timeout_seconds = static_cast<int>(*pip_timeout_seconds);

  const auto build_timeout_seconds = reader.integer("build_timeout_seconds", 1, kMaxSeconds);
  if (!build_timeout_seconds.ok()) return build_timeout_seconds.status();
  config.build_timeout_seconds = static_cast<int>(*build_timeout_seconds);
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
