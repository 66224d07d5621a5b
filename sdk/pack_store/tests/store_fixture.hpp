// What the pack store tests share: real signed artifacts of a pack "demo" (built as `rivet pack
// build` builds them), and a snapshot of a directory tree to show that nothing was written.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "pack_fixture.hpp"
#include "rivet/pack_store/pack_store.hpp"

namespace rivet::pack_store::test {

// Every regular file under `root`, by path relative to it, with its content.
std::map<std::string, std::string> snapshot(const std::filesystem::path& root);

class PackStoreTest : public rivet::pack_artifact::test::PackArtifactTest {
 protected:
  // Builds pack `name` at `version` whose script prints `greeting` (another greeting, another
  // digest) into a directory of its own; returns the manifest file.
  std::filesystem::path buildPack(const std::string& version, const std::string& greeting = "hello",
                                  const std::string& name = "demo");

  // Unwraps a StatusOr in a test, failing it with the status message when there is no value.
  template <typename T>
  static T valueOf(sdk::StatusOr<T> result) {
    if (!result.ok()) {
      ADD_FAILURE() << result.status().message();
      return T{};
    }
    return std::move(result).value();
  }

 private:
  int builds_ = 0;
};

}  // namespace rivet::pack_store::test
