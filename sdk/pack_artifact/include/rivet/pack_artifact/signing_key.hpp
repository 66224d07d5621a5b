// The Ed25519 key pair that signs pack artifacts: the private key stays with whoever builds
// packs (a person or CI), the public key goes into every agent's list of trusted keys.
#pragma once

#include <filesystem>
#include <string>

#include "rivet/sdk/status.hpp"

namespace rivet::pack_artifact {

inline constexpr const char* kPrivateKeyFileName = "rivet-pack.key";
inline constexpr const char* kPublicKeyFileName = "rivet-pack.pub";

struct SigningKeyFiles {
  std::filesystem::path private_key;  // PEM PKCS#8, mode 0600
  std::filesystem::path public_key;   // PEM SubjectPublicKeyInfo
  std::string key_id;                 // see publicKeyId()
};

// Writes a new key pair into `dir` (which must exist) as rivet-pack.key and rivet-pack.pub.
// Refuses (conflict) when either file already exists: a signing key is never overwritten.
sdk::StatusOr<SigningKeyFiles> generateSigningKey(const std::filesystem::path& dir);

// The key id of a public (or private) key PEM file: the first 16 hex characters of the
// SHA-256 of the DER SubjectPublicKeyInfo. Manifests name their signer by it.
sdk::StatusOr<std::string> keyIdOfFile(const std::filesystem::path& key_file);

}  // namespace rivet::pack_artifact
