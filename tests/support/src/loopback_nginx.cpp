#include "rivet/test/loopback_nginx.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "rivet/client/dev_pki.hpp"
#include "rivet/test/loopback_port.hpp"
#include "rivet/test/rivetd_process.hpp"

namespace rivet::test {
namespace {

namespace fs = std::filesystem;

constexpr int kStartAttempts = 5;

// One process (master_process off). Relative paths are inside the directory nginx is given as
// its prefix (-p) and that holds this file. Reads are open; a write needs a client certificate
// that verified against the CA ($ssl_client_verify SUCCESS).
constexpr const char* kConfiguration = R"(worker_processes 1;
master_process off;
pid nginx.pid;
error_log error.log notice;
events { worker_connections 64; }
http {
  access_log access.log;
  client_body_temp_path temp/body;
  proxy_temp_path temp/proxy;
  fastcgi_temp_path temp/fastcgi;
  uwsgi_temp_path temp/uwsgi;
  scgi_temp_path temp/scgi;
  map $request_method:$ssl_client_verify $rivet_write_refused {
    default 1;
    "~^(GET|HEAD):" 0;
    "~^PUT:SUCCESS$" 0;
  }
  server {
    listen 127.0.0.1:@PORT@ ssl;
    ssl_certificate pki/server.pem;
    ssl_certificate_key pki/server.key;
    ssl_client_certificate pki/ca.pem;
    ssl_verify_client optional;
    root root;
    client_max_body_size 0;
    location / {
      if ($rivet_write_refused) { return 403; }
      dav_methods PUT;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
      autoindex on;
      autoindex_format json;
      etag on;
    }
  }
}
)";

std::string configuration(std::uint16_t port) {
  std::string text = kConfiguration;
  const std::string placeholder = "@PORT@";
  text.replace(text.find(placeholder), placeholder.size(), std::to_string(port));
  return text;
}

}  // namespace

LoopbackNginx::LoopbackNginx() : dir_("loopback-nginx"), root_dir_(dir_.path() / "root") {}

LoopbackNginx::~LoopbackNginx() { stop(); }

std::string LoopbackNginx::caFile() const {
  return rivet::client::devPkiFiles(dir_.child("pki")).ca_cert;
}
std::string LoopbackNginx::writerCert() const {
  return rivet::client::devPkiFiles(dir_.child("pki")).client_cert;
}
std::string LoopbackNginx::writerKey() const {
  return rivet::client::devPkiFiles(dir_.child("pki")).client_key;
}

std::string LoopbackNginx::log() const {
  return readFile(dir_.path() / "error.log") + readFile(dir_.path() / "nginx.err");
}

bool LoopbackNginx::start() {
  if (pid_ > 0) return true;
  if (!fs::exists(kNginxBinary)) {
    dir_.write("nginx.err", std::string("no ") + kNginxBinary +
                                ": install nginx-light (scripts/install-deps.sh)\n");
    return false;
  }
  const auto pki = rivet::client::makeDevPki(dir_.child("pki"));
  if (!pki.ok()) {
    dir_.write("nginx.err", "cannot make the PKI: " + pki.message() + "\n");
    return false;
  }
  fs::create_directories(root_dir_);
  fs::create_directories(dir_.path() / "temp");
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    if (startOnce()) return true;
    // Only a port taken between freeLoopbackPort() and nginx's bind is worth another try.
    if (log().find("Address already in use") == std::string::npos) return false;
  }
  return false;
}

bool LoopbackNginx::startOnce() {
  port_ = freeLoopbackPort();
  if (port_ == 0) return false;
  const fs::path conf = dir_.write("nginx.conf", configuration(port_));
  const fs::path pid_file = dir_.path() / "nginx.pid";
  std::error_code ignored;
  fs::remove(pid_file, ignored);
  pid_ = spawnProcess({kNginxBinary, "-p", dir_.str(), "-e", dir_.child("error.log"), "-c",
                       conf.string(), "-g", "daemon off;"},
                      dir_.child("nginx.out"), dir_.child("nginx.err"));
  if (pid_ < 0) return false;
  // nginx writes its pid file once it has bound its port; then it must take connections.
  bool exited = false;
  const bool ready = waitUntil([&] {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      exited = true;
      return true;
    }
    return fs::exists(pid_file) && acceptsConnections(port_);
  });
  if (exited) {
    pid_ = -1;
    return false;
  }
  if (!ready) stop();
  return ready;
}

void LoopbackNginx::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const bool ended = waitUntil([&] { return ::waitpid(pid_, nullptr, WNOHANG) == pid_; });
  if (!ended) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
}

}  // namespace rivet::test
