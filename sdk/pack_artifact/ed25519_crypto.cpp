// Ed25519 through OpenSSL 3's EVP interface: EVP_DigestSign with no digest, since Ed25519
// hashes internally (PureEdDSA, RFC 8032).
#include "ed25519_crypto.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <array>
#include <fstream>
#include <vector>

namespace rivet::pack_artifact {
namespace {

using sdk::ErrorCode;
using sdk::Status;
using sdk::StatusOr;

using BioPtr = OwnedHandle<BIO, BIO_free_all>;
using MdContextPtr = OwnedHandle<EVP_MD_CTX, EVP_MD_CTX_free>;
using PkeyContextPtr = OwnedHandle<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;

// This thread's OpenSSL error queue as one line; empties the queue.
std::string openSslErrors() {
  std::string text;
  while (unsigned long error = ERR_get_error()) {
    std::array<char, 256> line{};
    ERR_error_string_n(error, line.data(), line.size());
    if (!text.empty()) text += "; ";
    text += line.data();
  }
  return text.empty() ? std::string("no OpenSSL error recorded") : text;
}

Status cryptoError(const std::string& what) {
  return Status(ErrorCode::internal, what + ": " + openSslErrors());
}

std::string hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    text += kDigits[bytes[i] >> 4];
    text += kDigits[bytes[i] & 0x0f];
  }
  return text;
}

StatusOr<std::string> bioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  if (size < 0) return cryptoError("cannot read a memory BIO");
  return std::string(data, static_cast<std::size_t>(size));
}

StatusOr<PkeyPtr> readKey(const std::filesystem::path& file, bool private_key) {
  const char* what = private_key ? "Ed25519 private key" : "Ed25519 public key";
  BioPtr bio(BIO_new_file(file.c_str(), "r"));
  if (!bio) {
    ERR_clear_error();
    return Status(ErrorCode::invalid_argument, "cannot read " + file.string());
  }
  PkeyPtr key(private_key ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                          : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return Status(ErrorCode::invalid_argument, file.string() + " is not a PEM " + what);
  }
  return key;
}

}  // namespace

StatusOr<PkeyPtr> newEd25519Key() {
  PkeyContextPtr context(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
  EVP_PKEY* key = nullptr;
  if (!context || EVP_PKEY_keygen_init(context.get()) != 1 ||
      EVP_PKEY_keygen(context.get(), &key) != 1) {
    return cryptoError("cannot generate an Ed25519 key");
  }
  return PkeyPtr(key);
}

StatusOr<std::string> privateKeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return cryptoError("cannot encode the private key");
  }
  return bioText(bio.get());
}

StatusOr<std::string> publicKeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) {
    return cryptoError("cannot encode the public key");
  }
  return bioText(bio.get());
}

StatusOr<PkeyPtr> readPrivateKey(const std::filesystem::path& file) { return readKey(file, true); }

StatusOr<PkeyPtr> readPublicKey(const std::filesystem::path& file) { return readKey(file, false); }

StatusOr<std::string> keyId(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int size = i2d_PUBKEY(key, &der);
  if (size <= 0) return cryptoError("cannot encode the public key as DER");
  std::string digest = sha256Hex(
      std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(size)));
  OPENSSL_free(der);
  return digest.substr(0, 16);
}

StatusOr<std::string> sign(EVP_PKEY* private_key, std::string_view data) {
  MdContextPtr context(EVP_MD_CTX_new());
  std::size_t size = 0;
  if (!context || EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, private_key) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &size,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    return cryptoError("cannot sign");
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    return cryptoError("cannot sign");
  }
  signature.resize(size);
  return signature;
}

bool signatureVerifies(EVP_PKEY* public_key, std::string_view data, std::string_view signature) {
  MdContextPtr context(EVP_MD_CTX_new());
  const bool verified =
      context && EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, public_key) == 1 &&
      EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                       data.size()) == 1;
  ERR_clear_error();
  return verified;
}

StatusOr<std::string> sha256HexOfFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status(ErrorCode::not_found, "cannot read " + file.string());
  MdContextPtr context(EVP_MD_CTX_new());
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
    return cryptoError("cannot start SHA-256");
  }
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (in.gcount() > 0) {
      EVP_DigestUpdate(context.get(), buffer.data(), static_cast<std::size_t>(in.gcount()));
    }
  }
  if (in.bad()) return Status(ErrorCode::internal, "cannot read " + file.string());
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(context.get(), digest.data(), &size) != 1) {
    return cryptoError("cannot finish SHA-256");
  }
  return hex(digest.data(), size);
}

std::string sha256Hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr);
  return hex(digest.data(), size);
}

std::string base64Encode(std::string_view data) {
  std::string text(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int size = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()),
                                   reinterpret_cast<const unsigned char*>(data.data()),
                                   static_cast<int>(data.size()));
  text.resize(static_cast<std::size_t>(size));
  return text;
}

bool base64Decode(std::string_view text, std::string& out) {
  if (text.empty() || text.size() % 4 != 0) return false;
  out.assign(text.size() / 4 * 3, '\0');
  const int size = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                   reinterpret_cast<const unsigned char*>(text.data()),
                                   static_cast<int>(text.size()));
  if (size < 0) return false;
  // EVP_DecodeBlock counts the bytes '=' padding stands for; drop them.
  std::size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<std::size_t>(size) - padding);
  return true;
}

}  // namespace rivet::pack_artifact
