// The global options that say which rivetd to talk to and with which certificate, and how
// they combine: a flag beats its environment variable, which beats the config file, which
// beats ./rivet-data/pki (the data directory of a local rivetd with the embedded defaults).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "rivet/client/client.hpp"
#include "rivet/sdk/status.hpp"

namespace rivet::cli {

// Where the options, variables and config file point, as they combine.
struct ConnectionSettings {
  std::string host;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string certs_dir;
};

class ConnectionOptions {
 public:
  // Adds --host, --ca, --cert, --key, --certs and --config (and their RIVET_* variables).
  void addTo(CLI::App& app);

  // A Client for the configured host; fails with invalid_argument, saying how to give what is
  // missing, when no certificate is configured.
  rivet::sdk::StatusOr<rivet::client::Client> makeClient() const;
  // The certificate files alone, for talking to many hosts (fleet runs).
  rivet::sdk::StatusOr<rivet::client::TlsFiles> tlsFiles() const;
  // The certificate files as given (options, variables, config file, --certs), each possibly
  // empty and without the ./rivet-data/pki fallback: for a pack store, which anyone may read
  // and only writers need a certificate for.
  rivet::sdk::StatusOr<rivet::client::TlsFiles> givenTlsFiles() const;

 private:
  rivet::sdk::Status resolve(ConnectionSettings& settings) const;
  rivet::sdk::Status gather(ConnectionSettings& settings) const;

  std::string host_;
  std::string ca_file_;
  std::string cert_file_;
  std::string key_file_;
  std::string certs_dir_;
  std::string config_file_;
};

// Runs `command` with a Client built from `options`, or reports why none could be built.
int withClient(const ConnectionOptions& options,
               const std::function<int(rivet::client::Client&)>& command);

}  // namespace rivet::cli
