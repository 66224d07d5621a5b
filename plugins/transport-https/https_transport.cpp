#include "https_transport.hpp"

#include <boost/asio/ip/address.hpp>
#include <exception>

#include "server_tls.hpp"

namespace rivet::plugins::transport_https {

using sdk::ErrorCode;
using sdk::Status;

HttpsTransport::~HttpsTransport() { stop(); }

Status HttpsTransport::configure(const sdk::PluginContext& context) {
  try {
    std::lock_guard lock(lifecycle_mutex_);
    if (server_) return Status(ErrorCode::conflict, "transport-https: configure() while serving");
    auto config = parseTransportConfig(context.config);
    if (!config.ok()) return config.status();
    auto files = resolveServerPki(*config, context.data_dir, *context.logger);
    if (!files.ok()) return files.status();
    auto tls = makeServerTlsContext(*files);
    if (!tls.ok()) return tls.status();
    logger_ = context.logger;
    config_ = std::move(*config);
    tls_ = std::move(*tls);
    return {};
  } catch (const std::exception& error) {
    return Status(ErrorCode::internal, std::string("transport-https: configure: ") + error.what());
  }
}

Status HttpsTransport::start(sdk::RequestHandler& handler) {
  try {
    std::lock_guard lock(lifecycle_mutex_);
    if (!config_) {
      return Status(ErrorCode::unavailable, "transport-https: start() before configure()");
    }
    if (server_) return Status(ErrorCode::conflict, "transport-https: already serving");
    const SessionLimits limits{config_->max_body_bytes, config_->max_header_bytes,
                               config_->idle_timeout, config_->handshake_timeout};
    auto server = std::make_unique<HttpsServer>(*tls_, handler, *logger_, limits,
                                                config_->max_connections, config_->threads);
    const boost::asio::ip::tcp::endpoint endpoint(
        boost::asio::ip::make_address(config_->listen_address), config_->port);
    if (Status status = server->start(endpoint); !status.ok()) return status;
    const std::string url = "https://" + endpointText(server->localEndpoint());
    server_ = std::move(server);
    {
      std::lock_guard endpoints_lock(endpoints_mutex_);
      endpoints_ = {url};
    }
    logger_->log(sdk::LogLevel::info, "transport-https: listening on " + url);
    return {};
  } catch (const std::exception& error) {
    return Status(ErrorCode::internal, std::string("transport-https: start: ") + error.what());
  }
}

std::vector<std::string> HttpsTransport::endpoints() const {
  std::lock_guard lock(endpoints_mutex_);
  return endpoints_;
}

void HttpsTransport::stop() noexcept {
  std::lock_guard lock(lifecycle_mutex_);
  {
    std::lock_guard endpoints_lock(endpoints_mutex_);
    endpoints_.clear();
  }
  server_.reset();
}

}  // namespace rivet::plugins::transport_https

RIVET_PLUGIN(rivet::plugins::transport_https::HttpsTransport, rivet::sdk::PluginKind::transport,
             "transport-https", "0.1.0", rivet::plugins::transport_https::kConfigKeys)
