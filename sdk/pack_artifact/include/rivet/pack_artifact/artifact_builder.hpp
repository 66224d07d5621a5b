// Building a pack artifact: a reproducible archive of the pack directory and its signed
// manifest. Used by `rivet pack build`.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "rivet/pack_artifact/artifact_manifest.hpp"
#include "rivet/sdk/status.hpp"

namespace rivet::pack_artifact {

struct BuiltArtifact {
  std::filesystem::path archive_file;
  std::filesystem::path manifest_file;
  ArtifactManifest manifest;
};

// Reads name and version from pack_dir/pack.yaml, writes <name>-<version>.tar.zst and
// <name>-<version>.manifest.json into out_dir (created if missing), signed with the Ed25519
// private key in key_file. The archive is reproducible: the same files give the same bytes
// (entries sorted, mtime 0, owner 0:0, modes 0755/0644). Only regular files and directories
// are packed: a symlink, device, fifo, socket or hard-linked file is refused by name. .git,
// __pycache__ and *.pyc are skipped. Existing output files are replaced.
sdk::StatusOr<BuiltArtifact> buildArtifact(const std::filesystem::path& pack_dir,
                                           const std::filesystem::path& key_file,
                                           const std::filesystem::path& out_dir);

// The pack's archive alone, unsigned, by the same rules: what `rivet run --pack-dir` sends to
// an agent in dev mode.
sdk::Status writePackArchive(const std::filesystem::path& pack_dir,
                             const std::filesystem::path& archive_file);

// "sha256:<lower-case hex>" of `bytes`: how manifests and history name an archive.
std::string contentDigest(std::string_view bytes);

}  // namespace rivet::pack_artifact
