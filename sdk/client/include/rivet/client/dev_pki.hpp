// A development PKI: one CA, a server certificate and a client certificate, enough to run
// rivetd with mutual TLS on a workstation or in tests without an operator's CA. Used by the
// transport-https plugin (generated on first start) and by the CLI. Not for production: the CA
// key sits unencrypted next to the certificates it signed.
#pragma once

#include <string>
#include <vector>

#include "rivet/sdk/status.hpp"

namespace rivet::client {

// Where a development PKI lives inside its directory.
struct DevPkiFiles {
  std::string ca_cert;      // dir/ca.pem
  std::string ca_key;       // dir/ca.key
  std::string server_cert;  // dir/server.pem
  std::string server_key;   // dir/server.key
  std::string client_cert;  // dir/client.pem
  std::string client_key;   // dir/client.key
};

DevPkiFiles devPkiFiles(const std::string& dir);

struct DevPkiOptions {
  std::vector<std::string> server_dns{"localhost"};         // server SANs DNS:...
  std::vector<std::string> server_ips{"127.0.0.1", "::1"};  // server SANs IP:...
  std::string client_name{"rivet-dev-client"};              // client CN and SAN DNS:...
  int days{825};                                            // validity of every certificate
};

// Creates `dir` (0700) with a new CA and a server and a client certificate signed by it: EC
// P-256 keys (files 0600), SHA-256 signatures. Refuses with ErrorCode::conflict if any of the
// six files already exists, so an existing PKI is never replaced.
rivet::sdk::Status makeDevPki(const std::string& dir, const DevPkiOptions& options = {});

// Issues another client certificate (CN=name, SAN DNS:name, clientAuth) signed by the CA in
// `ca_dir`, and writes it to cert_path and its key to key_path (0600), replacing them.
rivet::sdk::Status issueClientCertificate(const std::string& ca_dir, const std::string& name,
                                          const std::string& cert_path, const std::string& key_path,
                                          int days = 825);

}  // namespace rivet::client
