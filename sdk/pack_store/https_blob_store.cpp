// https:// stores: GET (conditional, with If-None-Match), PUT and nginx's JSON directory
// listing, over one keep-alive connection of the client library (Beast and OpenSSL), with a
// client certificate when one is given.
#include <time.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "blob_backends.hpp"
#include "https_connection.hpp"

namespace rivet::pack_store::detail {
namespace {

using sdk::ErrorCode;
using sdk::Status;
using sdk::StatusOr;

// A path as it goes into a request target: unreserved characters and '/' as they are, every
// other byte percent-encoded.
std::string encodePath(const std::string& path) {
  std::string encoded;
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      encoded += c;
    } else {
      char escape[4];
      std::snprintf(escape, sizeof escape, "%%%02X", byte);
      encoded += escape;
    }
  }
  return encoded;
}

constexpr const char* kHttpDateFormat = "%a, %d %b %Y %H:%M:%S GMT";

// An HTTP date (RFC 9110 IMF-fixdate) as seconds since the epoch; nullopt if it is not one.
std::optional<time_t> parseHttpDate(const std::string& text) {
  struct tm fields {};
  const char* end = ::strptime(text.c_str(), kHttpDateFormat, &fields);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return ::timegm(&fields);
}

std::string httpDate(time_t seconds) {
  struct tm fields {};
  ::gmtime_r(&seconds, &fields);
  char text[64];
  std::strftime(text, sizeof text, kHttpDateFormat, &fields);
  return text;
}

struct StoreLocation {
  client::Endpoint endpoint;
  std::string prefix;  // "" or "/a/b", encoded, no trailing '/'
};

StatusOr<StoreLocation> parseHttpsUrl(const std::string& url) {
  const auto invalid = [&url](const std::string& why) {
    return Status(ErrorCode::invalid_argument, "invalid store URL '" + url + "': " + why);
  };
  const std::string rest = url.substr(std::string_view("https://").size());
  if (rest.find_first_of("?#") != std::string::npos) return invalid("no query or fragment");
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string prefix = slash == std::string::npos ? "" : rest.substr(slash + 1);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (authority.empty()) return invalid("no host");
  if (Status status = checkObjectPath(prefix, true); !status.ok()) {
    return invalid("bad path prefix: " + status.message());
  }
  // parseEndpoint defaults to rivetd's port; a store is a web server, on 443 unless told.
  const bool has_port = authority.back() != ']' && authority.find(':') != std::string::npos &&
                        (authority.front() != '[' || authority.find("]:") != std::string::npos);
  if (!has_port) authority += ":443";
  auto endpoint = client::parseEndpoint(authority);
  if (!endpoint.ok()) return invalid(endpoint.status().message());
  return StoreLocation{*endpoint, prefix.empty() ? "" : "/" + encodePath(prefix)};
}

class HttpsBlobStore final : public BlobStore {
 public:
  HttpsBlobStore(std::string url, StoreLocation location, const StoreTls& tls,
                 const StoreTimeouts& timeouts)
      : url_(std::move(url)),
        prefix_(std::move(location.prefix)),
        connection_(
            client::makeHttpsConnection(std::move(location.endpoint),
                                        client::TlsFiles{tls.ca_file, tls.cert_file, tls.key_file},
                                        client::Timeouts{timeouts.connect, timeouts.request},
                                        client::ClientCertificate::optional)) {}

  const std::string& url() const override { return url_; }

  StatusOr<std::optional<StoredObject>> get(const std::string& path,
                                            const std::string& if_none_match) override {
    if (Status status = checkObjectPath(path); !status.ok()) return status;
    client::Headers headers;
    if (!if_none_match.empty()) headers.emplace_back("If-None-Match", if_none_match);
    auto response = request("GET", path, "", headers);
    if (!response.ok()) return response.status();
    if (response->status == 304 && !if_none_match.empty()) return std::optional<StoredObject>();
    if (response->status == 404) {
      return Status(ErrorCode::not_found, "no object '" + path + "' in store " + url_);
    }
    if (response->status != 200) return httpError("GET", path, response->status);
    return std::optional<StoredObject>(
        StoredObject{std::move(response->body), std::string(response->header("ETag"))});
  }

