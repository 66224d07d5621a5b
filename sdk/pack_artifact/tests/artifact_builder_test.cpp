#include "rivet/pack_artifact/artifact_builder.hpp"

#include <gtest/gtest.h>

#include "pack_fixture.hpp"

namespace rivet::pack_artifact::test {
namespace {

namespace fs = std::filesystem;
using rivet::test::readFile;

TEST_F(PackArtifactTest, BuildingTwiceGivesTheSameBytes) {
  const fs::path pack = writePack();
  auto first = buildArtifact(pack, key_.private_key, temp_.path() / "first");
  ASSERT_TRUE(first.ok()) << first.status().message();
  // Different mtimes must not matter.
  fs::last_write_time(pack / "pack.yaml", fs::file_time_type::clock::now() - std::chrono::hours(5));
  auto second = buildArtifact(pack, key_.private_key, temp_.path() / "second");
  ASSERT_TRUE(second.ok()) << second.status().message();

  EXPECT_EQ(first->archive_file.filename(), "demo-1.0.0.tar.zst");
  EXPECT_EQ(first->manifest_file.filename(), "demo-1.0.0.manifest.json");
  EXPECT_EQ(readFile(first->archive_file), readFile(second->archive_file));
  EXPECT_EQ(first->manifest.digest, second->manifest.digest);
  EXPECT_EQ(first->manifest.digest.rfind("sha256:", 0), 0u);
  // Ed25519 signatures are deterministic too: the manifests are identical.
  EXPECT_EQ(readFile(first->manifest_file), readFile(second->manifest_file));
}

TEST_F(PackArtifactTest, AChangedFileChangesTheDigest) {
  const fs::path pack = writePack();
  auto first = buildArtifact(pack, key_.private_key, temp_.path() / "first");
  ASSERT_TRUE(first.ok()) << first.status().message();
  temp_.write("pack/actions/lib/util.py", "X = 2\n");
  auto second = buildArtifact(pack, key_.private_key, temp_.path() / "second");
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_NE(first->manifest.digest, second->manifest.digest);
}

TEST_F(PackArtifactTest, TheArchiveHoldsExactlyThePackWithNormalizedMetadata) {
  const fs::path pack = writePack();
  fs::permissions(pack / "actions/lib/util.py", fs::perms::owner_read | fs::perms::owner_write);
  auto built = buildArtifact(pack, key_.private_key, temp_.path() / "out");
  ASSERT_TRUE(built.ok()) << built.status().message();

  const std::vector<ArchivedEntry> entries = readArchive(built->archive_file);
  std::vector<std::string> paths;
  for (const ArchivedEntry& entry : entries) {
    paths.push_back(entry.path);
    EXPECT_EQ(entry.mtime, 0) << entry.path;
    EXPECT_EQ(entry.uid, 0) << entry.path;
    EXPECT_EQ(entry.gid, 0) << entry.path;
    EXPECT_FALSE(entry.has_owner_names) << entry.path;
    const bool executable = entry.directory || entry.path == "actions/hello.sh";
    EXPECT_EQ(entry.mode, executable ? 0755u : 0644u) << entry.path;
  }
  // Sorted, no .git, no __pycache__, directories included.
  EXPECT_EQ(paths, (std::vector<std::string>{"actions/", "actions/hello.sh", "actions/hello.yaml",
                                             "actions/lib/", "actions/lib/util.py", "pack.yaml"}));
  EXPECT_EQ(entries[1].content, "#!/bin/sh\necho hello\n");
}

TEST_F(PackArtifactTest, BuildRefusesASymlinkNamingIt) {
  const fs::path pack = writePack();
  fs::create_symlink("/etc/passwd", pack / "actions/passwd");
  auto built = buildArtifact(pack, key_.private_key, temp_.path() / "out");
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.status().code(), sdk::ErrorCode::invalid_argument);
  EXPECT_NE(built.status().message().find("actions/passwd"), std::string::npos);
  EXPECT_NE(built.status().message().find("symlink"), std::string::npos);
}

TEST_F(PackArtifactTest, BuildRefusesAHardLinkedFile) {
  const fs::path pack = writePack();
  fs::create_hard_link(pack / "pack.yaml", temp_.path() / "elsewhere.yaml");
  auto built = buildArtifact(pack, key_.private_key, temp_.path() / "out");
  ASSERT_FALSE(built.ok());
  EXPECT_NE(built.status().message().find("hard link"), std::string::npos);
}

TEST_F(PackArtifactTest, BuildRefusesAPackYamlWithoutVersion) {
  const fs::path pack = writePack();
  temp_.write("pack/pack.yaml", "name: demo\n");
  auto built = buildArtifact(pack, key_.private_key, temp_.path() / "out");
  ASSERT_FALSE(built.ok());
  EXPECT_NE(built.status().message().find("\"version\" is required"), std::string::npos)
      << built.status().message();
  EXPECT_FALSE(fs::exists(temp_.path() / "out"));
}

TEST_F(PackArtifactTest, BuildRefusesANameThatIsNotAPackRef) {
  const fs::path pack = writePack();
  temp_.write("pack/pack.yaml", "name: Demo Pack\nversion: 1.0.0\n");
  auto built = buildArtifact(pack, key_.private_key, temp_.path() / "out");
  ASSERT_FALSE(built.ok());
  EXPECT_NE(built.status().message().find("[a-z0-9_-]+"), std::string::npos);
}

}  // namespace
}  // namespace rivet::pack_artifact::test
