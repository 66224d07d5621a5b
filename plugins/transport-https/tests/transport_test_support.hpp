// What the transport tests need around the plugin: loading it as rivetd does, a scratch
// directory, a logger that remembers, and a request handler that echoes.
#pragma once

// clang-format off: must stay first
#include <vector>  // before Boost.DLL: its 1.74 headers use std::vector without including it
// clang-format on

#include <atomic>
#include <boost/dll/shared_library.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/transport.hpp"

namespace rivet::plugins::transport_https::test {

namespace fs = std::filesystem;
using sdk::HttpRequest;
using sdk::HttpResponse;

inline boost::dll::shared_library& pluginLibrary() {
  static boost::dll::shared_library library(RIVET_PLUGIN_DIR "/transport-https.so",
                                            boost::dll::load_mode::rtld_now);
  return library;
}

// Objects made by the plugin must go before the library is unloaded; the library is a
// function-local static, destroyed after every test has released its transport.
inline std::unique_ptr<sdk::Transport> newTransport() {
  auto& create = pluginLibrary().get_alias<sdk::PluginFactory>(sdk::kFactoryAlias);
  std::unique_ptr<sdk::Plugin> plugin(create());
  auto* transport = dynamic_cast<sdk::Transport*>(plugin.get());
  if (transport == nullptr) return nullptr;
  plugin.release();
  return std::unique_ptr<sdk::Transport>(transport);
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "rivet-https-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string path(const std::string& child) const { return (fs::path(path_) / child).string(); }

 private:
  std::string path_;
};

class RecordingLogger : public sdk::Logger {
 public:
  void log(sdk::LogLevel level, std::string_view message) override {
    std::lock_guard lock(mutex_);
    lines_.push_back({level, std::string(message)});
  }
  int count(sdk::LogLevel level, const std::string& fragment) {
    std::lock_guard lock(mutex_);
    int found = 0;
    for (const auto& [line_level, text] : lines_) {
      if (line_level == level && text.find(fragment) != std::string::npos) ++found;
    }
    return found;
  }

 private:
  std::mutex mutex_;
  std::vector<std::pair<sdk::LogLevel, std::string>> lines_;
};

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
    return {200, {{"Content-Type", "application/json"}}, echo.dump()};
  }
  HttpResponse reject(int http_status, std::string_view code,
                      std::string_view message) noexcept override {
    nlohmann::json error{{"error", {{"code", code}, {"message", message}}}};
    return {http_status, {{"Content-Type", "application/json"}}, error.dump()};
  }
  int calls() const { return calls_.load(); }

 private:
  std::atomic<int> calls_{0};
};

inline std::string readText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::uint16_t portOf(const std::string& endpoint) {
  return static_cast<std::uint16_t>(std::stoi(endpoint.substr(endpoint.rfind(':') + 1)));
}

}  // namespace rivet::plugins::transport_https::test
