#include "rivet/pack_artifact/artifact_extractor.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "pack_fixture.hpp"
#include "rivet/pack_artifact/artifact_builder.hpp"

namespace rivet::pack_artifact::test {
namespace {

namespace fs = std::filesystem;
using rivet::test::readFile;

struct HandMadeEntry {
  std::string path;
  unsigned type = AE_IFREG;
  std::string content;
  std::string link;  // symlink target or hard link source
};

// A tar.zst with exactly these entries, as an attacker could write it.
void writeHandMadeArchive(const fs::path& file, const std::vector<HandMadeEntry>& entries) {
  archive* writer = archive_write_new();
  archive_write_set_format_pax_restricted(writer);
  archive_write_add_filter_zstd(writer);
  ASSERT_EQ(archive_write_open_filename(writer, file.c_str()), ARCHIVE_OK);
  for (const auto& made : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, made.path.c_str());
    archive_entry_set_filetype(entry, made.type);
    archive_entry_set_perm(entry, 0644);
    if (made.type == AE_IFLNK) archive_entry_set_symlink(entry, made.link.c_str());
    if (made.type == AE_IFREG && !made.link.empty()) {
      archive_entry_set_hardlink(entry, made.link.c_str());
    }
    archive_entry_set_size(entry, static_cast<la_int64_t>(made.content.size()));
    archive_write_header(writer, entry);
    if (!made.content.empty()) archive_write_data(writer, made.content.data(), made.content.size());
    archive_entry_free(entry);
  }
  archive_write_close(writer);
  archive_write_free(writer);
}

TEST_F(PackArtifactTest, ExtractingGivesBackThePackFiles) {
  const fs::path pack = writePack();
  auto built = buildArtifact(pack, key_.private_key, temp_.path() / "out");
  ASSERT_TRUE(built.ok()) << built.status().message();
  const fs::path dest = temp_.path() / "unpacked";
  auto status = extractArtifact(built->archive_file, dest);
  ASSERT_TRUE(status.ok()) << status.message();
  for (auto it = fs::recursive_directory_iterator(pack); it != fs::recursive_directory_iterator();
       ++it) {
    const auto& entry = *it;
    const auto name = entry.path().filename().string();
    if (name == "__pycache__" || name == ".git" || entry.path().extension() == ".pyc") {
      it.disable_recursion_pending();  // what the builder leaves out
      continue;
    }
    const auto relative = fs::relative(entry.path(), pack);
    ASSERT_TRUE(fs::exists(dest / relative)) << relative;
    if (entry.is_regular_file()) {
      EXPECT_EQ(readFile(dest / relative), readFile(entry.path())) << relative;
      const bool executable = (fs::status(entry.path()).permissions() & fs::perms::owner_exec) !=
                              fs::perms::none;
      EXPECT_EQ((fs::status(dest / relative).permissions() & fs::perms::owner_exec) !=
                    fs::perms::none,
                executable)
          << relative;
    }
  }
}

TEST_F(PackArtifactTest, ExtractingIntoAnExistingDirectoryIsRefused) {
  const fs::path pack = writePack();
  auto built = buildArtifact(pack, key_.private_key, temp_.path() / "out");
  ASSERT_TRUE(built.ok()) << built.status().message();
  fs::create_directories(temp_.path() / "there");
  auto status = extractArtifact(built->archive_file, temp_.path() / "there");
  EXPECT_EQ(status.code(), sdk::ErrorCode::conflict);
}

struct HostileArchiveCase {
  std::string name;
  std::vector<HandMadeEntry> entries;
  std::string message;
};

class HostileArchiveTest : public PackArtifactTest,
                           public ::testing::WithParamInterface<HostileArchiveCase> {};

TEST_P(HostileArchiveTest, IsRefusedAndLeavesNothing) {
  const fs::path archive_file = temp_.path() / "hostile.tar.zst";
  writeHandMadeArchive(archive_file, GetParam().entries);
  const fs::path dest = temp_.path() / "unpacked";
  auto status = extractArtifact(archive_file, dest);
  EXPECT_EQ(status.code(), sdk::ErrorCode::unprocessable) << status.message();
  EXPECT_NE(status.message().find(GetParam().message), std::string::npos) << status.message();
  EXPECT_FALSE(fs::exists(dest));
  EXPECT_FALSE(fs::exists(temp_.path() / "escaped"));
}

INSTANTIATE_TEST_SUITE_P(
    Entries, HostileArchiveTest,
    ::testing::Values(
        HostileArchiveCase{"DotDot", {{"pack.yaml", AE_IFREG, "x", ""}, {"../escaped", AE_IFREG, "x", ""}},
                           "not a plain relative path"},
        HostileArchiveCase{"Absolute", {{"/tmp/escaped", AE_IFREG, "x", ""}},
                           "not a plain relative path"},
        HostileArchiveCase{"Symlink", {{"link", AE_IFLNK, "", "/etc/passwd"}},
                           "only regular files and directories"},
        HostileArchiveCase{"HardLink",
                           {{"a", AE_IFREG, "x", ""}, {"b", AE_IFREG, "", "a"}},
                           "hard links are refused"},
        HostileArchiveCase{"Twice", {{"a", AE_IFREG, "x", ""}, {"a", AE_IFREG, "y", ""}},
                           "appears twice"}),
    [](const auto& info) { return info.param.name; });

TEST_F(PackArtifactTest, AnArchiveBeyondTheSizeLimitIsRefused) {
  const fs::path archive_file = temp_.path() / "big.tar.zst";
  writeHandMadeArchive(archive_file, {{"big", AE_IFREG, std::string(4096, 'x'), ""}});
  auto status = extractArtifact(archive_file, temp_.path() / "unpacked", {1024, 10});
  EXPECT_EQ(status.code(), sdk::ErrorCode::unprocessable);
  EXPECT_FALSE(fs::exists(temp_.path() / "unpacked"));
}

}  // namespace
}  // namespace rivet::pack_artifact::test
