// The development PKI, built with the OpenSSL 3 library directly (no `openssl` command), so it
// works the same inside rivetd, the CLI and tests.
#include "rivet/client/dev_pki.hpp"

#include <fcntl.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <string_view>
#include <utility>

namespace rivet::client {
namespace {

using rivet::sdk::ErrorCode;
using rivet::sdk::Status;
using rivet::sdk::StatusOr;

template <auto FreeFunction>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* object) const {
    FreeFunction(object);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BN_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<X509_EXTENSION_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpenSslDeleter<GENERAL_NAMES_free>>;

constexpr const char* kOrganization = "Rivet dev";

// This thread's OpenSSL error queue as one line; empties the queue.
std::string openSslErrors() {
  std::string text;
  while (unsigned long error = ERR_get_error()) {
    char line[256];
    ERR_error_string_n(error, line, sizeof line);
    if (!text.empty()) text += "; ";
    text += line;
  }
  return text.empty() ? std::string("no OpenSSL error recorded") : text;
}

Status cryptoError(const std::string& what) {
  return Status(ErrorCode::internal, what + ": " + openSslErrors());
}

Status systemError(const std::string& what, int error_number) {
  return Status(ErrorCode::internal, what + ": " + std::strerror(error_number));
}

bool pathExists(const std::string& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0;
}

// What distinguishes the CA, the server and the client certificate.
struct CertificateSpec {
  std::string common_name;
  bool is_ca = false;
  const char* key_usage = nullptr;
  const char* extended_key_usage = nullptr;  // nullptr: none (the CA)
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  int days = 0;
};

CertificateSpec caSpec(int days) {
  return {"Rivet Dev CA", true, "critical,keyCertSign,cRLSign", nullptr, {}, {}, days};
}

CertificateSpec serverSpec(const DevPkiOptions& options) {
  return {options.server_dns.empty() ? std::string("localhost") : options.server_dns.front(),
          false,
          "critical,digitalSignature",
          "serverAuth",
          options.server_dns,
          options.server_ips,
          options.days};
}

CertificateSpec clientSpec(const std::string& name, int days) {
  return {name, false, "critical,digitalSignature", "clientAuth", {name}, {}, days};
}

Status addExtension(X509* certificate, X509V3_CTX& context, int nid, const char* value) {
  ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
  if (!extension || X509_add_ext(certificate, extension.get(), -1) != 1) {
    return cryptoError(std::string("cannot add extension ") + OBJ_nid2sn(nid) + "=" + value);
  }
  return {};
}

// Takes ownership of `value` whatever happens.
bool pushGeneralName(GENERAL_NAMES* names, int type, ASN1_STRING* value) {
  GENERAL_NAME* name = GENERAL_NAME_new();
  if (name == nullptr) {
    ASN1_STRING_free(value);
    return false;
  }
  GENERAL_NAME_set0_value(name, type, value);
  if (sk_GENERAL_NAME_push(names, name) == 0) {
    GENERAL_NAME_free(name);
    return false;
  }
  return true;
}

// Built from values rather than an "DNS:a,IP:b" config string, so a name containing a comma
// cannot smuggle in another SAN.
Status addSubjectAltNames(X509* certificate, const CertificateSpec& spec) {
  if (spec.dns_names.empty() && spec.ip_addresses.empty()) return {};
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return cryptoError("cannot allocate subjectAltName");
  for (const auto& dns : spec.dns_names) {
    if (dns.empty()) return Status(ErrorCode::invalid_argument, "empty DNS name");
    ASN1_IA5STRING* value = ASN1_IA5STRING_new();
    if (value == nullptr || ASN1_STRING_set(value, dns.data(), static_cast<int>(dns.size())) != 1 ||
        !pushGeneralName(names.get(), GEN_DNS, value)) {
      return cryptoError("cannot add DNS name " + dns);
    }
  }
  for (const auto& ip : spec.ip_addresses) {
    ASN1_OCTET_STRING* value = a2i_IPADDRESS(ip.c_str());
    if (value == nullptr) {
      ERR_clear_error();
      return Status(ErrorCode::invalid_argument, "not an IP address: '" + ip + "'");
    }
    if (!pushGeneralName(names.get(), GEN_IPADD, value)) {
      return cryptoError("cannot add IP address " + ip);
    }
  }
  if (X509_add1_ext_i2d(certificate, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) !=
      1) {
    return cryptoError("cannot add subjectAltName");
  }
  return {};
}

PkeyPtr newKey() { return PkeyPtr(EVP_EC_gen("P-256")); }

// A certificate for `key`, signed by issuer_key; self-signed when `issuer` is null.
StatusOr<X509Ptr> makeCertificate(const CertificateSpec& spec, EVP_PKEY* key, X509* issuer,
                                  EVP_PKEY* issuer_key) {
  const std::string what = "certificate CN=" + spec.common_name;
  X509Ptr certificate(X509_new());
  BignumPtr serial(BN_new());
  if (!certificate || !serial || X509_set_version(certificate.get(), X509_VERSION_3) != 1) {
    return cryptoError(what);
  }
  // 159 random bits: unique in practice, positive, and inside RFC 5280's 20 octets.
  if (BN_rand(serial.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate.get())) == nullptr) {
    return cryptoError(what + ": serial number");
  }
  // Backdated an hour so a peer whose clock is a little behind accepts a fresh certificate.
  if (X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(certificate.get()), spec.days, 0, nullptr) == nullptr) {
    return cryptoError(what + ": validity");
  }
  X509_NAME* subject = X509_get_subject_name(certificate.get());
  const auto* organization = reinterpret_cast<const unsigned char*>(kOrganization);
  const auto* common_name = reinterpret_cast<const unsigned char*>(spec.common_name.c_str());
  if (X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8, organization, -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, common_name, -1, -1, 0) != 1) {
    return cryptoError(what + ": subject");
  }
  X509* signer = issuer != nullptr ? issuer : certificate.get();
  if (X509_set_issuer_name(certificate.get(), X509_get_subject_name(signer)) != 1 ||
      X509_set_pubkey(certificate.get(), key) != 1) {
    return cryptoError(what);
  }

  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, signer, certificate.get(), nullptr, nullptr, 0);
  std::vector<std::pair<int, const char*>> extensions{
      {NID_basic_constraints, spec.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE"},
      {NID_key_usage, spec.key_usage},
      {NID_subject_key_identifier, "hash"}};
  if (issuer != nullptr) extensions.emplace_back(NID_authority_key_identifier, "keyid:always");
  if (spec.extended_key_usage != nullptr) {
    extensions.emplace_back(NID_ext_key_usage, spec.extended_key_usage);
  }
  for (const auto& [nid, value] : extensions) {
    if (Status status = addExtension(certificate.get(), context, nid, value); !status.ok()) {
      return status;
    }
  }
  if (Status status = addSubjectAltNames(certificate.get(), spec); !status.ok()) return status;

  if (X509_sign(certificate.get(), issuer_key, EVP_sha256()) <= 0) {
    return cryptoError(what + ": signing");
  }
  return certificate;
}

