#include "output/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "shim/file_descriptor.hpp"

namespace rivet::core {
namespace {

using sdk::ErrorCode;
using sdk::Status;

// Frames announcing more content than this are decoded rather than measured: measuring reads
// the whole compressed frame into memory. Ours hold kCompressedFrameBytes.
constexpr std::uint64_t kMaxMeasuredFrameBytes = 8 * kCompressedFrameBytes;

// The largest zstd frame header (RFC 8878 section 3.1.1; zstd.h has it only for static
// linking), and the content checksum after the last block.
constexpr std::size_t kMaxFrameHeaderBytes = 18;
constexpr std::size_t kChecksumBytes = 4;

Status ioError(const std::string& step, const std::filesystem::path& file) {
  return Status(ErrorCode::internal, step + " " + file.string() + ": " + std::strerror(errno));
}

Status corrupt(const std::filesystem::path& file, std::uint64_t at, const std::string& why) {
  return Status(ErrorCode::internal, "corrupt compressed output " + file.string() + " at byte " +
                                         std::to_string(at) + ": " + why);
}

// Up to `size` bytes at `offset`; fewer only at the end of the file. -1 on error (errno set).
ssize_t readAt(int fd, char* buffer, std::size_t size, std::uint64_t offset) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, buffer + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

bool writeAll(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    data += written;
    size -= static_cast<std::size_t>(written);
  }
  return true;
}

std::uint64_t fileSize(int fd) {
  struct stat info {};
  return ::fstat(fd, &info) == 0 ? static_cast<std::uint64_t>(info.st_size) : 0;
}

sdk::StatusOr<OutputSlice> readPlain(int fd, const std::filesystem::path& file,
                                     std::uint64_t offset, std::uint64_t limit) {
  OutputSlice slice;
  slice.total_size = fileSize(fd);
  if (offset >= slice.total_size) return slice;
  slice.bytes.resize(static_cast<std::size_t>(std::min(limit, slice.total_size - offset)));
  const ssize_t n = readAt(fd, slice.bytes.data(), slice.bytes.size(), offset);
  if (n < 0) return ioError("cannot read", file);
  slice.bytes.resize(static_cast<std::size_t>(n));
  return slice;
}

// Walks the frames of a .zst file once. Frames wholly outside [offset, offset + limit) are
// skipped by their header's content size; the others are decoded with the streaming API, a
// buffer at a time, keeping only the bytes inside the window.
class CompressedSliceReader {
 public:
  CompressedSliceReader(int fd, const std::filesystem::path& file, std::uint64_t offset,
                        std::uint64_t limit)
      : fd_(fd),
        file_(file),
        file_size_(fileSize(fd)),
        offset_(offset),
        window_end_(limit > std::numeric_limits<std::uint64_t>::max() - offset ? limit
                                                                               : offset + limit),
        dctx_(ZSTD_createDCtx(), &ZSTD_freeDCtx) {}

  sdk::StatusOr<OutputSlice> read() {
    if (!dctx_) return Status(ErrorCode::internal, "zstd: cannot allocate a decompression context");
    slice_.compressed = true;
    while (in_pos_ < file_size_) {
      char header[kMaxFrameHeaderBytes];
      const ssize_t n = readAt(fd_, header, sizeof header, in_pos_);
      if (n < 0) return ioError("cannot read", file_);
      const auto content = ZSTD_getFrameContentSize(header, static_cast<std::size_t>(n));
      if (content == ZSTD_CONTENTSIZE_ERROR) return corrupt(file_, in_pos_, "no zstd frame header");
      if (content != ZSTD_CONTENTSIZE_UNKNOWN && !overlapsWindow(content)) {
        if (auto frame_size = measureFrame(content)) {
          in_pos_ += *frame_size;
          out_pos_ += content;
          continue;
        }
      }
      if (auto status = decodeFrame(); !status.ok()) return status;
    }
    slice_.total_size = out_pos_;
    return std::move(slice_);
  }

 private:
  bool overlapsWindow(std::uint64_t content) const {
    return out_pos_ < window_end_ && out_pos_ + content > offset_;
  }

  // The compressed size of the frame at in_pos_, found without decoding it; nullopt when
  // that would take too much memory or the frame is malformed (decoding it then says why).
  std::optional<std::uint64_t> measureFrame(std::uint64_t content) {
    if (content > kMaxMeasuredFrameBytes) return std::nullopt;
    const std::uint64_t bound = ZSTD_compressBound(static_cast<std::size_t>(content)) +
                                kMaxFrameHeaderBytes + kChecksumBytes;
    frame_.resize(static_cast<std::size_t>(std::min(bound, file_size_ - in_pos_)));
    const ssize_t n = readAt(fd_, frame_.data(), frame_.size(), in_pos_);
    if (n < 0) return std::nullopt;
    const std::size_t size =
        ZSTD_findFrameCompressedSize(frame_.data(), static_cast<std::size_t>(n));
    if (ZSTD_isError(size)) return std::nullopt;
    return size;
  }

  Status decodeFrame() {
    ZSTD_DCtx_reset(dctx_.get(), ZSTD_reset_session_only);
    in_.resize(ZSTD_DStreamInSize());
    out_.resize(ZSTD_DStreamOutSize());
    ZSTD_inBuffer input{in_.data(), 0, 0};
    for (;;) {
      if (input.pos == input.size) {
        const auto wanted = static_cast<std::size_t>(
            std::min<std::uint64_t>(in_.size(), file_size_ - std::min(file_size_, in_pos_)));
        const ssize_t n = wanted == 0 ? 0 : readAt(fd_, in_.data(), wanted, in_pos_);
        if (n < 0) return ioError("cannot read", file_);
        if (n == 0) return corrupt(file_, in_pos_, "truncated inside a frame");
        input = {in_.data(), static_cast<std::size_t>(n), 0};
      }
      ZSTD_outBuffer output{out_.data(), out_.size(), 0};
      const std::size_t consumed_before = input.pos;
      const std::size_t hint = ZSTD_decompressStream(dctx_.get(), &output, &input);
      in_pos_ += input.pos - consumed_before;
      if (ZSTD_isError(hint)) return corrupt(file_, in_pos_, ZSTD_getErrorName(hint));
      keep(out_.data(), output.pos);
      if (hint == 0) return Status::success();  // the frame is decoded and flushed
    }
  }

