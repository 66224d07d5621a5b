#include "rivet/pack_artifact/signing_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ed25519_crypto.hpp"

namespace rivet::pack_artifact {
namespace {

using sdk::ErrorCode;
using sdk::Status;
using sdk::StatusOr;

// O_EXCL makes "never overwrite" atomic, and the mode is set at creation, so the private key
// is never readable by others, whatever the umask.
Status writeNewFile(const std::filesystem::path& path, const std::string& content, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    const int error_number = errno;
    if (error_number == EEXIST) {
      return Status(ErrorCode::conflict, path.string() + " already exists; not overwriting it");
    }
    return Status(ErrorCode::invalid_argument,
                  "cannot create " + path.string() + ": " + std::strerror(error_number));
  }
  bool written = ::fchmod(fd, mode) == 0;
  for (std::size_t done = 0; written && done < content.size();) {
    const ssize_t count = ::write(fd, content.data() + done, content.size() - done);
    if (count < 0 && errno != EINTR) written = false;
    if (count > 0) done += static_cast<std::size_t>(count);
  }
  const int error_number = errno;
  written = ::close(fd) == 0 && written;
  if (written) return {};
  ::unlink(path.c_str());
  return Status(ErrorCode::internal,
                "cannot write " + path.string() + ": " + std::strerror(error_number));
}

}  // namespace

StatusOr<SigningKeyFiles> generateSigningKey(const std::filesystem::path& dir) {
  SigningKeyFiles files;
  files.private_key = dir / kPrivateKeyFileName;
  files.public_key = dir / kPublicKeyFileName;
  for (const auto& path : {files.private_key, files.public_key}) {
    std::error_code error;
    if (std::filesystem::exists(std::filesystem::symlink_status(path, error))) {
      return Status(ErrorCode::conflict, path.string() + " already exists; not overwriting it");
    }
  }
  StatusOr<PkeyPtr> key = newEd25519Key();
  if (!key.ok()) return key.status();
  StatusOr<std::string> private_pem = privateKeyPem(key->get());
  StatusOr<std::string> public_pem = publicKeyPem(key->get());
  StatusOr<std::string> id = keyId(key->get());
  for (const Status* status : {&private_pem.status(), &public_pem.status(), &id.status()}) {
    if (!status->ok()) return *status;
  }
  if (Status status = writeNewFile(files.private_key, *private_pem, 0600); !status.ok()) {
    return status;
  }
  if (Status status = writeNewFile(files.public_key, *public_pem, 0644); !status.ok()) {
    ::unlink(files.private_key.c_str());
    return status;
  }
  files.key_id = std::move(*id);
  return files;
}

StatusOr<std::string> keyIdOfFile(const std::filesystem::path& key_file) {
  StatusOr<PkeyPtr> key = readPublicKey(key_file);
  if (!key.ok()) key = readPrivateKey(key_file);
  if (!key.ok()) {
    return Status(ErrorCode::invalid_argument, key_file.string() + " is not a PEM Ed25519 key");
  }
  return keyId(key->get());
}

}  // namespace rivet::pack_artifact
