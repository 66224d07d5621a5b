// Shared pieces of the integration tests: a suite fixture sharing one rivetd, a client for a
// RivetdProcess, and waiting for an execution to end.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "rivet/client/client.hpp"
#include "rivet/client/dev_pki.hpp"
#include "rivet/test/rivetd_process.hpp"

namespace rivet::test {

// Processes whose environment names this execution: the action and everything it started,
// however it detached itself (the environment is inherited).
inline std::vector<pid_t> processesOf(const std::string& execution_id) {
  const std::string marker = "RIVET_EXECUTION_ID=" + execution_id;
  std::vector<pid_t> found;
  std::error_code ec;
  for (std::filesystem::directory_iterator entry("/proc", ec), end; !ec && entry != end;
       entry.increment(ec)) {
    const auto name = entry->path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    // The process may exit while it is read: readFile does not throw then.
    if (readFile(entry->path() / "environ").find(marker + '\0') != std::string::npos) {
      found.push_back(std::stoi(name));
    }
  }
  return found;
}

// Writes a file of a test pack, making its directories.
inline void writeFile(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

inline client::Client clientFor(const RivetdProcess& rivetd, const std::string& pki_dir = "") {
  const auto files = client::devPkiFiles(pki_dir.empty() ? rivetd.pkiDir().string() : pki_dir);
  return client::Client(client::Endpoint{"127.0.0.1", rivetd.port()},
                        client::TlsFiles{files.ca_cert, files.client_cert, files.client_key});
}

// A test suite sharing one rivetd, started before its first test and stopped after its last.
// `Suite` is the derived fixture (so each suite gets its own rivetd); it may declare a public
// `static std::vector<std::string> rivetdDefines()` for extra -D settings.
template <class Suite>
class SharedRivetdTest : public ::testing::Test {
 protected:
  static std::vector<std::string> rivetdDefines() { return {}; }
  static void SetUpTestSuite() {
    rivetd_ = new RivetdProcess(Suite::rivetdDefines());
    ASSERT_TRUE(rivetd_->start()) << rivetd_->log();
  }
  static void TearDownTestSuite() {
    delete rivetd_;
    rivetd_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(rivetd_, nullptr); }

  static inline RivetdProcess* rivetd_ = nullptr;
};

// Runs `ref` and waits (bounded) for its end; fails the test if it does not end.
inline nlohmann::json runToEnd(client::Client& client, const std::string& ref,
                               const nlohmann::json& parameters = nlohmann::json::object()) {
  auto started = client.run(ref, parameters);
  EXPECT_TRUE(started.ok()) << started.status().message();
  if (!started.ok()) return {};
  auto ended = client.waitForEnd((*started)["id"].get<std::string>(),
                                 std::chrono::steady_clock::now() + std::chrono::seconds(30),
                                 std::chrono::milliseconds(10));
  EXPECT_TRUE(ended.ok()) << ended.status().message();
  if (!ended.ok()) return {};
  EXPECT_TRUE(client::isTerminalStatus((*ended)["status"].get<std::string>())) << ended->dump();
  return *ended;
}

inline std::string readAll(client::Client& client, const std::string& id,
                           const std::string& stream = "stdout") {
  std::string text;
  std::uint64_t offset = 0;
  for (int i = 0; i < 1000; ++i) {
    auto chunk = client.output(id, stream, offset);
    EXPECT_TRUE(chunk.ok()) << chunk.status().message();
    if (!chunk.ok()) break;
    text += chunk->bytes;
    offset = chunk->next_offset;
    if (chunk->complete || chunk->bytes.empty()) break;
  }
  return text;
}

}  // namespace rivet::test
