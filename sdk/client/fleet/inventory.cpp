#include "rivet/client/inventory.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <algorithm>
#include <set>
#include <sstream>

#include "rivet/runner_support/yaml_json.hpp"

namespace rivet::client {
namespace {

using sdk::ErrorCode;
using sdk::Status;
using nlohmann::json;

Status invalidEntry(std::size_t index, const std::string& problem) {
  return {ErrorCode::invalid_argument,
          "inventory entry " + std::to_string(index + 1) + ": " + problem};
}

// A scalar as the text it was written with ("7443", "true", "us-east-1a").
std::optional<std::string> scalarText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number() || value.is_boolean()) return value.dump();
  return std::nullopt;
}

sdk::StatusOr<Instance> readInstance(std::size_t index, const json& entry) {
  if (!entry.is_object()) return invalidEntry(index, "must be a map (address, port, ...)");
  Instance instance;
  for (const auto& [key, value] : entry.items()) {
    if (key == "port") {
      if (!value.is_number_integer() || value.get<std::int64_t>() < 1 ||
          value.get<std::int64_t>() > 65535) {
        return invalidEntry(index, "port must be a number from 1 to 65535, got " + value.dump());
      }
      instance.endpoint.port = value.get<std::uint16_t>();
      continue;
    }
    std::vector<std::string> values;
    if (value.is_array()) {
      for (const auto& item : value) {
        auto text = scalarText(item);
        if (!text) return invalidEntry(index, key + " must hold text, numbers or booleans");
        values.push_back(*text);
      }
    } else if (auto text = scalarText(value)) {
      values.push_back(*text);
    } else {
      return invalidEntry(index, key + " must be text, a number, a boolean or a list of them");
    }
    if (key == "address" || key == "id") {
      if (values.size() != 1 || values.front().empty()) {
        return invalidEntry(index, key + " must be one non-empty value");
      }
      (key == "address" ? instance.endpoint.host : instance.id) = values.front();
    } else {
      instance.attributes[key] = std::move(values);
    }
  }
  if (instance.endpoint.host.empty()) return invalidEntry(index, "address is required");
  if (instance.id.empty()) instance.id = instance.endpoint.toString();
  return instance;
}

}  // namespace

std::string Instance::attribute(const std::string& key) const {
  const auto found = attributes.find(key);
  return found == attributes.end() || found->second.empty() ? "" : found->second.front();
}

sdk::StatusOr<std::vector<Instance>> parseInventory(std::string_view text) {
  json document;
  try {
    // JSON is YAML: one reader takes both.
    document = runner_support::yamlToJson(YAML::Load(std::string(text)));
  } catch (const std::exception& error) {
    return Status(ErrorCode::invalid_argument,
                  std::string("inventory is not valid JSON or YAML: ") + error.what());
  }
  if (document.is_object() && document.contains("instances")) document = document["instances"];
  if (!document.is_array()) {
    return Status(ErrorCode::invalid_argument,
                  "inventory must be a list of instances or {\"instances\": [...]}");
  }
  std::vector<Instance> instances;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < document.size(); ++i) {
    auto instance = readInstance(i, document[i]);
    if (!instance.ok()) return instance.status();
    if (!ids.insert(instance->id).second) {
      return invalidEntry(i, "id '" + instance->id + "' is used twice");
    }
    instances.push_back(std::move(instance).value());
  }
  return instances;
}

sdk::StatusOr<std::vector<Instance>> loadInventoryFile(const std::string& path) {
  std::ifstream file(path);
  if (!file) return Status(ErrorCode::not_found, "cannot read the inventory " + path);
  std::stringstream text;
  text << file.rdbuf();
  auto instances = parseInventory(text.str());
  if (!instances.ok()) {
    return Status(instances.status().code(), path + ": " + instances.status().message());
  }
  return instances;
}

sdk::StatusOr<std::vector<Instance>> loadInventoryCommand(const std::string& command) {
  FILE* pipe = ::popen(command.c_str(), "re");
  if (pipe == nullptr) return Status(ErrorCode::unavailable, "cannot run the inventory command");
  std::string text;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) text.append(buffer, n);
  const int wait_status = ::pclose(pipe);
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
    return Status(ErrorCode::unavailable,
                  "the inventory command failed (" +
                      (WIFEXITED(wait_status) ? "exit code " + std::to_string(WEXITSTATUS(wait_status))
                                              : std::string("killed")) +
                      "): " + command);
  }
  auto instances = parseInventory(text);
  if (!instances.ok()) {
    return Status(instances.status().code(),
                  "output of '" + command + "': " + instances.status().message());
  }
  return instances;
}

sdk::StatusOr<std::vector<Instance>> selectInstances(const std::vector<Instance>& instances,
                                                     const std::vector<std::string>& selectors) {
  std::vector<std::pair<std::string, std::string>> wanted;
  for (const auto& selector : selectors) {
    const auto equals = selector.find('=');
    if (equals == std::string::npos || equals == 0) {
      return Status(ErrorCode::invalid_argument,
                    "selector '" + selector + "' is not key=value (e.g. zone=us-east-1a)");
    }
    wanted.emplace_back(selector.substr(0, equals), selector.substr(equals + 1));
  }
  std::vector<Instance> selected;
  for (const auto& instance : instances) {
    const bool matches = std::all_of(wanted.begin(), wanted.end(), [&](const auto& pair) {
      const auto& [key, value] = pair;
      if (key == "id") return instance.id == value;
      if (key == "address") return instance.endpoint.host == value;
      const auto found = instance.attributes.find(key);
      return found != instance.attributes.end() &&
             std::find(found->second.begin(), found->second.end(), value) != found->second.end();
    });
    if (matches) selected.push_back(instance);
  }
  return selected;
}

}  // namespace rivet::client
