// The [python-venv] config section: its key table (what `rivetd --help-config` prints) and the
// parsed values the runner works with.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/status.hpp"

namespace rivet::plugins::python_venv {

inline constexpr std::array<sdk::ConfigKeySpec, 8> kConfigKeys{{
    {"python", "path", "/usr/bin/python3",
     "Interpreter that builds the virtualenvs (needs the venv module and ensurepip: Debian's "
     "python3-venv). A pack may name its own in pack.yaml: `rivet: {python: /path}`."},
    {"venv_root", "path", "", "Where virtualenvs are built; default <data_dir>/venvs"},
    {"pip_index_url", "string", "", "pip --index-url (\"\": pip's default)"},
    {"pip_extra_index_url", "string", "", "pip --extra-index-url (\"\": none)"},
    {"pip_find_links", "string", "",
     "pip --find-links: directories or URLs of wheels, comma-separated (\"\": none)"},
    {"pip_no_index", "boolean", "false",
     "pip --no-index: install only from pip_find_links (offline hosts)"},
    {"pip_timeout_seconds", "integer", "60", "pip --timeout: socket timeout in seconds"},
    {"build_timeout_seconds", "integer", "900",
     "A virtualenv build (venv creation and pip install) is killed after this long"},
}};

struct RunnerConfig {
  std::string python;               // absolute path
  std::filesystem::path venv_root;  // absolute
  std::string pip_index_url;
  std::string pip_extra_index_url;
  std::vector<std::string> pip_find_links;
  bool pip_no_index = false;
  int pip_timeout_seconds = 60;
  int build_timeout_seconds = 900;
};

// Parses the section (defaults for absent keys); refuses values of the wrong type.
sdk::StatusOr<RunnerConfig> parseRunnerConfig(const sdk::PluginContext& context);

// The pip command-line options the config asks for, in a fixed order.
std::vector<std::string> pipOptions(const RunnerConfig& config);

}  // namespace rivet::plugins::python_venv
