#include "cgroup_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace rivet::plugins::sandbox_cgroup {

bool fileExists(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0;
}

std::optional<std::string> readText(const std::string& path) {
  std::ifstream file(path);
  if (!file) return std::nullopt;
  std::ostringstream content;
  content << file.rdbuf();
  if (file.bad()) return std::nullopt;
  return content.str();
}

int writeText(const std::string& path, std::string_view value) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  const ssize_t written = ::write(fd, value.data(), value.size());
  int error = written < 0 ? errno : 0;
  if (written >= 0 && static_cast<std::size_t>(written) != value.size()) error = EIO;
  if (::close(fd) != 0 && error == 0) error = errno;
  return error;
}

namespace {

std::optional<std::uint64_t> parseNumber(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::uint64_t> readNumber(const std::string& path) {
  const auto text = readText(path);
  if (!text) return std::nullopt;
  std::istringstream in(*text);
  std::string token;
  if (!(in >> token)) return std::nullopt;
  return parseNumber(token);
}

std::optional<std::uint64_t> readKeyedNumber(const std::string& path, std::string_view key) {
  const auto text = readText(path);
  if (!text) return std::nullopt;
  std::istringstream in(*text);
  std::string name;
  std::string value;
  while (in >> name >> value) {
    if (name == key) return parseNumber(value);
  }
  return std::nullopt;
}

std::vector<pid_t> readPids(const std::string& path) {
  std::vector<pid_t> pids;
  std::ifstream file(path);
  pid_t pid = 0;
  while (file >> pid) pids.push_back(pid);
  return pids;
}

int removeCgroupDirectory(const std::string& dir, std::chrono::milliseconds patience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  for (;;) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return 0;
    const int error = errno;
    if (error != EBUSY || std::chrono::steady_clock::now() >= deadline) return error;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string describeError(const std::string& path, int error) {
  return path + ": " + std::strerror(error);
}

}  // namespace rivet::plugins::sandbox_cgroup
