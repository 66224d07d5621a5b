#include "peer_identity.hpp"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

namespace rivet::plugins::transport_https {
namespace {

std::string rfc2253(const X509_NAME* name) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string text(const ASN1_STRING* value) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                     static_cast<std::size_t>(ASN1_STRING_length(value)));
}

// "" for a length that is neither IPv4 nor IPv6.
std::string ipAddress(const ASN1_OCTET_STRING* value) {
  char printed[INET6_ADDRSTRLEN] = {};
  const int length = ASN1_STRING_length(value);
  const int family = length == 4 ? AF_INET : length == 16 ? AF_INET6 : AF_UNSPEC;
  if (family == AF_UNSPEC ||
      ::inet_ntop(family, ASN1_STRING_get0_data(value), printed, sizeof printed) == nullptr) {
    return {};
  }
  return printed;
}

std::string generalName(const GENERAL_NAME* name) {
  switch (name->type) {
    case GEN_DNS:
      return "DNS:" + text(name->d.dNSName);
    case GEN_URI:
      return "URI:" + text(name->d.uniformResourceIdentifier);
    case GEN_EMAIL:
      return "email:" + text(name->d.rfc822Name);
    case GEN_IPADD: {
      const std::string address = ipAddress(name->d.iPAddress);
      return address.empty() ? std::string() : "IP:" + address;
    }
    default:
      return {};
  }
}

}  // namespace

sdk::Requester peerIdentity(SSL* ssl) {
  sdk::Requester requester;
  X509* certificate = SSL_get0_peer_certificate(ssl);
  if (certificate == nullptr) return requester;
  requester.subject = rfc2253(X509_get_subject_name(certificate));
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    std::string name = generalName(sk_GENERAL_NAME_value(names, i));
    if (!name.empty()) requester.sans.push_back(std::move(name));
  }
  GENERAL_NAMES_free(names);
  return requester;
}

}  // namespace rivet::plugins::transport_https
