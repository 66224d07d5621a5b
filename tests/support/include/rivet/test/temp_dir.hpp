// A scratch directory for one test: made by mkdtemp under the system temporary directory,
// removed with everything in it by the destructor.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace rivet::test {

class TempDir {
 public:
  // `prefix` names the directory (<tmp>/<prefix>-XXXXXX), to tell leftovers apart. Throws
  // std::runtime_error when the directory cannot be made.
  explicit TempDir(std::string_view prefix = "rivet-test");
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  // Canonical (no symlinks), so it compares equal to paths the code under test resolves.
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  // path() / relative, as text.
  std::string child(std::string_view relative) const { return (path_ / relative).string(); }

  // Writes `content` to path() / relative, creating parent directories; returns the file.
  std::filesystem::path write(std::string_view relative, std::string_view content) const;

 private:
  std::filesystem::path path_;
};

// The whole content of a file, bytes as they are; empty when it cannot be read, or what was
// read when reading fails midway (a /proc file whose process exits meanwhile): never throws.
std::string readFile(const std::filesystem::path& file);

}  // namespace rivet::test
