// Asio with C++20 on Boost 1.74 needs <utility> before its headers (std::exchange).
#include <utility>

#include "agent_bench_webhook.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <optional>

namespace rivet::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

WebhookPeer::WebhookPeer(Bench& bench) : dir_("rivet-bench-webhook"), server_(*bench.watchdog) {
  if (!std::filesystem::exists(kBinary)) {
    error_ = "webhook not installed (apt-get install webhook)";
    return;
  }
  dir_.write("hooks.json",
             R"([{"id": "true", "execute-command": "/bin/true",)"
             R"( "include-command-output-in-response": true}])"
             "\n");
  if (!server_.spawn({kBinary, "-hooks", dir_.child("hooks.json"), "-ip", "127.0.0.1", "-port",
                      std::to_string(server_.port())},
                     dir_.child("webhook.out"), dir_.child("webhook.log"))) {
    error_ = "cannot spawn webhook";
    return;
  }
  if (!server_.awaitListening())
    error_ = "webhook did not listen: " + rivet::test::readFile(dir_.path() / "webhook.log");
}

struct WebhookClient::State {
  std::uint16_t port;
  asio::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
};

WebhookClient::WebhookClient(std::uint16_t port) : state_(std::make_unique<State>()) {
  state_->port = port;
}

WebhookClient::~WebhookClient() = default;

double WebhookClient::once() {
  auto& s = *state_;
  const auto start = Clock::now();
  // A dropped keep-alive connection is opened again, once.
  for (int attempt = 0; attempt < 2; ++attempt) {
    beast::error_code error;
    if (!s.stream) {
      s.stream.emplace(s.io);
      s.buffer.clear();
      s.stream->socket().connect({asio::ip::make_address("127.0.0.1"), s.port}, error);
      if (error) {
        s.stream.reset();
        continue;
      }
      s.stream->socket().set_option(tcp::no_delay(true));
    }
    http::request<http::empty_body> request{http::verb::post, "/hooks/true", 11};
    request.set(http::field::host, "127.0.0.1");
    request.keep_alive(true);
    http::write(*s.stream, request, error);
    http::response<http::string_body> response;
    if (!error) http::read(*s.stream, s.buffer, response, error);
    if (error) {
      s.stream.reset();
      continue;
    }
    if (!response.keep_alive()) s.stream.reset();
    return response.result_int() == 200 ? msSince(start) : -1;
  }
  return -1;
}

}  // namespace rivet::bench
