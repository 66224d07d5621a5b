// The transport-https plugin: the REST API served over HTTPS with mutual TLS. The plugin
// object owns the configuration and the TLS context; HttpsServer does the serving.
#pragma once

// clang-format off: must stay first
#include <utility>  // before Asio: Boost 1.74 + GCC 12 need std::exchange declared first
// clang-format on

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "https_server.hpp"
#include "rivet/sdk/transport.hpp"
#include "transport_config.hpp"

namespace rivet::plugins::transport_https {

class HttpsTransport final : public sdk::Transport {
 public:
  HttpsTransport() = default;
  ~HttpsTransport() override;
  HttpsTransport(const HttpsTransport&) = delete;
  HttpsTransport& operator=(const HttpsTransport&) = delete;

  sdk::Status configure(const sdk::PluginContext& context) override;
  sdk::Status start(sdk::RequestHandler& handler) override;
  std::vector<std::string> endpoints() const override;
  void stop() noexcept override;

 private:
  // Serialises configure, start and stop. endpoints() takes only endpoints_mutex_, so a request
  // handler may call it while stop() waits for that handler to return.
  std::mutex lifecycle_mutex_;
  sdk::Logger* logger_ = nullptr;
  std::optional<TransportConfig> config_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::unique_ptr<HttpsServer> server_;  // set while serving; destroyed before tls_
  mutable std::mutex endpoints_mutex_;
  std::vector<std::string> endpoints_;
};

}  // namespace rivet::plugins::transport_https