  void keep(const char* data, std::size_t size) {
    const std::uint64_t from = std::max(out_pos_, offset_);
    const std::uint64_t to = std::min(out_pos_ + size, window_end_);
    if (from < to) slice_.bytes.append(data + (from - out_pos_), to - from);
    out_pos_ += size;
  }

  const int fd_;
  const std::filesystem::path file_;
  const std::uint64_t file_size_;
  const std::uint64_t offset_;
  const std::uint64_t window_end_;
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> dctx_;
  std::uint64_t in_pos_ = 0;   // compressed bytes walked
  std::uint64_t out_pos_ = 0;  // uncompressed bytes walked
  std::vector<char> frame_, in_, out_;
  OutputSlice slice_;
};

// Compresses all of `in` into `out`, one frame per kCompressedFrameBytes.
Status writeFrames(int in, const std::filesystem::path& plain_path, int out,
                   const std::filesystem::path& out_path, int level) {
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx(ZSTD_createCCtx(), &ZSTD_freeCCtx);
  if (!cctx) return Status(ErrorCode::internal, "zstd: cannot allocate a compression context");
  for (auto [parameter, value] :
       {std::pair{ZSTD_c_compressionLevel, level}, std::pair{ZSTD_c_checksumFlag, 1}}) {
    const std::size_t result = ZSTD_CCtx_setParameter(cctx.get(), parameter, value);
    if (ZSTD_isError(result)) {
      return Status(ErrorCode::invalid_argument, std::string("zstd: ") + ZSTD_getErrorName(result));
    }
  }
  std::vector<char> input(kCompressedFrameBytes);
  std::vector<char> output(ZSTD_compressBound(kCompressedFrameBytes));
  std::uint64_t at = 0;
  // An empty input still gets one (empty) frame, so the .zst is a valid zstd file.
  for (bool first = true;; first = false) {
    const ssize_t n = readAt(in, input.data(), input.size(), at);
    if (n < 0) return ioError("cannot read", plain_path);
    if (n == 0 && !first) break;
    at += static_cast<std::uint64_t>(n);
    const std::size_t size = ZSTD_compress2(cctx.get(), output.data(), output.size(), input.data(),
                                            static_cast<std::size_t>(n));
    if (ZSTD_isError(size)) {
      return Status(ErrorCode::internal,
                    "zstd compressing " + plain_path.string() + ": " + ZSTD_getErrorName(size));
    }
    if (!writeAll(out, output.data(), size)) return ioError("cannot write", out_path);
    if (static_cast<std::size_t>(n) < input.size()) break;
  }
  if (::fsync(out) != 0) return ioError("cannot fsync", out_path);
  return Status::success();
}

}  // namespace

std::filesystem::path compressedPathOf(const std::filesystem::path& plain_path) {
  auto compressed = plain_path;
  compressed += ".zst";
  return compressed;
}

sdk::StatusOr<OutputSlice> readOutput(const std::filesystem::path& plain_path, std::uint64_t offset,
                                      std::uint64_t limit) {
  // Plain first: compressOutput creates the .zst before it removes the plain file, so when
  // the plain file is gone the .zst is already complete.
  FileDescriptor plain(::open(plain_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (plain.valid()) return readPlain(plain.get(), plain_path, offset, limit);
  if (errno != ENOENT) return ioError("cannot open", plain_path);

  const auto compressed_path = compressedPathOf(plain_path);
  FileDescriptor compressed(::open(compressed_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (compressed.valid()) {
    return CompressedSliceReader(compressed.get(), compressed_path, offset, limit).read();
  }
  if (errno != ENOENT) return ioError("cannot open", compressed_path);
  return OutputSlice{};
}

sdk::Status compressOutput(const std::filesystem::path& plain_path, int level) {
  FileDescriptor in(::open(plain_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) {
    if (errno == ENOENT)
      return Status(ErrorCode::not_found, plain_path.string() + " does not exist");
    return ioError("cannot open", plain_path);
  }
  const auto compressed_path = compressedPathOf(plain_path);
  auto temporary_path = compressed_path;
  temporary_path += ".tmp";
  {
    // 0640 like the plain output the supervisor creates.
    FileDescriptor out(
        ::open(temporary_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
    if (!out.valid()) return ioError("cannot create", temporary_path);
    auto status = writeFrames(in.get(), plain_path, out.get(), temporary_path, level);
    if (!status.ok()) {
      ::unlink(temporary_path.c_str());
      return status;
    }
  }
  if (::rename(temporary_path.c_str(), compressed_path.c_str()) != 0) {
    auto status = ioError("cannot rename to", compressed_path);
    ::unlink(temporary_path.c_str());
    return status;
  }
  // The rename must be durable before the plain file goes, or a crash could leave neither.
  const auto directory =
      plain_path.parent_path().empty() ? std::filesystem::path(".") : plain_path.parent_path();
  FileDescriptor dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid() || ::fsync(dir.get()) != 0) return ioError("cannot fsync", directory);
  if (::unlink(plain_path.c_str()) != 0) return ioError("cannot remove", plain_path);
  return Status::success();
}

}  // namespace rivet::core
