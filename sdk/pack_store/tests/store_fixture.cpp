#include "store_fixture.hpp"

#include "rivet/pack_artifact/artifact_builder.hpp"

namespace rivet::pack_store::test {

namespace fs = std::filesystem;

std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> files;
  std::error_code error;
  for (fs::recursive_directory_iterator entry(root, error), end; !error && entry != end;
       entry.increment(error)) {
    if (entry->is_regular_file()) {
      files[fs::relative(entry->path(), root).string()] = rivet::test::readFile(entry->path());
    }
  }
  return files;
}

fs::path PackStoreTest::buildPack(const std::string& version, const std::string& greeting,
                                  const std::string& name) {
  const std::string dir = "build-" + std::to_string(++builds_);
  temp_.write(dir + "/pack/pack.yaml", "name: " + name + "\nversion: " + version + "\n");
  temp_.write(dir + "/pack/actions/hello.yaml", "name: hello\nrunner_type: local-shell-script\n");
  temp_.write(dir + "/pack/actions/hello.sh", "#!/bin/sh\necho " + greeting + "\n");
  auto built = rivet::pack_artifact::buildArtifact(temp_.path() / dir / "pack", key_.private_key,
                                                   temp_.path() / dir / "out");
  EXPECT_TRUE(built.ok()) << built.status().message();
  return built.ok() ? built->manifest_file : fs::path();
}

}  // namespace rivet::pack_store::test
