// Unpacking a verified pack archive into a fresh directory: what an agent does after
// verifyArtifact and before anything in the pack is read.
#pragma once

#include <cstdint>
#include <filesystem>

#include "rivet/sdk/status.hpp"

namespace rivet::pack_artifact {

struct ExtractLimits {
  std::uint64_t max_total_bytes = 512ull << 20;  // unpacked, all files together
  std::size_t max_entries = 100'000;
};

// Extracts `archive_file` (a tar.zst as buildArtifact writes it) into `dest_dir`, which must
// not exist yet; it is created with the archive's directories and regular files only.
// Refused (unprocessable, naming the entry), with `dest_dir` removed again: any other entry
// type (symlink, hard link, device, fifo), an absolute path or one with "..", an entry twice,
// and content beyond `limits`. Modes are 0755 for directories and executables, else 0644;
// owners and times are not restored.
sdk::Status extractArtifact(const std::filesystem::path& archive_file,
                            const std::filesystem::path& dest_dir, ExtractLimits limits = {});

}  // namespace rivet::pack_artifact
