// The development PKI: files and modes, chains that verify for their purpose, and no overwrite.
#include "rivet/client/dev_pki.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "rivet/test/temp_dir.hpp"

namespace rivet::client {
namespace {

namespace fs = std::filesystem;

struct X509Deleter {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

using rivet::test::readFile;
using rivet::test::TempDir;

X509Ptr readCertificate(const std::string& path) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(path.c_str(), "r"), BIO_free);
  if (!bio) return nullptr;
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

mode_t modeOf(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

// X509_verify_cert of `leaf` against `ca` alone, for an SSL client or server purpose.
int verifyError(X509* ca, X509* leaf, int purpose) {
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> context(X509_STORE_CTX_new(),
                                                                          X509_STORE_CTX_free);
  X509_STORE_add_cert(store.get(), ca);
  X509_STORE_CTX_init(context.get(), store.get(), leaf, nullptr);
  X509_STORE_CTX_set_purpose(context.get(), purpose);
  if (X509_verify_cert(context.get()) == 1) return X509_V_OK;
  return X509_STORE_CTX_get_error(context.get());
}

std::vector<std::string> subjectAltNames(X509* certificate) {
  std::vector<std::string> names;
  auto* general_names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; i < sk_GENERAL_NAME_num(general_names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(general_names, i);
    if (name->type == GEN_DNS) {
      names.push_back("DNS:" + std::string(reinterpret_cast<const char*>(
                                               ASN1_STRING_get0_data(name->d.dNSName)),
                                           ASN1_STRING_length(name->d.dNSName)));
    } else if (name->type == GEN_IPADD) {
      names.push_back("IP/" + std::to_string(ASN1_STRING_length(name->d.iPAddress)));
    }
  }
  GENERAL_NAMES_free(general_names);
  return names;
}

std::string subjectOf(X509* certificate) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

TEST(DevPkiTest, NamesTheSixFilesInsideTheDirectory) {
  const DevPkiFiles files = devPkiFiles("/d/pki");
  EXPECT_EQ(files.ca_cert, "/d/pki/ca.pem");
  EXPECT_EQ(files.ca_key, "/d/pki/ca.key");
  EXPECT_EQ(files.server_cert, "/d/pki/server.pem");
  EXPECT_EQ(files.server_key, "/d/pki/server.key");
  EXPECT_EQ(files.client_cert, "/d/pki/client.pem");
  EXPECT_EQ(files.client_key, "/d/pki/client.key");
}

TEST(DevPkiTest, WritesFilesWithPrivateModes) {
  TempDir temp;
  const std::string dir = temp.child("nested/pki");
  const auto status = makeDevPki(dir);
  ASSERT_TRUE(status.ok()) << status.message();
  const DevPkiFiles files = devPkiFiles(dir);
  EXPECT_EQ(modeOf(dir), 0700u);
  for (const auto& key : {files.ca_key, files.server_key, files.client_key}) {
    EXPECT_EQ(modeOf(key), 0600u) << key;
    EXPECT_NE(readFile(key).find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  }
  for (const auto& certificate : {files.ca_cert, files.server_cert, files.client_cert}) {
    EXPECT_EQ(modeOf(certificate), 0644u) << certificate;
  }
  // Nothing left behind by the atomic writes.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 6);
}

TEST(DevPkiTest, ServerAndClientChainsVerifyForTheirPurpose) {
  TempDir temp;
  ASSERT_TRUE(makeDevPki(temp.child("pki")).ok());
  const DevPkiFiles files = devPkiFiles(temp.child("pki"));
  X509Ptr ca = readCertificate(files.ca_cert);
  X509Ptr server = readCertificate(files.server_cert);
  X509Ptr client = readCertificate(files.client_cert);
  ASSERT_TRUE(ca && server && client);

  EXPECT_EQ(verifyError(ca.get(), server.get(), X509_PURPOSE_SSL_SERVER), X509_V_OK);
  EXPECT_EQ(verifyError(ca.get(), client.get(), X509_PURPOSE_SSL_CLIENT), X509_V_OK);
  // The EKUs keep each certificate to its role.
  EXPECT_NE(verifyError(ca.get(), server.get(), X509_PURPOSE_SSL_CLIENT), X509_V_OK);
  EXPECT_NE(verifyError(ca.get(), client.get(), X509_PURPOSE_SSL_SERVER), X509_V_OK);
  EXPECT_EQ(X509_get_extended_key_usage(server.get()), static_cast<uint32_t>(XKU_SSL_SERVER));
  EXPECT_EQ(X509_get_extended_key_usage(client.get()), static_cast<uint32_t>(XKU_SSL_CLIENT));

  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_EQ(X509_check_ca(server.get()), 0);
  EXPECT_TRUE(X509_get_key_usage(ca.get()) & KU_KEY_CERT_SIGN);

  EXPECT_EQ(subjectOf(ca.get()), "CN=Rivet Dev CA,O=Rivet dev");
  EXPECT_EQ(subjectOf(server.get()), "CN=localhost,O=Rivet dev");
  EXPECT_EQ(subjectOf(client.get()), "CN=rivet-dev-client,O=Rivet dev");
  EXPECT_EQ(subjectAltNames(server.get()),
            (std::vector<std::string>{"DNS:localhost", "IP/4", "IP/16"}));
  EXPECT_EQ(subjectAltNames(client.get()), std::vector<std::string>{"DNS:rivet-dev-client"});
  EXPECT_EQ(X509_check_host(server.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(server.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(server.get(), "::1", 0), 1);

  // Random serials: the three differ.
  EXPECT_NE(
      ASN1_INTEGER_cmp(X509_get0_serialNumber(server.get()), X509_get0_serialNumber(client.get())),
      0);
}

TEST(DevPkiTest, AnotherPkiDoesNotVerifyAgainstTheFirst) {
  TempDir temp;
  ASSERT_TRUE(makeDevPki(temp.child("one")).ok());
  ASSERT_TRUE(makeDevPki(temp.child("two")).ok());
  X509Ptr ca = readCertificate(devPkiFiles(temp.child("one")).ca_cert);
  X509Ptr foreign = readCertificate(devPkiFiles(temp.child("two")).client_cert);
  EXPECT_NE(verifyError(ca.get(), foreign.get(), X509_PURPOSE_SSL_CLIENT), X509_V_OK);
}

TEST(DevPkiTest, RefusesToReplaceAnyExistingFile) {
  TempDir temp;
  const std::string dir = temp.child("pki");
  ASSERT_TRUE(makeDevPki(dir).ok());
  const std::string ca_before = readFile(devPkiFiles(dir).ca_cert);
  const auto again = makeDevPki(dir);
  EXPECT_EQ(again.code(), sdk::ErrorCode::conflict);
  EXPECT_NE(again.message().find("ca.pem"), std::string::npos) << again.message();
  EXPECT_EQ(readFile(devPkiFiles(dir).ca_cert), ca_before);

  // One stray file is enough to refuse.
  const std::string partial = temp.child("partial");
  fs::create_directories(partial);
  std::ofstream(devPkiFiles(partial).client_key) << "x";
  const auto refused = makeDevPki(partial);
  EXPECT_EQ(refused.code(), sdk::ErrorCode::conflict);
  EXPECT_NE(refused.message().find("client.key"), std::string::npos) << refused.message();
  EXPECT_FALSE(fs::exists(devPkiFiles(partial).ca_cert));
}

TEST(DevPkiTest, RejectsBadOptions) {
  TempDir temp;
  DevPkiOptions bad_ip;
  bad_ip.server_ips = {"not-an-ip"};
  const auto status = makeDevPki(temp.child("pki"), bad_ip);
  EXPECT_EQ(status.code(), sdk::ErrorCode::invalid_argument);
  EXPECT_NE(status.message().find("not-an-ip"), std::string::npos) << status.message();
  EXPECT_FALSE(fs::exists(temp.child("pki")));

  DevPkiOptions no_days;
  no_days.days = 0;
  EXPECT_EQ(makeDevPki(temp.child("pki"), no_days).code(), sdk::ErrorCode::invalid_argument);
}

TEST(DevPkiTest, CustomNamesAndValidity) {
  TempDir temp;
  DevPkiOptions options;
  options.server_dns = {"rivet.example", "host2.example"};
  options.server_ips = {"10.1.2.3"};
  options.client_name = "ops-bastion";
  options.days = 2;
  ASSERT_TRUE(makeDevPki(temp.child("pki"), options).ok());
  const DevPkiFiles files = devPkiFiles(temp.child("pki"));
  X509Ptr server = readCertificate(files.server_cert);
  X509Ptr client = readCertificate(files.client_cert);
  EXPECT_EQ(subjectOf(server.get()), "CN=rivet.example,O=Rivet dev");
  EXPECT_EQ(subjectAltNames(server.get()),
            (std::vector<std::string>{"DNS:rivet.example", "DNS:host2.example", "IP/4"}));
  EXPECT_EQ(subjectOf(client.get()), "CN=ops-bastion,O=Rivet dev");
  int days = 0;
  int seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(client.get())), 1);
  EXPECT_TRUE(days == 1 || (days == 2 && seconds == 0)) << days << "d " << seconds << "s";
}

TEST(DevPkiTest, IssuedClientCertificateVerifiesAgainstTheCa) {
  TempDir temp;
  const std::string dir = temp.child("pki");
  ASSERT_TRUE(makeDevPki(dir).ok());
  const std::string cert_path = temp.child("alice.pem");
  const std::string key_path = temp.child("alice.key");
  const auto status = issueClientCertificate(dir, "alice", cert_path, key_path);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(modeOf(key_path), 0600u);

  X509Ptr ca = readCertificate(devPkiFiles(dir).ca_cert);
  X509Ptr alice = readCertificate(cert_path);
  ASSERT_TRUE(alice);
  EXPECT_EQ(verifyError(ca.get(), alice.get(), X509_PURPOSE_SSL_CLIENT), X509_V_OK);
  EXPECT_EQ(X509_get_extended_key_usage(alice.get()), static_cast<uint32_t>(XKU_SSL_CLIENT));
  EXPECT_EQ(subjectOf(alice.get()), "CN=alice,O=Rivet dev");
  EXPECT_EQ(subjectAltNames(alice.get()), std::vector<std::string>{"DNS:alice"});

  // The key file holds the certificate's key.
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(key_path.c_str(), "r"), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  ASSERT_TRUE(key);
  EXPECT_EQ(X509_check_private_key(alice.get(), key.get()), 1);
}

TEST(DevPkiTest, IssuingWithoutACaIsNotFound) {
  TempDir temp;
  const auto status = issueClientCertificate(temp.child("nothing"), "alice", temp.child("a.pem"),
                                             temp.child("a.key"));
  EXPECT_EQ(status.code(), sdk::ErrorCode::not_found);
  EXPECT_NE(status.message().find("ca.pem"), std::string::npos) << status.message();
  EXPECT_FALSE(fs::exists(temp.child("a.key")));
}

}  // namespace
}  // namespace rivet::client
