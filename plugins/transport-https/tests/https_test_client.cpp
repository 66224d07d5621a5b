#include "https_test_client.hpp"

#include <array>
#include <boost/asio/write.hpp>

namespace rivet::plugins::transport_https::test {

namespace http = boost::beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;

Request makeRequest(http::verb method, std::string target, std::string body) {
  Request request{method, target, 11};
  request.set(http::field::host, "localhost");
  request.set(http::field::user_agent, "transport-https-test");
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

namespace {

ssl::context clientTls(const std::string& ca_file, const std::string& cert_file,
                       const std::string& key_file) {
  ssl::context tls(ssl::context::tls_client);
  tls.load_verify_file(ca_file);
  tls.set_verify_mode(ssl::verify_peer);
  if (!cert_file.empty()) {
    tls.use_certificate_chain_file(cert_file);
    tls.use_private_key_file(key_file, ssl::context::pem);
  }
  return tls;
}

}  // namespace

HttpsTestClient::HttpsTestClient(std::uint16_t port, const std::string& ca_file,
                                 const std::string& cert_file, const std::string& key_file)
    : tls_(clientTls(ca_file, cert_file, key_file)), stream_(io_context_, tls_), port_(port) {
  stream_.set_verify_callback(ssl::host_name_verification("localhost"));
}

boost::system::error_code HttpsTestClient::connect() {
  boost::system::error_code error;
  stream_.next_layer().connect({net::ip::make_address("127.0.0.1"), port_}, error);
  if (!error) stream_.handshake(ssl::stream_base::client, error);
  return error;
}

boost::system::error_code HttpsTestClient::exchange(Request request, Response& response) {
  boost::system::error_code error;
  http::write(stream_, request, error);
  if (error) return error;
  return readResponse(response);
}

boost::system::error_code HttpsTestClient::writeRaw(std::string_view bytes) {
  boost::system::error_code error;
  net::write(stream_, net::buffer(bytes.data(), bytes.size()), error);
  return error;
}

boost::system::error_code HttpsTestClient::readResponse(Response& response) {
  boost::system::error_code error;
  response = {};
  http::read(stream_, buffer_, response, error);
  return error;
}

boost::system::error_code HttpsTestClient::readHeader(ResponseParser& parser) {
  boost::system::error_code error;
  http::read_header(stream_, buffer_, parser, error);
  return error;
}

boost::system::error_code HttpsTestClient::readBodyUntil(ResponseParser& parser,
                                                         const std::function<bool()>& done,
                                                         Deadline deadline) {
  while (!done() && !parser.is_done()) {
    boost::system::error_code result = net::error::would_block;
    http::async_read_some(
        stream_, buffer_, parser,
        [&result](boost::system::error_code error, std::size_t) { result = error; });
    io_context_.restart();
    io_context_.run_until(deadline);
    if (result == net::error::would_block) {
      stream_.next_layer().cancel();
      io_context_.run();
      return net::error::timed_out;
    }
    if (result) return result;
  }
  return {};
}

boost::system::error_code HttpsTestClient::readUntilClosed() {
  std::array<char, 256> scratch{};
  boost::system::error_code error;
  stream_.read_some(net::buffer(scratch), error);
  return error;
}

}  // namespace rivet::plugins::transport_https::test
