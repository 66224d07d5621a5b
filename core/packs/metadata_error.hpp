// How the metadata readers report content they refuse. It never leaves core/packs: the catalog
// catches it and turns it into an unavailable pack or action whose reason names the file.
#pragma once

#include <yaml-cpp/mark.h>

#include <stdexcept>
#include <string>

namespace rivet::core {

class MetadataError : public std::runtime_error {
 public:
  // mark: where in the file the problem is; a null mark when the problem has no position.
  explicit MetadataError(const std::string& message, YAML::Mark mark = YAML::Mark::null_mark())
      : std::runtime_error(message), mark_(mark) {}

  const YAML::Mark& mark() const { return mark_; }

 private:
  YAML::Mark mark_;
};

// "<file>:<line>: <message>", or "<file>: <message>" when there is no line.
inline std::string describeAt(const std::string& file, const MetadataError& error) {
  if (error.mark().is_null()) return file + ": " + error.what();
  return file + ":" + std::to_string(error.mark().line + 1) + ": " + error.what();
}

}  // namespace rivet::core
