#include "rivet/pack_artifact/artifact_verifier.hpp"

#include <fstream>
#include <map>
#include <sstream>

#include "ed25519_crypto.hpp"

namespace rivet::pack_artifact {
namespace {

namespace fs = std::filesystem;

sdk::Status rejected(const std::string& message) {
  return sdk::Status(sdk::ErrorCode::unprocessable, message);
}

// The trusted keys by key id.
sdk::StatusOr<std::map<std::string, PkeyPtr>> readTrustedKeys(const std::vector<fs::path>& files) {
  std::map<std::string, PkeyPtr> keys;
  for (const fs::path& file : files) {
    sdk::StatusOr<PkeyPtr> key = readPublicKey(file);
    if (!key.ok()) return key.status();
    sdk::StatusOr<std::string> id = keyId(key->get());
    if (!id.ok()) return id.status();
    keys.emplace(std::move(*id), std::move(*key));
  }
  return keys;
}

}  // namespace

sdk::StatusOr<ArtifactManifest> verifyArtifact(const fs::path& manifest_file,
                                               const std::vector<fs::path>& trusted_public_keys) {
  std::ifstream in(manifest_file, std::ios::binary);
  if (!in) return sdk::Status(sdk::ErrorCode::not_found, "cannot read " + manifest_file.string());
  std::stringstream text;
  text << in.rdbuf();
  sdk::StatusOr<ArtifactManifest> manifest = parseManifest(text.str());
  if (!manifest.ok()) return manifest.status();

  const fs::path archive_file = manifest_file.parent_path() / manifest->archive;
  std::error_code error;
  const std::uintmax_t size = fs::file_size(archive_file, error);
  if (error) {
    return sdk::Status(sdk::ErrorCode::not_found,
                       "archive " + archive_file.string() + " missing: " + error.message());
  }
  if (size != manifest->size) {
    return rejected("size mismatch: manifest says " + std::to_string(manifest->size) +
                    " bytes, archive is " + std::to_string(size) + " bytes");
  }
  sdk::StatusOr<std::string> digest = sha256HexOfFile(archive_file);
  if (!digest.ok()) return digest.status();
  if ("sha256:" + *digest != manifest->digest) {
    return rejected("digest mismatch: manifest says " + manifest->digest +
                    ", archive is sha256:" + *digest);
  }
  sdk::StatusOr<std::map<std::string, PkeyPtr>> trusted = readTrustedKeys(trusted_public_keys);
  if (!trusted.ok()) return trusted.status();
  const auto key = trusted->find(manifest->key_id);
  if (key == trusted->end()) return rejected("signed by unknown key " + manifest->key_id);
  std::string signature;
  if (!base64Decode(manifest->signature, signature) ||
      !signatureVerifies(key->second.get(), signedBytes(*manifest), signature)) {
    return rejected("bad signature: the manifest is not signed by key " + manifest->key_id);
  }
  return manifest;
}

}  // namespace rivet::pack_artifact
