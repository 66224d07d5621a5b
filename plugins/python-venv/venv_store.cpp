#include "venv_store.hpp"

#include <cstdio>
#include <random>

namespace rivet::plugins::python_venv {
namespace {

namespace fs = std::filesystem;
using sdk::ErrorCode;
using sdk::Status;

Status ioError(const std::string& what, const std::error_code& ec) {
  return {ErrorCode::internal, what + ": " + ec.message()};
}

}  // namespace

std::string randomSuffix() {
  static thread_local std::mt19937_64 generator{std::random_device{}()};
  char text[9];
  std::snprintf(text, sizeof text, "%08x", static_cast<unsigned>(generator() & 0xffffffffU));
  return text;
}

PackVenvs::PackVenvs(const fs::path& venv_root, const std::string& pack_ref)
    : directory_(venv_root / pack_ref) {}

bool PackVenvs::isComplete(const std::string& key) const {
  std::error_code ec;
  return fs::is_regular_file(venvDir(key) / kCompleteMarker, ec);
}

sdk::StatusOr<fs::path> PackVenvs::startBuild(const std::string& key) const {
  std::error_code ec;
  fs::create_directories(directory_, ec);
  if (ec) return ioError("cannot create " + directory_.string(), ec);
  if (fs::exists(venvDir(key), ec) && !isComplete(key)) {
    fs::remove_all(venvDir(key), ec);
    if (ec) return ioError("cannot remove the incomplete " + venvDir(key).string(), ec);
  }
  const fs::path build_dir = directory_ / (key + ".building-" + randomSuffix());
  if (!fs::create_directory(build_dir, ec)) {
    return ioError("cannot create " + build_dir.string(), ec);
  }
  return build_dir;
}

Status PackVenvs::publish(const fs::path& build_dir, const std::string& key) const {
  std::error_code ec;
  fs::rename(build_dir, venvDir(key), ec);
  if (!ec) return Status::success();
  if (isComplete(key)) {
    fs::remove_all(build_dir, ec);
    return Status::success();
  }
  return ioError("cannot rename " + build_dir.string() + " to " + venvDir(key).string(), ec);
}

Status PackVenvs::switchCurrent(const std::string& key) const {
  if (currentKey() == key) return Status::success();
  const fs::path link = directory_ / kCurrentLink;
  const fs::path temporary = directory_ / (std::string(kCurrentLink) + ".new-" + randomSuffix());
  std::error_code ec;
  fs::create_directory_symlink(key, temporary, ec);  // relative: the tree may be moved whole
  if (ec) return ioError("cannot create " + temporary.string(), ec);
  fs::rename(temporary, link, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    return ioError("cannot replace " + link.string(), ec);
  }
  return Status::success();
}

std::string PackVenvs::currentKey() const {
  std::error_code ec;
  const fs::path target = fs::read_symlink(directory_ / kCurrentLink, ec);
  return ec ? std::string() : target.filename().string();
}

std::vector<fs::path> PackVenvs::removeUnused(const std::function<bool(const fs::path&)>& in_use,
                                              std::vector<fs::path>& kept) const {
  std::vector<fs::path> removed;
  const std::string current = currentKey();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(directory_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == kCurrentLink || (!current.empty() && name == current)) continue;
    if (in_use(entry.path())) {
      kept.push_back(entry.path());
      continue;
    }
    std::error_code remove_error;
    fs::remove_all(entry.path(), remove_error);
    if (!remove_error) removed.push_back(entry.path());
  }
  return removed;
}

}  // namespace rivet::plugins::python_venv
