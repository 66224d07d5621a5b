#include "venv_usage.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

namespace rivet::plugins::python_venv {

std::set<std::string> virtualEnvsInUse() {
  namespace fs = std::filesystem;
  constexpr std::string_view kAssignment = "VIRTUAL_ENV=";
  std::set<std::string> venvs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string pid = entry.path().filename().string();
    if (pid.empty() || !std::isdigit(static_cast<unsigned char>(pid.front()))) continue;
    // Unreadable (another user's process, or gone meanwhile): not one rivetd started.
    std::ifstream file(entry.path() / "environ", std::ios::binary);
    if (!file) continue;
    // Through rdbuf(), not istreambuf_iterator: a read failing because the process exited
    // meanwhile then ends the text instead of throwing.
    std::ostringstream text;
    text << file.rdbuf();
    const std::string environ = text.str();
    std::string_view rest = environ;
    while (!rest.empty()) {
      const auto end = rest.find('\0');
      const std::string_view variable = rest.substr(0, end);
      if (variable.substr(0, kAssignment.size()) == kAssignment) {
        venvs.emplace(variable.substr(kAssignment.size()));
      }
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
    }
  }
  return venvs;
}

}  // namespace rivet::plugins::python_venv
