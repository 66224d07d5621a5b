// The two BlobStore implementations behind openBlobStore, and the rule both apply to object
// paths. Internal to rivet_pack_store.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "rivet/pack_store/blob_store.hpp"
#include "rivet/sdk/status.hpp"

namespace rivet::pack_store::detail {

// A store path: relative, '/'-separated segments, none empty, "." or "..", no backslash and no
// control character. An empty path is the store's root, allowed only when `allow_root`
// (listing the root). invalid_argument naming the path otherwise.
sdk::Status checkObjectPath(const std::string& path, bool allow_root = false);

// A store in local directory `root` (absolute); `url` is what openBlobStore was given.
std::unique_ptr<BlobStore> makeFileBlobStore(std::string url, std::filesystem::path root);

// A store at `url` = "https://host[:port][/prefix]", already checked to start with https://.
sdk::StatusOr<std::unique_ptr<BlobStore>> makeHttpsBlobStore(const std::string& url,
                                                             const StoreTls& tls,
                                                             const StoreTimeouts& timeouts);

}  // namespace rivet::pack_store::detail
