#include "rivet/pack_artifact/artifact_verifier.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "pack_fixture.hpp"
#include "rivet/pack_artifact/artifact_builder.hpp"

namespace rivet::pack_artifact::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ArtifactVerifierTest : public PackArtifactTest {
 protected:
  BuiltArtifact build(const SigningKeyFiles& key) {
    auto built = buildArtifact(writePack(), key.private_key, temp_.path() / "out");
    EXPECT_TRUE(built.ok()) << built.status().message();
    return built.ok() ? *built : BuiltArtifact{};
  }

  // Rewrites one field of the manifest on disk, leaving the signature as it was.
  static void editManifest(const fs::path& manifest_file, const char* key, const json& value) {
    json manifest = json::parse(rivet::test::readFile(manifest_file));
    manifest[key] = value;
    std::ofstream(manifest_file, std::ios::trunc) << manifest.dump(2);
  }

  sdk::Status verify(const fs::path& manifest_file) {
    return verifyArtifact(manifest_file, {key_.public_key}).status();
  }
};

TEST_F(ArtifactVerifierTest, AcceptsAGoodArtifact) {
  const BuiltArtifact built = build(key_);
  auto verified =
      verifyArtifact(built.manifest_file, {makeKey("other").public_key, key_.public_key});
  ASSERT_TRUE(verified.ok()) << verified.status().message();
  EXPECT_EQ(verified->name, "demo");
  EXPECT_EQ(verified->version, "1.0.0");
  EXPECT_EQ(verified->digest, built.manifest.digest);
  EXPECT_EQ(verified->key_id, key_.key_id);
}

TEST_F(ArtifactVerifierTest, RejectsATamperedArchive) {
  const BuiltArtifact built = build(key_);
  std::string bytes = rivet::test::readFile(built.archive_file);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
  std::ofstream(built.archive_file, std::ios::binary | std::ios::trunc) << bytes;

  const sdk::Status status = verify(built.manifest_file);
  EXPECT_EQ(status.code(), sdk::ErrorCode::unprocessable);
  EXPECT_EQ(
      status.message().rfind(
          "digest mismatch: manifest says " + built.manifest.digest + ", archive is sha256:", 0),
      0u)
      << status.message();
}

TEST_F(ArtifactVerifierTest, RejectsATamperedManifest) {
  const BuiltArtifact built = build(key_);
  editManifest(built.manifest_file, "version", "1.0.1");
  const sdk::Status status = verify(built.manifest_file);
  EXPECT_EQ(status.code(), sdk::ErrorCode::unprocessable);
  EXPECT_EQ(status.message().rfind("bad signature", 0), 0u) << status.message();
}

TEST_F(ArtifactVerifierTest, RejectsASignatureByAnotherKeyClaimingATrustedKeyId) {
  const BuiltArtifact built = build(makeKey("other"));
  editManifest(built.manifest_file, "key_id", key_.key_id);
  const sdk::Status status = verify(built.manifest_file);
  EXPECT_EQ(status.code(), sdk::ErrorCode::unprocessable);
  EXPECT_EQ(status.message().rfind("bad signature", 0), 0u) << status.message();
}

TEST_F(ArtifactVerifierTest, RejectsAnUnknownKey) {
  const SigningKeyFiles other = makeKey("other");
  const BuiltArtifact built = build(other);
  const sdk::Status status = verify(built.manifest_file);
  EXPECT_EQ(status.code(), sdk::ErrorCode::unprocessable);
  EXPECT_EQ(status.message(), "signed by unknown key " + other.key_id);
}

TEST_F(ArtifactVerifierTest, RejectsAManifestWithAMissingOrMistypedField) {
  const BuiltArtifact built = build(key_);
  editManifest(built.manifest_file, "size", "12");
  sdk::Status status = verify(built.manifest_file);
  EXPECT_EQ(status.code(), sdk::ErrorCode::invalid_argument);
  EXPECT_NE(status.message().find("\"size\""), std::string::npos) << status.message();

  editManifest(built.manifest_file, "format", 2);
  status = verify(built.manifest_file);
  EXPECT_NE(status.message().find("\"format\" must be 1"), std::string::npos) << status.message();
}

TEST_F(ArtifactVerifierTest, RejectsAMissingArchive) {
  const BuiltArtifact built = build(key_);
  fs::remove(built.archive_file);
  const sdk::Status status = verify(built.manifest_file);
  EXPECT_EQ(status.code(), sdk::ErrorCode::not_found);
  EXPECT_NE(status.message().find("demo-1.0.0.tar.zst"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace rivet::pack_artifact::test
