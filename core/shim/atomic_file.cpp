#include "shim/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "shim/file_descriptor.hpp"

namespace rivet::core::shim {
namespace {

sdk::Status failure(const std::string& step, const std::filesystem::path& file) {
  return sdk::Status(sdk::ErrorCode::internal,
                     step + " " + file.string() + ": " + std::strerror(errno));
}

bool writeAll(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t written = ::write(fd, content.data(), content.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

}  // namespace

sdk::Status writeFileAtomically(const std::filesystem::path& file, std::string_view content,
                                Durability durability) {
  // One writer per execution directory (this shim), so a fixed temporary name is enough; a
  // leftover from a crashed shim is simply overwritten.
  const auto temporary = file.parent_path() / ("." + file.filename().string() + ".tmp");
  {
    FileDescriptor out(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
    if (!out.valid()) return failure("cannot create", temporary);
    if (!writeAll(out.get(), content)) return failure("cannot write", temporary);
    if (durability == Durability::synced && ::fsync(out.get()) != 0) {
      return failure("cannot fsync", temporary);
    }
  }
  if (::rename(temporary.c_str(), file.c_str()) != 0) return failure("cannot rename to", file);
  if (durability == Durability::process_crash_safe) return sdk::Status::success();

  const auto directory =
      file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
  FileDescriptor dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid() || ::fsync(dir.get()) != 0) return failure("cannot fsync", directory);
  return sdk::Status::success();
}

}  // namespace rivet::core::shim
