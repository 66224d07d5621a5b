// A pack directory rivetd made itself (a version pack sync installed, a pack sent in dev
// mode). Catalogs that list the pack and executions started from it share one of these
// (PackEntry::directory_hold); once it is retired, the last of them to let go removes the
// directory, so nothing running loses its files. When rivetd stops with executions still
// running from it, it hands the directory over to the next rivetd instead (Executor::stop()).
#pragma once

#include <atomic>
#include <filesystem>
#include <system_error>

namespace rivet::core {

class OwnedPackDirectory {
 public:
  explicit OwnedPackDirectory(std::filesystem::path path) : path_(std::move(path)) {}
  OwnedPackDirectory(const OwnedPackDirectory&) = delete;
  OwnedPackDirectory& operator=(const OwnedPackDirectory&) = delete;
  ~OwnedPackDirectory() {
    if (!retired_ || handed_over_) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  // From now on, the directory goes with the last holder.
  void retire() { retired_ = true; }
  // From now on, the directory stays: an execution of this rivetd runs on past its stop.
  void handOver() const { handed_over_ = true; }
  const std::filesystem::path& path() const { return path_; }

 private:
  const std::filesystem::path path_;
  std::atomic<bool> retired_{false};
  mutable std::atomic<bool> handed_over_{false};
};

}  // namespace rivet::core
