// What the tests of Client against TestHttpsServer share: a dev PKI made once per suite (plus
// one for another server name), and the TLS files for each side.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "rivet/client/client.hpp"
#include "rivet/client/dev_pki.hpp"
#include "test_https_server.hpp"

namespace rivet::client::testing {

class ClientTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_dir_ = std::filesystem::temp_directory_path() /
               ("rivet-client-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(pki_dir_);
    ASSERT_TRUE(makeDevPki((pki_dir_ / "pki").string()).ok());
    DevPkiOptions elsewhere;
    elsewhere.server_dns = {"elsewhere.invalid"};
    elsewhere.server_ips = {};
    ASSERT_TRUE(makeDevPki((pki_dir_ / "other").string(), elsewhere).ok());
    files_ = devPkiFiles((pki_dir_ / "pki").string());
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(pki_dir_); }

  static ServerTlsFiles serverFiles() {
    return {files_.ca_cert, files_.server_cert, files_.server_key};
  }
  static TlsFiles clientFiles() { return {files_.ca_cert, files_.client_cert, files_.client_key}; }

  static TestHttpsServer::Handler jsonAnswer(int status, const std::string& body) {
    return [status, body](const TestRequest&) {
      return Response{status, {{"Content-Type", "application/json"}}, body};
    };
  }

  static inline std::filesystem::path pki_dir_;
  static inline DevPkiFiles files_;
};

}  // namespace rivet::client::testing
