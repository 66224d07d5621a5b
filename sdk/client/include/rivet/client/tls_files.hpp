// The PEM files a client needs for mutual TLS with rivetd.
#pragma once

#include <string>

namespace rivet::client {

struct TlsFiles {
  std::string ca_file;    // the CA that signed the server certificate
  std::string cert_file;  // this client's certificate (chain), signed by a CA rivetd trusts
  std::string key_file;   // its private key
};

}  // namespace rivet::client
