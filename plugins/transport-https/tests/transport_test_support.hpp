// What the transport tests need around the plugin: loading it as rivetd does, a scratch
// directory, a logger that remembers, and a request handler that echoes.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/transport.hpp"
#include "rivet/test/plugin_handle.hpp"
#include "rivet/test/recording_logger.hpp"
#include "rivet/test/temp_dir.hpp"

namespace rivet::plugins::transport_https::test {

namespace fs = std::filesystem;
using sdk::HttpRequest;
using sdk::HttpResponse;

using rivet::test::readFile;
using rivet::test::RecordingLogger;
using rivet::test::TempDir;

// Loaded once for the whole binary, as rivetd loads it once.
inline const rivet::test::PluginHandle& plugin() {
  static const rivet::test::PluginHandle handle(RIVET_PLUGIN_DIR "/transport-https.so");
  return handle;
}

// A new transport from the plugin's factory; it keeps the library loaded until it is deleted.
inline std::shared_ptr<sdk::Transport> newTransport() { return plugin().create<sdk::Transport>(); }

// Checks `condition` until it holds or `timeout` has passed; returns whether it held.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

inline HttpResponse jsonResponse(int http_status, const nlohmann::json& body) {
  HttpResponse response;
  response.status = http_status;
  response.headers = {{"Content-Type", "application/json"}};
  response.body = body.dump();
  return response;
}

// Answers every request with what it saw, as JSON; rejects in the API's error shape.
class EchoHandler : public sdk::RequestHandler {
 public:
  HttpResponse handle(const HttpRequest& request) noexcept override {
    ++calls_;
    nlohmann::json echo{{"method", request.method},
                        {"target", request.target},
                        {"body", request.body},
                        {"subject", request.peer.subject},
                        {"sans", request.peer.sans},
                        {"remote_address", request.remote_address},
                        {"user_agent", request.header("USER-AGENT")}};
    return jsonResponse(200, echo);
  }
  HttpResponse reject(int http_status, std::string_view code,
                      std::string_view message) noexcept override {
    return jsonResponse(http_status, {{"error", {{"code", code}, {"message", message}}}});
  }
  int calls() const { return calls_.load(); }

 private:
  std::atomic<int> calls_{0};
};

// A new transport configured with `config` (on an ephemeral port unless it says otherwise) and
// the PKI under `data_dir`, started with `handler`; null, after a failed expectation, when a
// step fails.
inline std::shared_ptr<sdk::Transport> startTransport(sdk::RequestHandler& handler,
                                                      sdk::Logger& logger,
                                                      const std::string& data_dir,
                                                      std::map<std::string, std::string> config) {
  auto transport = newTransport();
  EXPECT_TRUE(transport);
  if (!transport) return nullptr;
  config.emplace("port", "0");
  const auto configured = transport->configure({data_dir, std::move(config), &logger});
  EXPECT_TRUE(configured.ok()) << configured.message();
  if (!configured.ok()) return nullptr;
  const auto started = transport->start(handler);
  EXPECT_TRUE(started.ok()) << started.message();
  if (!started.ok()) return nullptr;
  return transport;
}

inline std::uint16_t portOf(const std::string& endpoint) {
  return static_cast<std::uint16_t>(std::stoi(endpoint.substr(endpoint.rfind(':') + 1)));
}

}  // namespace rivet::plugins::transport_https::test
