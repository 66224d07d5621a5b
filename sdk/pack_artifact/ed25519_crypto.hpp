// What pack artifacts need from OpenSSL 3, kept behind plain types: Ed25519 keys from PEM
// files, signing and verifying, SHA-256 and base64. Private to the library.
#pragma once

#include <openssl/evp.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "owned_handle.hpp"
#include "rivet/sdk/status.hpp"

namespace rivet::pack_artifact {

using PkeyPtr = OwnedHandle<EVP_PKEY, EVP_PKEY_free>;

// A new Ed25519 key pair.
sdk::StatusOr<PkeyPtr> newEd25519Key();
// PEM text of the private key (PKCS#8) and of the public key (SubjectPublicKeyInfo).
sdk::StatusOr<std::string> privateKeyPem(EVP_PKEY* key);
sdk::StatusOr<std::string> publicKeyPem(EVP_PKEY* key);

// An Ed25519 key from a PEM file: a private key for signing, a public key for verifying.
// Anything else (another key type, an unreadable file) is invalid_argument naming the file.
sdk::StatusOr<PkeyPtr> readPrivateKey(const std::filesystem::path& file);
sdk::StatusOr<PkeyPtr> readPublicKey(const std::filesystem::path& file);

// First 16 hex characters of the SHA-256 of the DER SubjectPublicKeyInfo.
sdk::StatusOr<std::string> keyId(EVP_PKEY* key);

sdk::StatusOr<std::string> sign(EVP_PKEY* private_key, std::string_view data);
bool signatureVerifies(EVP_PKEY* public_key, std::string_view data, std::string_view signature);

// Lower-case hex SHA-256 of a file's content.
sdk::StatusOr<std::string> sha256HexOfFile(const std::filesystem::path& file);
std::string sha256Hex(std::string_view data);

std::string base64Encode(std::string_view data);
// Decodes into `out`; false when `text` is not base64 (padded, no line breaks).
bool base64Decode(std::string_view text, std::string& out);

}  // namespace rivet::pack_artifact