std::string memoryBioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

StatusOr<std::string> pemOf(X509* certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), certificate) != 1) {
    return cryptoError("cannot encode certificate");
  }
  return memoryBioText(bio.get());
}

StatusOr<std::string> pemOf(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return cryptoError("cannot encode private key");
  }
  return memoryBioText(bio.get());
}

// Written to a temporary file in the same directory, then renamed over `path`: a reader sees
// no file or the whole file, never a prefix. The mode is set on the open descriptor, so a key
// is never readable by others even for a moment, whatever the umask.
Status writeFileAtomically(const std::string& path, std::string_view content, mode_t mode) {
  std::string temp_path = path + ".tmp-XXXXXX";
  const int fd = ::mkstemp(temp_path.data());
  if (fd < 0) return systemError("cannot create a temporary file for " + path, errno);
  bool written = ::fchmod(fd, mode) == 0;
  for (std::size_t done = 0; written && done < content.size();) {
    const ssize_t count = ::write(fd, content.data() + done, content.size() - done);
    if (count < 0 && errno != EINTR) written = false;
    if (count > 0) done += static_cast<std::size_t>(count);
  }
  written = written && ::fsync(fd) == 0;
  int error_number = errno;
  if (::close(fd) != 0 && written) {
    written = false;
    error_number = errno;
  }
  if (written && ::rename(temp_path.c_str(), path.c_str()) == 0) return {};
  if (written) error_number = errno;
  ::unlink(temp_path.c_str());
  return systemError("cannot write " + path, error_number);
}

struct OutputFile {
  std::string path;
  std::string content;
  mode_t mode;
};

// Writes every file or, on the first failure, removes those already written.
Status writeAll(const std::vector<OutputFile>& files) {
  for (std::size_t i = 0; i < files.size(); ++i) {
    Status status = writeFileAtomically(files[i].path, files[i].content, files[i].mode);
    if (!status.ok()) {
      for (std::size_t j = 0; j < i; ++j) ::unlink(files[j].path.c_str());
      return status;
    }
  }
  return {};
}

// A new key and its certificate as PEM files to write.
Status issue(const CertificateSpec& spec, X509* issuer, EVP_PKEY* issuer_key,
             const std::string& cert_path, const std::string& key_path,
             std::vector<OutputFile>& files, X509Ptr* certificate_out = nullptr,
             PkeyPtr* key_out = nullptr) {
  PkeyPtr key = newKey();
  if (!key) return cryptoError("cannot generate an EC P-256 key");
  StatusOr<X509Ptr> certificate =
      makeCertificate(spec, key.get(), issuer, issuer != nullptr ? issuer_key : key.get());
  if (!certificate.ok()) return certificate.status();
  StatusOr<std::string> certificate_pem = pemOf(certificate->get());
  StatusOr<std::string> key_pem = pemOf(key.get());
  if (!certificate_pem.ok()) return certificate_pem.status();
  if (!key_pem.ok()) return key_pem.status();
  files.push_back({key_path, std::move(*key_pem), 0600});
  files.push_back({cert_path, std::move(*certificate_pem), 0644});
  if (certificate_out != nullptr) *certificate_out = std::move(*certificate);
  if (key_out != nullptr) *key_out = std::move(key);
  return {};
}

