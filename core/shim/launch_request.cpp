#include "shim/launch_request.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "shim/atomic_file.hpp"

namespace rivet::core::shim {
namespace {

using nlohmann::json;
using sdk::ErrorCode;
using sdk::Status;

const std::set<std::string, std::less<>> kKeys = {
    "execution_id", "argv",       "env",  "working_dir",     "stdin_path",         "stdout_path",
    "stderr_path",  "join_files", "nice", "timeout_seconds", "kill_grace_seconds",
};

Status invalid(std::string_view key, std::string_view expected) {
  return Status(ErrorCode::invalid_argument,
                "launch.json: '" + std::string(key) + "' must be " + std::string(expected));
}

Status readText(const json& doc, std::string_view key, std::string& out) {
  const auto& value = doc.at(key);
  if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
    return invalid(key, "a non-empty string");
  }
  out = value.get<std::string>();
  return Status::success();
}

Status readTexts(const json& doc, std::string_view key, std::vector<std::string>& out) {
  const auto& value = doc.at(key);
  if (!value.is_array()) return invalid(key, "an array of strings");
  for (const auto& item : value) {
    if (!item.is_string()) return invalid(key, "an array of strings");
    out.push_back(item.get<std::string>());
  }
  return Status::success();
}

Status readInteger(const json& doc, std::string_view key, int min, int max, int& out) {
  const auto& value = doc.at(key);
  const std::string range = std::to_string(min) + ".." + std::to_string(max);
  if (!value.is_number_integer()) return invalid(key, "an integer in " + range);
  const auto number = value.get<std::int64_t>();
  if (number < min || number > max) return invalid(key, "an integer in " + range);
  out = static_cast<int>(number);
  return Status::success();
}

}  // namespace

sdk::StatusOr<LaunchRequest> parseLaunchRequest(std::string_view json_text) {
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::parse_error& error) {
    return Status(ErrorCode::invalid_argument,
                  std::string("launch.json is not valid JSON: ") + error.what());
  }
  if (!doc.is_object()) return Status(ErrorCode::invalid_argument, "launch.json: not an object");
  for (const auto& [key, value] : doc.items()) {
    if (!kKeys.contains(key)) {
      return Status(ErrorCode::invalid_argument, "launch.json: unknown key '" + key + "'");
    }
  }
  for (const auto& key : kKeys) {
    if (!doc.contains(key)) {
      return Status(ErrorCode::invalid_argument, "launch.json: missing key '" + key + "'");
    }
  }

  constexpr int kMaxSeconds = std::numeric_limits<int>::max();
  LaunchRequest request;
  auto& process = request.process;
  for (const auto& status : {
           readText(doc, "execution_id", request.execution_id),
           readTexts(doc, "argv", process.argv),
           readTexts(doc, "env", process.env),
           readText(doc, "working_dir", process.working_dir),
           readText(doc, "stdin_path", process.stdin_path),
           readText(doc, "stdout_path", process.stdout_path),
           readText(doc, "stderr_path", process.stderr_path),
           readTexts(doc, "join_files", process.join_files),
           readInteger(doc, "nice", -20, 19, process.nice),
           readInteger(doc, "timeout_seconds", 0, kMaxSeconds, request.timeout_seconds),
           readInteger(doc, "kill_grace_seconds", 0, kMaxSeconds, request.kill_grace_seconds),
       }) {
    if (!status.ok()) return status;
  }
  if (process.argv.empty() || process.argv.front().empty()) {
    return invalid("argv", "a non-empty array of strings whose first is the program");
  }
  return request;
}

sdk::StatusOr<LaunchRequest> readLaunchRequest(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return Status(ErrorCode::invalid_argument,
                  "cannot read " + file.string() + ": " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parseLaunchRequest(text.str());
}

sdk::Status writeLaunchRequest(const std::filesystem::path& file, const LaunchRequest& request) {
  const auto& process = request.process;
  const json doc = {{"execution_id", request.execution_id},
                    {"argv", process.argv},
                    {"env", process.env},
                    {"working_dir", process.working_dir},
                    {"stdin_path", process.stdin_path},
                    {"stdout_path", process.stdout_path},
                    {"stderr_path", process.stderr_path},
                    {"join_files", process.join_files},
                    {"nice", process.nice},
                    {"timeout_seconds", request.timeout_seconds},
                    {"kill_grace_seconds", request.kill_grace_seconds}};
  // Synced: rivetd acknowledges the execution to its client once this has returned.
  return writeFileAtomically(file, doc.dump() + "\n", Durability::synced);
}

}  // namespace rivet::core::shim
