// The manifest that travels beside a pack archive: what the archive is (pack name, version,
// size, SHA-256) and who vouches for it (key id, Ed25519 signature). docs/pack-delivery.md
// describes the format for those who read it without this code.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "rivet/sdk/status.hpp"

namespace rivet::pack_artifact {

inline constexpr int kManifestFormat = 1;

struct ArtifactManifest {
  std::string name;
  std::string version;
  std::string archive;  // file name of the archive, in the manifest's directory
  std::uint64_t size = 0;
  std::string digest;  // "sha256:<64 hex>"
  std::string key_id;
  std::string signature;  // base64 Ed25519 signature of signedBytes()
};

// The manifest as JSON, with the signature when `with_signature`.
nlohmann::json manifestJson(const ArtifactManifest& manifest, bool with_signature);

// The bytes the signature covers: the compact JSON of the manifest without its signature
// field, keys sorted (nlohmann's default object keeps keys sorted, so dump() is canonical).
std::string signedBytes(const ArtifactManifest& manifest);

// Parses a manifest, checking every field is present with its type and the format is ours.
sdk::StatusOr<ArtifactManifest> parseManifest(const std::string& text);

// "<name>-<version>.tar.zst" and "<name>-<version>.manifest.json".
std::string archiveFileName(const std::string& name, const std::string& version);
std::string manifestFileName(const std::string& name, const std::string& version);

}  // namespace rivet::pack_artifact
