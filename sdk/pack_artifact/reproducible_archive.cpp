#include "reproducible_archive.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <fstream>
#include <system_error>

#include "owned_handle.hpp"

namespace rivet::pack_artifact {
namespace {

namespace fs = std::filesystem;
using sdk::ErrorCode;
using sdk::Status;
using sdk::StatusOr;

using ArchiveWriterPtr = OwnedHandle<archive, archive_write_free>;
using ArchiveEntryPtr = OwnedHandle<archive_entry, archive_entry_free>;

bool skipped(const fs::path& path) {
  const std::string name = path.filename().string();
  return name == ".git" || name == "__pycache__" || path.extension() == ".pyc";
}

Status refused(const fs::path& file, const std::string& why) {
  return Status(ErrorCode::invalid_argument, "cannot pack " + file.string() + ": " + why);
}

// Why a file of this type is not packed, or "" when it is packed.
std::string refusalOf(const fs::file_status& status) {
  switch (status.type()) {
    case fs::file_type::regular:
    case fs::file_type::directory:
      return "";
    case fs::file_type::symlink:
      return "symlinks are not packed (copy the file instead)";
    case fs::file_type::block:
    case fs::file_type::character:
      return "device files are not packed";
    case fs::file_type::fifo:
      return "fifos are not packed";
    case fs::file_type::socket:
      return "sockets are not packed";
    default:
      return "not a regular file or directory";
  }
}

Status archiveError(archive* writer, const std::string& what) {
  const char* message = archive_error_string(writer);
  return Status(ErrorCode::internal,
                what + ": " + (message != nullptr ? message : "libarchive error"));
}

}  // namespace

StatusOr<std::vector<PackEntry>> collectPackEntries(const fs::path& pack_dir) {
  std::vector<PackEntry> entries;
  std::error_code error;
  fs::recursive_directory_iterator walk(pack_dir, error);
  if (error) return Status(ErrorCode::invalid_argument, "cannot read " + pack_dir.string());
  for (; walk != fs::recursive_directory_iterator(); walk.increment(error)) {
    const fs::path& file = walk->path();
    if (skipped(file)) {
      if (walk->is_directory(error)) walk.disable_recursion_pending();
      continue;
    }
    const fs::file_status status = walk->symlink_status(error);
    if (error) return refused(file, error.message());
    if (std::string why = refusalOf(status); !why.empty()) return refused(file, why);
    const fs::path relative = file.lexically_relative(pack_dir);
    const std::string relative_text = relative.generic_string();
    if (relative.empty() || relative_text.starts_with("..") || relative.is_absolute()) {
      return refused(file, "its path leaves the pack directory");
    }
    PackEntry entry;
    entry.path = relative_text;
    entry.directory = status.type() == fs::file_type::directory;
    if (!entry.directory) {
      if (walk->hard_link_count(error) > 1) {
        return refused(file, "it has more than one hard link");
      }
      const fs::perms exec = fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec;
      entry.executable = (status.permissions() & exec) != fs::perms::none;
    }
    entries.push_back(std::move(entry));
  }
  if (error)
    return Status(ErrorCode::internal, "cannot list " + pack_dir.string() + ": " + error.message());
  std::ranges::sort(entries, {}, &PackEntry::path);
  return entries;
}

Status writeReproducibleArchive(const fs::path& pack_dir, const std::vector<PackEntry>& entries,
                                const fs::path& archive_file) {
  ArchiveWriterPtr writer(archive_write_new());
  if (!writer || archive_write_set_format_pax_restricted(writer.get()) != ARCHIVE_OK ||
      archive_write_add_filter_zstd(writer.get()) != ARCHIVE_OK ||
      archive_write_open_filename(writer.get(), archive_file.c_str()) != ARCHIVE_OK) {
    return archiveError(writer.get(), "cannot create " + archive_file.string());
  }
  for (const PackEntry& pack_entry : entries) {
    std::string content;
    if (!pack_entry.directory) {
      std::ifstream in(pack_dir / pack_entry.path, std::ios::binary);
      content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      if (in.bad() || !in.is_open()) {
        return Status(ErrorCode::internal, "cannot read " + (pack_dir / pack_entry.path).string());
      }
    }
    ArchiveEntryPtr entry(archive_entry_new());
    archive_entry_set_pathname(entry.get(), pack_entry.path.c_str());
    archive_entry_set_filetype(entry.get(), pack_entry.directory ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(entry.get(),
                           pack_entry.directory || pack_entry.executable ? 0755 : 0644);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(content.size()));
    archive_entry_set_mtime(entry.get(), 0, 0);
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    if (archive_write_header(writer.get(), entry.get()) != ARCHIVE_OK ||
        (!content.empty() && archive_write_data(writer.get(), content.data(), content.size()) !=
                                 static_cast<la_ssize_t>(content.size()))) {
      return archiveError(writer.get(),
                          "cannot add " + pack_entry.path + " to " + archive_file.string());
    }
  }
  if (archive_write_close(writer.get()) != ARCHIVE_OK) {
    return archiveError(writer.get(), "cannot finish " + archive_file.string());
  }
  return {};
}

}  // namespace rivet::pack_artifact