  Status put(const std::string& path, std::string_view bytes) override {
    if (Status status = checkObjectPath(path); !status.ok()) return status;
    // nginx derives a file's ETag from its size and its modification time in seconds, and a
    // PUT with a Date header sets that time: a date past the object's current one gives every
    // overwrite a new ETag, even two of the same size within a second, so that no reader
    // polling with If-None-Match misses a change. Servers that ignore Date lose nothing.
    auto current = request("HEAD", path, "", {});
    if (!current.ok()) return current.status();
    time_t date = ::time(nullptr);
    if (current->status == 200) {
      if (const auto modified = parseHttpDate(std::string(current->header("Last-Modified")))) {
        date = std::max(date, *modified + 1);
      }
    }
    auto response =
        request("PUT", path, std::string(bytes),
                {{"Content-Type", "application/octet-stream"}, {"Date", httpDate(date)}});
    if (!response.ok()) return response.status();
    if (response->status / 100 != 2) return httpError("PUT", path, response->status);
    return Status::success();
  }

  StatusOr<std::vector<std::string>> list(const std::string& path) override {
    if (Status status = checkObjectPath(path, true); !status.ok()) return status;
    auto response = request("GET", path.empty() ? "" : path + "/", "", {});
    if (!response.ok()) return response.status();
    std::vector<std::string> names;
    if (response->status == 404) return names;
    if (response->status != 200) return httpError("GET", path + "/", response->status);
    const auto listing = nlohmann::json::parse(response->body, nullptr, false);
    if (!listing.is_array()) {
      return Status(ErrorCode::internal,
                    "GET " + objectUrl(path + "/") +
                        ": not a JSON directory listing (is nginx's autoindex_format json on?)");
    }
    for (const auto& entry : listing) {
      if (!entry.is_object()) continue;
      const auto name = entry.find("name");
      if (entry.value("type", "") == "file" && name != entry.end() && name->is_string()) {
        names.push_back(name->get<std::string>());
      }
    }
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  StatusOr<client::Response> request(std::string_view method, const std::string& path,
                                     const std::string& body, const client::Headers& headers) {
    return connection_->send(method, prefix_ + "/" + encodePath(path), body, headers,
                             std::chrono::milliseconds(0));
  }

  std::string objectUrl(const std::string& path) const {
    return (url_.ends_with('/') ? url_ : url_ + "/") + path;
  }

  Status httpError(const std::string& method, const std::string& path, int status) const {
    std::string message = method + " " + objectUrl(path) + ": HTTP " + std::to_string(status);
    if ((status == 401 || status == 403) && method != "GET") {
      message += " (the store refused the write: it needs a client certificate it trusts)";
    }
    ErrorCode code = ErrorCode::unprocessable;
    if (status == 409 || status == 412) code = ErrorCode::conflict;
    if (status == 413) code = ErrorCode::too_large;
    if (status >= 500)
      code = status == 502 || status == 503 || status == 504 ? ErrorCode::unavailable
                                                             : ErrorCode::internal;
    return Status(code, message);
  }

  std::string url_;
  std::string prefix_;
  std::unique_ptr<client::HttpsConnection> connection_;
};

}  // namespace

StatusOr<std::unique_ptr<BlobStore>> makeHttpsBlobStore(const std::string& url, const StoreTls& tls,
                                                        const StoreTimeouts& timeouts) {
  auto location = parseHttpsUrl(url);
  if (!location.ok()) return location.status();
  return std::unique_ptr<BlobStore>(
      std::make_unique<HttpsBlobStore>(url, std::move(*location), tls, timeouts));
}

}  // namespace rivet::pack_store::detail
