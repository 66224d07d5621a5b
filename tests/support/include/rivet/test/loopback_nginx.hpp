// A real nginx serving a pack store over HTTPS for tests: /usr/sbin/nginx (Debian's
// nginx-light, with the WebDAV module) as a child process in its own temporary directory, on
// a free port of 127.0.0.1, with a development PKI made for it. Anyone may read (GET, HEAD, the
// JSON directory listing, ETags and If-None-Match); a write (PUT) needs a client certificate
// signed by the PKI's CA, otherwise it is answered 403. Stopped and cleaned up by the
// destructor.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "rivet/test/temp_dir.hpp"

namespace rivet::test {

inline constexpr const char* kNginxBinary = "/usr/sbin/nginx";

class LoopbackNginx {
 public:
  LoopbackNginx();
  LoopbackNginx(const LoopbackNginx&) = delete;
  LoopbackNginx& operator=(const LoopbackNginx&) = delete;
  ~LoopbackNginx();

  // Makes the PKI, writes the configuration and starts nginx, on another free port when the
  // one chosen was taken meanwhile; waits until it accepts connections. False, with log()
  // telling why, if it could not be started.
  bool start();
  // SIGTERM, then waits for the exit (SIGKILL if it does not come).
  void stop();

  pid_t pid() const { return pid_; }  // -1 when not running
  std::uint16_t port() const { return port_; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  // What nginx serves: url()/a/b is rootDir()/a/b.
  const std::filesystem::path& rootDir() const { return root_dir_; }
  // The CA that signed the server's certificate (and the writer's).
  std::string caFile() const;
  // A client certificate and key that nginx accepts for writes.
  std::string writerCert() const;
  std::string writerKey() const;
  // nginx's error log and what it wrote to stderr.
  std::string log() const;

 private:
  bool startOnce();

  TempDir dir_;
  std::filesystem::path root_dir_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace rivet::test
