#include "server_tls.hpp"

#include <openssl/ssl.h>

#include <filesystem>
#include <vector>

#include "rivet/client/dev_pki.hpp"

namespace rivet::plugins::transport_https {
namespace {

namespace fs = std::filesystem;
namespace ssl = boost::asio::ssl;
using sdk::ErrorCode;
using sdk::Status;

Status fileError(const char* key, const std::string& path, const boost::system::error_code& error) {
  return Status(ErrorCode::invalid_argument,
                "transport-https: " + std::string(key) + " " + path + ": " + error.message());
}

}  // namespace

sdk::StatusOr<ServerPkiFiles> resolveServerPki(const TransportConfig& config,
                                               const std::string& data_dir, sdk::Logger& logger) {
  const std::string pki_dir = (fs::path(data_dir) / "pki").string();
  const client::DevPkiFiles defaults = client::devPkiFiles(pki_dir);
  auto resolve = [&data_dir](const std::string& configured, const std::string& fallback) {
    return configured.empty() ? fallback : (fs::path(data_dir) / configured).string();
  };
  const ServerPkiFiles files{resolve(config.ca_file, defaults.ca_cert),
                             resolve(config.cert_file, defaults.server_cert),
                             resolve(config.key_file, defaults.server_key)};

  std::vector<std::string> missing;
  for (const auto& [key, path] :
       {std::pair{"ca_file", &files.ca_file}, std::pair{"cert_file", &files.cert_file},
        std::pair{"key_file", &files.key_file}}) {
    std::error_code ignored;
    if (!fs::exists(*path, ignored)) missing.push_back(std::string(key) + " " + *path);
  }
  if (missing.empty()) return files;

  const bool all_defaulted =
      config.ca_file.empty() && config.cert_file.empty() && config.key_file.empty();
  const bool none_exists = missing.size() == 3;
  if (all_defaulted && none_exists && config.dev_pki) {
    if (Status status = client::makeDevPki(pki_dir); !status.ok()) {
      return Status(status.code(), "transport-https: cannot create a development PKI in " +
                                       pki_dir + ": " + status.message());
    }
    logger.log(sdk::LogLevel::warning,
               "transport-https: created a development PKI in " + pki_dir +
                   " (CA, server and client certificates). These are development certificates, "
                   "not for production: set ca_file, cert_file and key_file.");
    return files;
  }

  std::string message = "transport-https: missing";
  for (std::size_t i = 0; i < missing.size(); ++i) message += (i == 0 ? " " : ", ") + missing[i];
  if (all_defaulted && none_exists) {
    message += " (dev_pki is off)";
  } else if (all_defaulted) {
    message += " (the other default files exist, so no development PKI is created)";
  }
  return Status(ErrorCode::not_found, message);
}

sdk::StatusOr<std::unique_ptr<ssl::context>> makeServerTlsContext(const ServerPkiFiles& files) {
  auto tls = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = tls->native_handle();
  boost::system::error_code error;
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  tls->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                       ssl::context::single_dh_use,
                   error);
  if (error) return Status(ErrorCode::internal, "transport-https: TLS options: " + error.message());

  tls->use_certificate_chain_file(files.cert_file, error);
  if (error) return fileError("cert_file", files.cert_file, error);
  tls->use_private_key_file(files.key_file, ssl::context::pem, error);
  if (error) return fileError("key_file", files.key_file, error);
  if (SSL_CTX_check_private_key(native) != 1) {
    return Status(ErrorCode::invalid_argument, "transport-https: key_file " + files.key_file +
                                                   " is not the key of cert_file " +
                                                   files.cert_file);
  }
  tls->load_verify_file(files.ca_file, error);
  if (error) return fileError("ca_file", files.ca_file, error);
  // Tells clients which CAs we accept, so one holding several certificates sends the right one.
  if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.ca_file.c_str())) {
    SSL_CTX_set_client_CA_list(native, names);
  }
  tls->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, error);
  if (error) return Status(ErrorCode::internal, "transport-https: verify mode: " + error.message());
  // Without a session id context OpenSSL fails the handshake of a client resuming a session
  // with a server that verifies peers.
  static constexpr unsigned char kSessionContext[] = "rivetd";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  return tls;
}

}  // namespace rivet::plugins::transport_https
