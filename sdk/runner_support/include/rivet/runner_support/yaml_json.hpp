// Pack metadata is YAML on disk and JSON everywhere else (API, parameter values, storage).
// This is the one place that converts between them, so pack.yaml, action metadata, parameter
// defaults and a pack's config.yaml are typed the same way in rivetd and in every runner.
// Exceptions here stay inside the library that links this code (rivetd or one plugin).
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace rivet::runner_support {

class YamlError : public std::runtime_error {
 public:
  // mark: where in the file the problem is; a null mark when the problem has no position.
  explicit YamlError(const std::string& message, YAML::Mark mark = YAML::Mark::null_mark())
      : std::runtime_error(message), mark_(mark) {}

  const YAML::Mark& mark() const { return mark_; }

 private:
  YAML::Mark mark_;
};

// "<file>:<line>: <message>", or "<file>: <message>" when the error has no position.
inline std::string describeAt(const std::string& file, const YamlError& error) {
  if (error.mark().is_null()) return file + ": " + error.what();
  return file + ":" + std::to_string(error.mark().line + 1) + ": " + error.what();
}

// Converts a YAML node to JSON. Plain scalars are typed by YAML 1.2's core schema, plus the
// YAML 1.1 booleans yes/no/on/off that PyYAML (and so StackStorm) reads, so an existing
// StackStorm pack means the same here:
//   null, ~, empty -> null;  true/false/yes/no/on/off (lower, Capitalised, UPPER) -> boolean;
//   123, -4, 0x1f, 0o17 -> integer (beyond 64 bits: number);  1.5, -2e3, .5 -> number.
// Quoted, block and !!str scalars stay strings, as does anything else (.inf and .nan too:
// JSON cannot hold them). Throws YamlError on a non-scalar or duplicate map key and on
// nesting deeper than 64 levels (a self-referencing alias).
nlohmann::json yamlToJson(const YAML::Node& node);

// Reads a YAML file. Throws YamlError if it cannot be read or is not valid YAML.
YAML::Node loadYamlFile(const std::string& path);

}  // namespace rivet::runner_support
