#include "rivet/pack_artifact/signing_key.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "pack_fixture.hpp"
#include "rivet/pack_artifact/artifact_builder.hpp"
#include "rivet/pack_artifact/artifact_verifier.hpp"

namespace rivet::pack_artifact::test {
namespace {

namespace fs = std::filesystem;

TEST_F(PackArtifactTest, KeygenWritesAPrivateKeyOnlyItsOwnerReadsAndAPublicKey) {
  struct stat info {};
  ASSERT_EQ(::stat(key_.private_key.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(key_.private_key.filename(), "rivet-pack.key");
  EXPECT_EQ(key_.public_key.filename(), "rivet-pack.pub");
  EXPECT_NE(rivet::test::readFile(key_.private_key).find("BEGIN PRIVATE KEY"), std::string::npos);
  EXPECT_NE(rivet::test::readFile(key_.public_key).find("BEGIN PUBLIC KEY"), std::string::npos);
  ASSERT_EQ(key_.key_id.size(), 16u);
  EXPECT_EQ(key_.key_id.find_first_not_of("0123456789abcdef"), std::string::npos);
  // Both halves name the same key.
  EXPECT_EQ(*keyIdOfFile(key_.public_key), key_.key_id);
  EXPECT_EQ(*keyIdOfFile(key_.private_key), key_.key_id);
}

TEST_F(PackArtifactTest, KeygenKeysSignAndVerify) {
  auto built = buildArtifact(writePack(), key_.private_key, temp_.path() / "out");
  ASSERT_TRUE(built.ok()) << built.status().message();
  auto verified = verifyArtifact(built->manifest_file, {key_.public_key});
  EXPECT_TRUE(verified.ok()) << verified.status().message();
}

TEST_F(PackArtifactTest, KeygenRefusesToOverwriteAKey) {
  const std::string before = rivet::test::readFile(key_.private_key);
  auto again = generateSigningKey(temp_.path() / "keys");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), sdk::ErrorCode::conflict);
  EXPECT_NE(again.status().message().find("already exists"), std::string::npos);
  EXPECT_EQ(rivet::test::readFile(key_.private_key), before);

  // Only the public key left behind is refused as well, and no private key appears.
  fs::create_directories(temp_.path() / "half");
  temp_.write("half/rivet-pack.pub", "old");
  EXPECT_FALSE(generateSigningKey(temp_.path() / "half").ok());
  EXPECT_FALSE(fs::exists(temp_.path() / "half/rivet-pack.key"));
}

}  // namespace
}  // namespace rivet::pack_artifact::test
