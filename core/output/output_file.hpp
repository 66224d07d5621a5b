// An execution's captured stream (stdout or stderr) on disk, either as written (`stdout`) or,
// once the execution is old enough, zstd-compressed beside it (`stdout.zst`). Readers name
// the plain path and never need to know which of the two is there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "rivet/sdk/status.hpp"

namespace rivet::core {

// Uncompressed bytes per zstd frame written by compressOutput. Each frame records its content
// size, so a reader skips whole frames before an offset reading only their headers, and a
// reader's memory stays bounded by one frame, whatever the size of the output.
inline constexpr std::size_t kCompressedFrameBytes = std::size_t{1} << 20;

struct OutputSlice {
  std::string bytes;             // at most `limit` bytes starting at the requested offset
  std::uint64_t total_size = 0;  // uncompressed size of the whole stream
  bool compressed = false;       // read from <path>.zst
};

// Reads `limit` bytes at `offset` of the stream whose plain file is `plain_path`, from the
// plain file when it exists, else from `<plain_path>.zst`. Neither existing is an empty
// slice (total 0): the execution has not written anything yet. A .zst that is not valid zstd
// is an internal error naming the file.
sdk::StatusOr<OutputSlice> readOutput(const std::filesystem::path& plain_path, std::uint64_t offset,
                                      std::uint64_t limit);

// Replaces `plain_path` by `<plain_path>.zst` (zstd `level`, content checksums on). The
// compressed file is complete and durable (written as .zst.tmp, fsynced, renamed) before the
// plain file is removed, so a concurrent readOutput always finds one of the two. Only for a
// stream nobody writes anymore: bytes appended meanwhile would be lost.
sdk::Status compressOutput(const std::filesystem::path& plain_path, int level = 3);

// `<plain_path>.zst`.
std::filesystem::path compressedPathOf(const std::filesystem::path& plain_path);

}  // namespace rivet::core
