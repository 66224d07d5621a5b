// A pack directory as a tar.zst whose bytes depend only on the files' paths, contents and
// executable bits: the property that lets two builds of the same sources share one digest.
// Private to the library.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "rivet/sdk/status.hpp"

namespace rivet::pack_artifact {

struct PackEntry {
  std::string path;  // relative to the pack directory, '/'-separated
  bool directory = false;
  bool executable = false;  // a regular file with any exec bit
};

// Every file and directory under pack_dir, sorted by path, .git, __pycache__ and *.pyc left
// out. Refuses (invalid_argument, naming the file) symlinks, devices, fifos, sockets, files
// with more than one hard link, and paths that would leave the pack.
sdk::StatusOr<std::vector<PackEntry>> collectPackEntries(const std::filesystem::path& pack_dir);

// Writes the entries as pax (restricted) tar compressed with zstd: mtime 0, uid/gid 0, no
// owner names, mode 0755 for directories and executables, 0644 for other files.
sdk::Status writeReproducibleArchive(const std::filesystem::path& pack_dir,
                                     const std::vector<PackEntry>& entries,
                                     const std::filesystem::path& archive_file);

}  // namespace rivet::pack_artifact
