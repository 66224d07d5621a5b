// A packs directory in a fresh temporary directory, removed with everything in it at the end
// of the test, so each test writes exactly the packs it needs.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace rivet::core::testing {

class TempPacksDir {
 public:
  TempPacksDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "rivet-packs-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = std::filesystem::canonical(pattern);
  }
  ~TempPacksDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempPacksDir(const TempPacksDir&) = delete;
  TempPacksDir& operator=(const TempPacksDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

  // Writes relative_path (e.g. "linux/actions/df.yaml") with its parent directories.
  void write(const std::string& relative_path, const std::string& content) const {
    std::filesystem::path file = path_ / relative_path;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << content;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace rivet::core::testing