Status validateDays(int days) {
  if (days < 1) {
    return Status(ErrorCode::invalid_argument,
                  "certificate validity must be at least 1 day, got " + std::to_string(days));
  }
  return {};
}

Status makeDirectory(const std::string& dir) {
  const std::filesystem::path path(dir);
  std::error_code error;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), error);
  if (error) return Status(ErrorCode::internal, "cannot create " + dir + ": " + error.message());
  if (::mkdir(dir.c_str(), 0700) == 0) return {};
  if (errno == EEXIST && std::filesystem::is_directory(path, error)) return {};
  return systemError("cannot create " + dir, errno);
}

template <typename T>
using OpenSslReader = T* (*)(BIO*, T**, pem_password_cb*, void*);

template <typename T, typename Deleter>
StatusOr<std::unique_ptr<T, Deleter>> readPem(const std::string& path, const char* what,
                                              OpenSslReader<T> reader) {
  if (!pathExists(path)) {
    return Status(ErrorCode::not_found, std::string(what) + " " + path + " does not exist");
  }
  BioPtr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) return cryptoError(std::string("cannot open ") + what + " " + path);
  std::unique_ptr<T, Deleter> object(reader(bio.get(), nullptr, nullptr, nullptr));
  if (!object) return cryptoError(std::string("cannot read ") + what + " " + path);
  return object;
}

}  // namespace

DevPkiFiles devPkiFiles(const std::string& dir) {
  const std::filesystem::path base(dir);
  return {(base / "ca.pem").string(),     (base / "ca.key").string(),
          (base / "server.pem").string(), (base / "server.key").string(),
          (base / "client.pem").string(), (base / "client.key").string()};
}

Status makeDevPki(const std::string& dir, const DevPkiOptions& options) {
  try {
    ERR_clear_error();
    if (Status status = validateDays(options.days); !status.ok()) return status;
    if (options.client_name.empty()) {
      return Status(ErrorCode::invalid_argument, "the client name is empty");
    }
    const DevPkiFiles paths = devPkiFiles(dir);
    for (const std::string* path : {&paths.ca_cert, &paths.ca_key, &paths.server_cert,
                                    &paths.server_key, &paths.client_cert, &paths.client_key}) {
      if (pathExists(*path)) {
        return Status(ErrorCode::conflict, *path + " already exists; not replacing a PKI");
      }
    }
    std::vector<OutputFile> files;
    X509Ptr ca;
    PkeyPtr ca_key;
    if (Status status = issue(caSpec(options.days), nullptr, nullptr, paths.ca_cert, paths.ca_key,
                              files, &ca, &ca_key);
        !status.ok()) {
      return status;
    }
    if (Status status = issue(serverSpec(options), ca.get(), ca_key.get(), paths.server_cert,
                              paths.server_key, files);
        !status.ok()) {
      return status;
    }
    if (Status status = issue(clientSpec(options.client_name, options.days), ca.get(), ca_key.get(),
                              paths.client_cert, paths.client_key, files);
        !status.ok()) {
      return status;
    }
    if (Status status = makeDirectory(dir); !status.ok()) return status;
    return writeAll(files);
  } catch (const std::exception& error) {
    return Status(ErrorCode::internal, std::string("dev PKI: ") + error.what());
  }
}

Status issueClientCertificate(const std::string& ca_dir, const std::string& name,
                              const std::string& cert_path, const std::string& key_path, int days) {
  try {
    ERR_clear_error();
    if (Status status = validateDays(days); !status.ok()) return status;
    if (name.empty()) return Status(ErrorCode::invalid_argument, "the client name is empty");
    const DevPkiFiles paths = devPkiFiles(ca_dir);
    auto ca = readPem<X509, OpenSslDeleter<X509_free>>(paths.ca_cert, "CA certificate",
                                                       PEM_read_bio_X509);
    if (!ca.ok()) return ca.status();
    auto ca_key = readPem<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>(paths.ca_key, "CA key",
                                                                   PEM_read_bio_PrivateKey);
    if (!ca_key.ok()) return ca_key.status();
    if (X509_check_private_key(ca->get(), ca_key->get()) != 1) {
      ERR_clear_error();
      return Status(ErrorCode::invalid_argument,
                    paths.ca_key + " is not the key of " + paths.ca_cert);
    }
    std::vector<OutputFile> files;
    if (Status status =
            issue(clientSpec(name, days), ca->get(), ca_key->get(), cert_path, key_path, files);
        !status.ok()) {
      return status;
    }
    return writeAll(files);
  } catch (const std::exception& error) {
    return Status(ErrorCode::internal, std::string("client certificate: ") + error.what());
  }
}

}  // namespace rivet::client
