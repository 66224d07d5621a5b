#include "interpreter.hpp"

#include <unistd.h>

#include <filesystem>
#include <sstream>

namespace rivet::plugins::python_venv {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using sdk::ErrorCode;

// Prints "major minor micro" on the first line and sys.version on the second.
constexpr const char* kProbeScript =
    "import sys; print(*sys.version_info[:3]); print(sys.version.replace('\\n', ' '))";

}  // namespace

sdk::StatusOr<std::string> interpreterPath(const sdk::PackSpec& pack,
                                           const std::string& configured) {
  auto rivet = pack.metadata.find("rivet");
  if (rivet == pack.metadata.end() || !rivet->is_object()) return configured;
  auto python = rivet->find("python");
  if (python == rivet->end() || python->is_null()) return configured;
  if (!python->is_string() || python->get_ref<const std::string&>().empty() ||
      python->get_ref<const std::string&>().front() != '/') {
    return sdk::Status(ErrorCode::unprocessable,
                       "pack " + pack.ref +
                           ": pack.yaml `rivet: {python: ...}` must be an "
                           "absolute path to a Python interpreter");
  }
  return python->get<std::string>();
}

bool isExecutableFile(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

sdk::StatusOr<Interpreter> probeInterpreter(const std::string& path, Deadline deadline) {
  if (!isExecutableFile(path)) {
    return sdk::Status(ErrorCode::unavailable,
                       "the Python interpreter " + path + " is not an executable file");
  }
  std::string output;
  const auto outcome = runChildCapturing({path, "-I", "-c", kProbeScript}, deadline, output);
  Interpreter interpreter;
  interpreter.path = path;
  std::istringstream lines(output);
  int micro = -1;
  if (outcome.succeeded() && (lines >> interpreter.major >> interpreter.minor >> micro)) {
    lines >> std::ws;
    std::getline(lines, interpreter.build);
  }
  if (micro < 0) {
    return sdk::Status(ErrorCode::unavailable, "cannot tell the version of " + path + " (" +
                                                   outcome.describe() +
                                                   "): " + lastLines(output, 5));
  }
  interpreter.version = std::to_string(interpreter.major) + "." +
                        std::to_string(interpreter.minor) + "." + std::to_string(micro);
  std::error_code ec;
  const fs::path resolved = fs::canonical(path, ec);
  interpreter.resolved = ec ? path : resolved.string();
  return interpreter;
}

sdk::Status checkPythonVersions(const sdk::PackSpec& pack, const Interpreter& interpreter) {
  auto versions = pack.metadata.find("python_versions");
  if (versions == pack.metadata.end() || versions->is_null()) return sdk::Status::success();
  const json list = versions->is_array() ? *versions : json::array({*versions});
  for (const auto& entry : list) {
    const std::string text = entry.is_string() ? entry.get<std::string>() : entry.dump();
    if (text == std::to_string(interpreter.major)) return sdk::Status::success();
  }
  return {ErrorCode::unavailable,
          "pack " + pack.ref + " declares python_versions " + list.dump() + " but " +
              interpreter.path + " is Python " + interpreter.version +
              "; name a matching interpreter in pack.yaml (`rivet: {python: /path}`) or in "
              "[python-venv] python"};
}

}  // namespace rivet::plugins::python_venv
