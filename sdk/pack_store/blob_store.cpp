#include "rivet/pack_store/blob_store.hpp"

#include "blob_backends.hpp"

namespace rivet::pack_store {
namespace detail {

sdk::Status checkObjectPath(const std::string& path, bool allow_root) {
  const auto invalid = [&path](const std::string& why) {
    return sdk::Status(sdk::ErrorCode::invalid_argument,
                       "invalid store path '" + path + "': " + why);
  };
  if (path.empty()) return allow_root ? sdk::Status::success() : invalid("empty");
  if (path.front() == '/') return invalid("must be relative");
  for (const char c : path) {
    if (c == '\\') return invalid("no backslash allowed");
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return invalid("no control character allowed");
    }
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t end = path.find('/', start);
    const std::string segment =
        path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (segment.empty()) return invalid("empty segment");
    if (segment == "." || segment == "..") return invalid("no '.' or '..' segment allowed");
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return sdk::Status::success();
}

}  // namespace detail

sdk::StatusOr<std::unique_ptr<BlobStore>> openBlobStore(const std::string& url, const StoreTls& tls,
                                                        const StoreTimeouts& timeouts) {
  constexpr std::string_view kFile = "file://";
  constexpr std::string_view kHttps = "https://";
  if (url.starts_with(kFile)) {
    std::string root = url.substr(kFile.size());
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    if (root.empty() || root.front() != '/') {
      return sdk::Status(
          sdk::ErrorCode::invalid_argument,
          "invalid store URL '" + url +
              "': a file:// URL needs an absolute path, e.g. file:///srv/rivet-packs");
    }
    return detail::makeFileBlobStore(url, std::filesystem::path(root).lexically_normal());
  }
  if (url.starts_with(kHttps)) return detail::makeHttpsBlobStore(url, tls, timeouts);
  return sdk::Status(
      sdk::ErrorCode::invalid_argument,
      "invalid store URL '" + url + "': expected file:///PATH or https://HOST[:PORT][/PREFIX]");
}

}  // namespace rivet::pack_store
