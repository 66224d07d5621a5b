// Builds one pack's virtualenv: `python -m venv`, Rivet's st2common stand-in and action wrapper
// (embedded in the plugin), then `pip install -r requirements.txt` with the configured pip
// options. Every step's output goes to <venv>/build.log and every step is logged to rivetd.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "interpreter.hpp"
#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/status.hpp"

namespace rivet::plugins::python_venv {

inline constexpr const char* kBuildLog = "build.log";
inline constexpr const char* kWrapperDir = "rivet";
inline constexpr const char* kWrapperName = "rivet_python_action.py";

struct VenvBuild {
  std::string pack_ref;
  std::filesystem::path requirements;  // the pack's requirements.txt; empty: nothing to install
  Interpreter interpreter;
  std::filesystem::path build_dir;  // exists and is empty
  std::filesystem::path final_dir;  // where build_dir will be renamed to
  std::vector<std::string> pip_options;
  Deadline deadline;  // the whole build is killed then
  sdk::Logger* logger = nullptr;
};

// Builds into build_dir; scripts there that name build_dir (pip's console scripts, activate)
// are rewritten to name final_dir. On failure the Status (unavailable) ends with the last
// lines of the failing step's output.
sdk::Status buildVenv(const VenvBuild& build);

// Identifies a virtualenv's content: requirements.txt, the interpreter (path and version) and
// the Python sources this plugin installs. An unchanged pack keeps its key across restarts.
std::string venvKey(const std::string& requirements_text, const Interpreter& interpreter);

// Whether requirements.txt names anything (lines other than blanks and comments).
bool namesRequirements(const std::string& requirements_text);

}  // namespace rivet::plugins::python_venv
