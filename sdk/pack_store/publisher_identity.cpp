// Who publishes, for the audit log: given, read from the client certificate, or the local user.
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pwd.h>
#include <unistd.h>

#include <memory>

#include "rivet/pack_store/pack_store.hpp"

namespace rivet::pack_store {
namespace {

// The certificate's subject in RFC 2253 form ("CN=alice,O=Example"), or "" when the file holds
// no readable PEM certificate.
std::string certificateSubject(const std::string& cert_file) {
  std::unique_ptr<BIO, decltype(&BIO_free)> file(BIO_new_file(cert_file.c_str(), "r"), BIO_free);
  if (!file) return "";
  std::unique_ptr<X509, decltype(&X509_free)> certificate(
      PEM_read_bio_X509(file.get(), nullptr, nullptr, nullptr), X509_free);
  if (!certificate) return "";
  std::unique_ptr<BIO, decltype(&BIO_free)> text(BIO_new(BIO_s_mem()), BIO_free);
  if (!text || X509_NAME_print_ex(text.get(), X509_get_subject_name(certificate.get()), 0,
                                  XN_FLAG_RFC2253) < 0) {
    return "";
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(text.get(), &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : "";
}

std::string localUser() {
  if (const passwd* entry = ::getpwuid(::geteuid());
      entry != nullptr && entry->pw_name != nullptr) {
    return entry->pw_name;
  }
  return "uid" + std::to_string(::geteuid());
}

std::string hostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace

std::string publisherIdentity(const std::string& as, const std::string& cert_file) {
  if (!as.empty()) return as;
  if (!cert_file.empty()) {
    if (std::string subject = certificateSubject(cert_file); !subject.empty()) return subject;
  }
  return localUser() + "@" + hostName();
}

}  // namespace rivet::pack_store
