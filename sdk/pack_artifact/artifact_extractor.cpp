#include "rivet/pack_artifact/artifact_extractor.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <string>
#include <system_error>

#include "owned_handle.hpp"

namespace rivet::pack_artifact {
namespace {

namespace fs = std::filesystem;
using sdk::ErrorCode;
using sdk::Status;

using ArchiveReaderPtr = OwnedHandle<archive, archive_read_free>;

Status refused(const std::string& entry, const std::string& why) {
  return Status(ErrorCode::unprocessable, "archive entry '" + entry + "': " + why);
}

// A relative path of plain names: no "", ".", ".." segment and no leading '/'. A trailing '/'
// (how tar names directories) is dropped.
bool isPlainRelativePath(std::string path) {
  if (!path.empty() && path.back() == '/') path.pop_back();
  if (path.empty() || path.front() == '/') return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto end = std::min(path.find('/', start), path.size());
    const auto segment = path.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    start = end + 1;
  }
  return true;
}

Status writeEntryData(archive* reader, const fs::path& file, bool executable,
                      std::uint64_t& total, std::uint64_t max_total) {
  // O_EXCL and O_NOFOLLOW: never through anything already there.
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        executable ? 0755 : 0644);
  if (fd < 0) return Status(ErrorCode::internal, "cannot create " + file.string() + ": " +
                                                     std::generic_category().message(errno));
  Status status;
  const void* block = nullptr;
  size_t size = 0;
  la_int64_t offset = 0;
  for (;;) {
    const int read = archive_read_data_block(reader, &block, &size, &offset);
    if (read == ARCHIVE_EOF) break;
    if (read != ARCHIVE_OK) {
      status = Status(ErrorCode::unprocessable, std::string("corrupt archive: ") +
                                                    archive_error_string(reader));
      break;
    }
    total += size;
    if (total > max_total) {
      status = Status(ErrorCode::unprocessable, "the archive unpacks to more than " +
                                                    std::to_string(max_total) + " bytes");
      break;
    }
    if (::pwrite(fd, block, size, offset) != static_cast<ssize_t>(size)) {
      status = Status(ErrorCode::internal, "cannot write " + file.string() + ": " +
                                               std::generic_category().message(errno));
      break;
    }
  }
  ::close(fd);
  return status;
}

Status extractInto(archive* reader, const fs::path& dest_dir, const ExtractLimits& limits) {
  std::set<std::string> seen;
  std::uint64_t total = 0;
  archive_entry* entry = nullptr;
  for (;;) {
    const int next = archive_read_next_header(reader, &entry);
    if (next == ARCHIVE_EOF) return Status::success();
    if (next != ARCHIVE_OK) {
      return Status(ErrorCode::unprocessable,
                    std::string("corrupt archive: ") + archive_error_string(reader));
    }
    const char* raw_name = archive_entry_pathname(entry);
    std::string name = raw_name != nullptr ? raw_name : "";
    if (!isPlainRelativePath(name)) return refused(name, "not a plain relative path");
    if (name.back() == '/') name.pop_back();
    if (!seen.insert(name).second) return refused(name, "appears twice");
    if (seen.size() > limits.max_entries) {
      return refused(name, "more than " + std::to_string(limits.max_entries) + " entries");
    }
    if (archive_entry_hardlink(entry) != nullptr) return refused(name, "hard links are refused");
    const auto type = archive_entry_filetype(entry);
    const fs::path target = dest_dir / name;
    std::error_code ec;
    if (type == AE_IFDIR) {
      // Parents come first in our archives; create_directories also covers any other order.
      fs::create_directories(target, ec);
      if (ec) return Status(ErrorCode::internal, "cannot create " + target.string() + ": " +
                                                      ec.message());
      fs::permissions(target, static_cast<fs::perms>(0755), ec);
    } else if (type == AE_IFREG) {
      fs::create_directories(target.parent_path(), ec);
      if (ec) return Status(ErrorCode::internal, "cannot create " +
                                                      target.parent_path().string() + ": " +
                                                      ec.message());
      const bool executable = (archive_entry_perm(entry) & 0111) != 0;
      if (auto status = writeEntryData(reader, target, executable, total, limits.max_total_bytes);
          !status.ok()) {
        return status;
      }
    } else {
      return refused(name, "only regular files and directories are unpacked");
    }
  }
}

}  // namespace

Status extractArtifact(const fs::path& archive_file, const fs::path& dest_dir,
                       ExtractLimits limits) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(dest_dir, ec))) {
    return Status(ErrorCode::conflict, dest_dir.string() + " exists already");
  }
  if (!fs::create_directories(dest_dir, ec) || ec) {
    return Status(ErrorCode::internal,
                  "cannot create " + dest_dir.string() + ": " + ec.message());
  }
  ArchiveReaderPtr reader(archive_read_new());
  archive_read_support_filter_zstd(reader.get());
  archive_read_support_format_tar(reader.get());
  Status status;
  if (archive_read_open_filename(reader.get(), archive_file.c_str(), 64 * 1024) != ARCHIVE_OK) {
    status = Status(ErrorCode::unprocessable, "cannot read " + archive_file.string() + ": " +
                                                  archive_error_string(reader.get()));
  } else {
    status = extractInto(reader.get(), dest_dir, limits);
  }
  if (!status.ok()) fs::remove_all(dest_dir, ec);
  return status;
}

}  // namespace rivet::pack_artifact
