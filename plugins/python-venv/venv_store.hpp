// The virtualenvs of one pack on disk:
//
//   <venv_root>/<pack>/<key>/                    a complete virtualenv (holds kCompleteMarker)
//   <venv_root>/<pack>/<key>.building-<random>/  one being built; renamed to <key> when done
//   <venv_root>/<pack>/current -> <key>          the one new executions get
//
// A finished virtualenv appears under its key in one rename, and `current` changes in one
// rename of a fresh symlink, so a reader never sees a half-built virtualenv or no `current`.
// Old virtualenvs are removed only when no process uses them (see venv_usage.hpp).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "rivet/sdk/status.hpp"

namespace rivet::plugins::python_venv {

// Written last into a virtualenv, before its rename: a <key> directory without it is debris.
inline constexpr const char* kCompleteMarker = ".rivet-complete";
inline constexpr const char* kCurrentLink = "current";

class PackVenvs {
 public:
  PackVenvs(const std::filesystem::path& venv_root, const std::string& pack_ref);

  const std::filesystem::path& directory() const { return directory_; }
  std::filesystem::path venvDir(const std::string& key) const { return directory_ / key; }
  bool isComplete(const std::string& key) const;

  // Creates <key>.building-<random> (and the pack's directory); removes a <key> directory
  // left incomplete by a crash.
  sdk::StatusOr<std::filesystem::path> startBuild(const std::string& key) const;

  // Renames a finished build to <key>. If another build got there first with a complete
  // virtualenv, that one is kept and `build_dir` removed.
  sdk::Status publish(const std::filesystem::path& build_dir, const std::string& key) const;

  // Points `current` at <key> (a no-op when it already does).
  sdk::Status switchCurrent(const std::string& key) const;

  // The key `current` points at, "" if none.
  std::string currentKey() const;

  // Removes every entry but `current`, the virtualenv it points at and those `in_use` says are
  // used; returns what it removed and, in `kept`, what it kept because it was in use.
  std::vector<std::filesystem::path> removeUnused(
      const std::function<bool(const std::filesystem::path&)>& in_use,
      std::vector<std::filesystem::path>& kept) const;

 private:
  std::filesystem::path directory_;
};

// Eight random hex digits, for names that must not collide with a concurrent build.
std::string randomSuffix();

}  // namespace rivet::plugins::python_venv
