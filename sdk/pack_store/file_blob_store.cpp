// file:// stores: objects are files under a root directory. A write goes to a temporary file in
// the object's directory, is synced, and renamed over the object, so readers see the old bytes
// or the new. Temporary files are hidden (".name.tmp-XXXXXX") and never listed.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "blob_backends.hpp"

namespace rivet::pack_store::detail {
namespace {

namespace fs = std::filesystem;
using sdk::ErrorCode;
using sdk::Status;
using sdk::StatusOr;

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now, reporting the error close() may be the first to see.
  bool close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

std::string hex(unsigned long long value) {
  char text[17];
  std::snprintf(text, sizeof text, "%llx", value);
  return text;
}

// Size and modification time say when the bytes changed; the inode number tells apart two
// writes the same clock tick (a write is a rename of a new file, hence a new inode).
std::string etagOf(const struct stat& info) {
  const auto mtime_ns = static_cast<unsigned long long>(info.st_mtim.tv_sec) * 1'000'000'000ull +
                        static_cast<unsigned long long>(info.st_mtim.tv_nsec);
  return hex(static_cast<unsigned long long>(info.st_size)) + "-" + hex(mtime_ns) + "-" +
         hex(static_cast<unsigned long long>(info.st_ino));
}

class FileBlobStore final : public BlobStore {
 public:
  FileBlobStore(std::string url, fs::path root) : url_(std::move(url)), root_(std::move(root)) {}

  const std::string& url() const override { return url_; }

  StatusOr<std::optional<StoredObject>> get(const std::string& path,
                                            const std::string& if_none_match) override {
    if (Status status = checkObjectPath(path); !status.ok()) return status;
    const fs::path file = root_ / path;
    Descriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
      if (errno == ENOENT || errno == ENOTDIR) return notFound(path);
      return ioError("cannot open", file);
    }
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) return ioError("cannot stat", file);
    if (!S_ISREG(info.st_mode)) return notFound(path);
    StoredObject object;
    object.etag = etagOf(info);
    if (!if_none_match.empty() && if_none_match == object.etag)
      return std::optional<StoredObject>();
    object.bytes.resize(static_cast<std::size_t>(info.st_size));
    std::size_t filled = 0;
    while (true) {
      if (filled == object.bytes.size()) object.bytes.resize(filled + 4096);  // it grew
      const ssize_t count =
          ::read(fd.get(), object.bytes.data() + filled, object.bytes.size() - filled);
      if (count < 0 && errno == EINTR) continue;
      if (count < 0) return ioError("cannot read", file);
      if (count == 0) break;
      filled += static_cast<std::size_t>(count);
    }
    object.bytes.resize(filled);
    return std::optional<StoredObject>(std::move(object));
  }

  Status put(const std::string& path, std::string_view bytes) override {
    if (Status status = checkObjectPath(path); !status.ok()) return status;
    const fs::path file = root_ / path;
    const fs::path dir = file.parent_path();
    std::error_code error;
    fs::create_directories(dir, error);
    if (error) {
      return Status(ErrorCode::internal,
                    "cannot create directory " + dir.string() + ": " + error.message());
    }
    std::string temp = (dir / ("." + file.filename().string() + ".tmp-XXXXXX")).string();
    Descriptor fd(::mkostemp(temp.data(), O_CLOEXEC));
    if (fd.get() < 0) return ioError("cannot create a temporary file in", dir);
    const auto fail = [&temp](Status status) {
      ::unlink(temp.c_str());
      return status;
    };
    for (std::size_t written = 0; written < bytes.size();) {
      const ssize_t count = ::write(fd.get(), bytes.data() + written, bytes.size() - written);
      if (count < 0 && errno == EINTR) continue;
      if (count < 0) return fail(ioError("cannot write", temp));
      written += static_cast<std::size_t>(count);
    }
    // mkstemp makes 0600; objects are for readers (agents, a web server) too.
    if (::fchmod(fd.get(), 0644) != 0 || ::fsync(fd.get()) != 0 || !fd.close()) {
      return fail(ioError("cannot write", temp));
    }
    if (::rename(temp.c_str(), file.c_str()) != 0) {
      return fail(ioError("cannot rename " + temp + " to", file));
    }
    // The rename itself lasts once the directory is synced.
    Descriptor dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) return ioError("cannot sync", dir);
    return Status::success();
  }

  StatusOr<std::vector<std::string>> list(const std::string& path) override {
    if (Status status = checkObjectPath(path, true); !status.ok()) return status;
    const fs::path dir = path.empty() ? root_ : root_ / path;
    std::vector<std::string> names;
    std::error_code error;
    const auto failed = [&] {
      return Status(ErrorCode::internal, "cannot list " + dir.string() + ": " + error.message());
    };
    fs::directory_iterator entries(dir, error);
    if (error == std::errc::no_such_file_or_directory) return names;
    if (error) return failed();
    for (const fs::directory_iterator end; entries != end; entries.increment(error)) {
      const std::string name = entries->path().filename().string();
      std::error_code type_error;
      // Hidden names are the temporary files of writes in progress.
      if (!name.starts_with('.') && entries->is_regular_file(type_error)) names.push_back(name);
    }
    if (error) return failed();
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  Status notFound(const std::string& path) const {
    return Status(ErrorCode::not_found, "no object '" + path + "' in store " + url_);
  }

  static Status ioError(const std::string& what, const fs::path& file) {
    return Status(ErrorCode::internal, what + " " + file.string() + ": " + std::strerror(errno));
  }

  std::string url_;
  fs::path root_;
};

}  // namespace

std::unique_ptr<BlobStore> makeFileBlobStore(std::string url, fs::path root) {
  return std::make_unique<FileBlobStore>(std::move(url), std::move(root));
}

}  // namespace rivet::pack_store::detail
