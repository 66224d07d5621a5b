#include "connection_options.hpp"

#include <filesystem>

#include "failure_report.hpp"
#include "rivet/client/dev_pki.hpp"

namespace rivet::cli {
namespace {

namespace fs = std::filesystem;
using rivet::sdk::ErrorCode;
using rivet::sdk::Status;

constexpr const char* kDefaultHost = "127.0.0.1:7443";
constexpr const char* kLocalDaemonPkiDir = "rivet-data/pki";

void fillIfEmpty(std::string& field, const std::string& value) {
  if (field.empty()) field = value;
}

// Fills the settings still empty from the INI file. Paths in it are relative to the file, so a
// config can sit next to its certificates.
Status fillFromConfigFile(const std::string& config_file, ConnectionSettings& settings) {
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigINI().from_file(config_file);
  } catch (const CLI::Error& error) {
    return Status(ErrorCode::invalid_argument,
                  "cannot read the config file '" + config_file + "': " + error.what());
  }
  const fs::path base = fs::path(config_file).parent_path();
  const auto path = [&base](const std::string& value) { return (base / value).string(); };
  for (const auto& item : items) {
    if (!item.parents.empty()) {
      return Status(ErrorCode::invalid_argument,
                    "config file '" + config_file + "': no sections ([" + item.parents.front() +
                        "]): put host, ca, cert, key and certs at the top");
    }
    if (item.inputs.size() != 1) {
      return Status(ErrorCode::invalid_argument,
                    "config file '" + config_file + "': '" + item.name + "' needs one value");
    }
    const std::string& value = item.inputs.front();
    if (item.name == "host") {
      fillIfEmpty(settings.host, value);
    } else if (item.name == "ca") {
      fillIfEmpty(settings.ca_file, path(value));
    } else if (item.name == "cert") {
      fillIfEmpty(settings.cert_file, path(value));
    } else if (item.name == "key") {
      fillIfEmpty(settings.key_file, path(value));
    } else if (item.name == "certs") {
      fillIfEmpty(settings.certs_dir, path(value));
    } else {
      return Status(ErrorCode::invalid_argument, "config file '" + config_file +
                                                     "': unknown key '" + item.name +
                                                     "' (known: host, ca, cert, key, certs)");
    }
  }
  return Status::success();
}

void fillFromPkiDir(const std::string& dir, ConnectionSettings& settings) {
  const auto files = rivet::client::devPkiFiles(dir);
  fillIfEmpty(settings.ca_file, files.ca_cert);
  fillIfEmpty(settings.cert_file, files.client_cert);
  fillIfEmpty(settings.key_file, files.client_key);
}

}  // namespace

void ConnectionOptions::addTo(CLI::App& app) {
  const std::string group = "Connection";
  app.add_option("--host", host_,
                 "rivetd as HOST:PORT, [IPv6]:PORT or https://HOST:PORT "
                 "(default " +
                     std::string(kDefaultHost) + ")")
      ->envname("RIVET_HOST")
      ->group(group);
  app.add_option("--ca", ca_file_, "CA certificate that signed the server's (PEM)")
      ->envname("RIVET_CA")
      ->group(group);
  app.add_option("--cert", cert_file_, "client certificate (PEM)")
      ->envname("RIVET_CERT")
      ->group(group);
  app.add_option("--key", key_file_, "client private key (PEM)")
      ->envname("RIVET_KEY")
      ->group(group);
  app.add_option("--certs", certs_dir_,
                 "directory with ca.pem, client.pem and client.key, as `rivet certs init` writes")
      ->envname("RIVET_CERTS")
      ->group(group);
  app.add_option("--config", config_file_,
                 "INI file with host, ca, cert, key and/or certs (paths relative to the file)")
      ->envname("RIVET_CONFIG")
      ->check(CLI::ExistingFile)
      ->group(group);
}

rivet::sdk::StatusOr<rivet::client::Client> ConnectionOptions::makeClient() const {
  ConnectionSettings settings;
  if (Status status = resolve(settings); !status.ok()) return status;
  fillIfEmpty(settings.host, kDefaultHost);
  auto endpoint = rivet::client::parseEndpoint(settings.host);
  if (!endpoint.ok()) return endpoint.status();
  return rivet::client::Client(
      std::move(*endpoint),
      rivet::client::TlsFiles{settings.ca_file, settings.cert_file, settings.key_file});
}

rivet::sdk::StatusOr<rivet::client::TlsFiles> ConnectionOptions::tlsFiles() const {
  ConnectionSettings settings;
  if (Status status = resolve(settings); !status.ok()) return status;
  return rivet::client::TlsFiles{settings.ca_file, settings.cert_file, settings.key_file};
}

rivet::sdk::StatusOr<rivet::client::TlsFiles> ConnectionOptions::givenTlsFiles() const {
  ConnectionSettings settings;
  if (Status status = gather(settings); !status.ok()) return status;
  return rivet::client::TlsFiles{settings.ca_file, settings.cert_file, settings.key_file};
}

Status ConnectionOptions::gather(ConnectionSettings& settings) const {
  settings = ConnectionSettings{host_, ca_file_, cert_file_, key_file_, certs_dir_};
  if (!config_file_.empty()) {
    if (Status status = fillFromConfigFile(config_file_, settings); !status.ok()) return status;
  }
  if (!settings.certs_dir.empty()) fillFromPkiDir(settings.certs_dir, settings);
  return Status::success();
}

Status ConnectionOptions::resolve(ConnectionSettings& settings) const {
  if (Status status = gather(settings); !status.ok()) return status;
  const bool nothing_given =
      settings.ca_file.empty() && settings.cert_file.empty() && settings.key_file.empty();
  std::error_code error;
  if (nothing_given && fs::is_directory(kLocalDaemonPkiDir, error)) {
    fillFromPkiDir(kLocalDaemonPkiDir, settings);
  }

  std::string missing;
  for (const auto& [value, flag] :
       {std::pair{&settings.ca_file, "--ca"}, std::pair{&settings.cert_file, "--cert"},
        std::pair{&settings.key_file, "--key"}}) {
    if (value->empty()) missing += std::string(missing.empty() ? "" : ", ") + flag;
  }
  if (!missing.empty()) {
    return Status(ErrorCode::invalid_argument,
                  "no client certificate configured (missing " + missing +
                      "). Give --certs DIR (ca.pem, client.pem and client.key, as `rivet certs "
                      "init DIR` writes them) or --ca, --cert and --key; or set RIVET_CERTS or "
                      "RIVET_CA, RIVET_CERT and RIVET_KEY; or name them in a --config file");
  }
  return Status::success();
}

int withClient(const ConnectionOptions& options,
               const std::function<int(rivet::client::Client&)>& command) {
  auto client = options.makeClient();
  if (!client.ok()) return reportFailure(client.status());
  return command(*client);
}

}  // namespace rivet::cli
