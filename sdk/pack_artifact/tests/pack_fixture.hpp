// What the pack artifact tests share: a small pack on disk, a signing key, and the archive
// read back with libarchive.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "rivet/pack_artifact/signing_key.hpp"
#include "rivet/test/temp_dir.hpp"

namespace rivet::pack_artifact::test {

struct ArchivedEntry {
  std::string path;
  bool directory = false;
  unsigned mode = 0;  // permission bits
  long long mtime = 0;
  long long uid = 0;
  long long gid = 0;
  bool has_owner_names = false;
  std::string content;
};

// Every entry of a tar.zst in archive order.
std::vector<ArchivedEntry> readArchive(const std::filesystem::path& archive_file);

class PackArtifactTest : public ::testing::Test {
 protected:
  PackArtifactTest();

  // A pack "demo" 1.0.0 with an executable script, a metadata file and a lib/ directory.
  std::filesystem::path writePack(const std::string& dir_name = "pack") const;
  // A fresh key pair in a new directory under the temporary directory.
  SigningKeyFiles makeKey(const std::string& dir_name) const;

  rivet::test::TempDir temp_;
  SigningKeyFiles key_;
};

}  // namespace rivet::pack_artifact::test
