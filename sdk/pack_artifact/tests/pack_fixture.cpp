#include "pack_fixture.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace rivet::pack_artifact::test {

namespace fs = std::filesystem;

std::vector<ArchivedEntry> readArchive(const fs::path& archive_file) {
  std::unique_ptr<archive, decltype(&archive_read_free)> reader(archive_read_new(),
                                                                archive_read_free);
  archive_read_support_filter_zstd(reader.get());
  archive_read_support_format_tar(reader.get());
  std::vector<ArchivedEntry> entries;
  if (archive_read_open_filename(reader.get(), archive_file.c_str(), 10240) != ARCHIVE_OK) {
    ADD_FAILURE() << "cannot open " << archive_file << ": " << archive_error_string(reader.get());
    return entries;
  }
  archive_entry* entry = nullptr;
  while (archive_read_next_header(reader.get(), &entry) == ARCHIVE_OK) {
    ArchivedEntry read;
    read.path = archive_entry_pathname(entry);
    read.directory = archive_entry_filetype(entry) == AE_IFDIR;
    read.mode = archive_entry_perm(entry);
    read.mtime = archive_entry_mtime(entry);
    read.uid = archive_entry_uid(entry);
    read.gid = archive_entry_gid(entry);
    read.has_owner_names =
        (archive_entry_uname(entry) != nullptr && *archive_entry_uname(entry) != 0) ||
        (archive_entry_gname(entry) != nullptr && *archive_entry_gname(entry) != 0);
    std::string buffer(4096, '\0');
    for (la_ssize_t count;
         (count = archive_read_data(reader.get(), buffer.data(), buffer.size())) > 0;) {
      read.content.append(buffer.data(), static_cast<std::size_t>(count));
    }
    entries.push_back(std::move(read));
  }
  return entries;
}

PackArtifactTest::PackArtifactTest() : temp_("pack-artifact-test"), key_(makeKey("keys")) {}

fs::path PackArtifactTest::writePack(const std::string& dir_name) const {
  const fs::path pack = temp_.path() / dir_name;
  temp_.write(dir_name + "/pack.yaml", "name: demo\nversion: 1.0.0\ndescription: a demo\n");
  temp_.write(dir_name + "/actions/hello.yaml", "name: hello\nrunner_type: local-shell-script\n");
  const fs::path script = temp_.write(dir_name + "/actions/hello.sh", "#!/bin/sh\necho hello\n");
  fs::permissions(script, fs::perms::owner_exec, fs::perm_options::add);
  temp_.write(dir_name + "/actions/lib/util.py", "X = 1\n");
  temp_.write(dir_name + "/actions/lib/__pycache__/util.cpython-311.pyc", "compiled");
  temp_.write(dir_name + "/.git/HEAD", "ref: refs/heads/main\n");
  return pack;
}

SigningKeyFiles PackArtifactTest::makeKey(const std::string& dir_name) const {
  fs::create_directories(temp_.path() / dir_name);
  auto key = generateSigningKey(temp_.path() / dir_name);
  EXPECT_TRUE(key.ok()) << key.status().message();
  return key.ok() ? *key : SigningKeyFiles{};
}

}  // namespace rivet::pack_artifact::test
