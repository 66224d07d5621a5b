// Where pack artifacts are kept between the team that publishes them and the agents that run
// them: a plain tree of files that any static file server or bucket can hold. Bytes move
// through a BlobStore: a local directory (file://) or an HTTPS server that answers GET and
// accepts PUT (nginx with WebDAV PUT, say), with mutual TLS when certificates are given.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rivet/sdk/status.hpp"

namespace rivet::pack_store {

// TLS for an https:// store. ca_file verifies the server (empty: the system's CAs); cert_file
// and key_file, when set, are this side's client certificate (the publisher's identity for a
// server that checks it).
struct StoreTls {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};

struct StoreTimeouts {
  std::chrono::milliseconds connect{10'000};
  std::chrono::milliseconds request{60'000};  // one whole request, body included
};

struct StoredObject {
  std::string bytes;
  std::string etag;  // the server's ETag (file://: derived from size and mtime); "" if none
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // The store's URL, as given to openBlobStore.
  virtual const std::string& url() const = 0;

  // Reads `path` (relative, '/'-separated, no "..": invalid_argument otherwise). not_found when
  // there is no such object. With `if_none_match` equal to the object's current ETag, returns
  // nullopt: it has not changed (a conditional GET, so agents polling an index cost a 304).
  virtual sdk::StatusOr<std::optional<StoredObject>> get(
      const std::string& path, const std::string& if_none_match = "") = 0;

  // Writes `path` whole, creating parent directories; a reader sees the old bytes or the new,
  // never part (file://: temporary file and rename).
  virtual sdk::Status put(const std::string& path, std::string_view bytes) = 0;

  // The names of the objects directly under directory `path` (file names only, sorted); an
  // absent directory lists as empty. https://: reads nginx's `autoindex_format json` listing.
  virtual sdk::StatusOr<std::vector<std::string>> list(const std::string& path) = 0;
};

// "file:///srv/rivet-packs" or "https://host[:port][/prefix]". invalid_argument for any other
// scheme or a malformed URL; for https, nothing is connected until the first request.
sdk::StatusOr<std::unique_ptr<BlobStore>> openBlobStore(const std::string& url,
                                                        const StoreTls& tls = {},
                                                        const StoreTimeouts& timeouts = {});

}  // namespace rivet::pack_store
