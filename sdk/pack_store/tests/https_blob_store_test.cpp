// The https:// BlobStore against a real nginx: reads need no client certificate, writes do.
#include <gtest/gtest.h>

#include "rivet/pack_store/blob_store.hpp"
#include "rivet/test/loopback_nginx.hpp"
#include "store_fixture.hpp"

namespace rivet::pack_store::test {
namespace {

namespace fs = std::filesystem;
using sdk::ErrorCode;

class HttpsBlobStoreTest : public PackStoreTest {
 protected:
  void SetUp() override { ASSERT_TRUE(nginx_.start()) << nginx_.log(); }

  std::unique_ptr<BlobStore> open(const StoreTls& tls, const std::string& prefix = "") {
    auto opened = openBlobStore(nginx_.url() + prefix, tls);
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    return opened.ok() ? std::move(*opened) : nullptr;
  }
  StoreTls writer() const { return {nginx_.caFile(), nginx_.writerCert(), nginx_.writerKey()}; }
  StoreTls reader() const { return {nginx_.caFile(), "", ""}; }

  rivet::test::LoopbackNginx nginx_;
};

TEST_F(HttpsBlobStoreTest, PutGetConditionalGetAndList) {
  auto blobs = open(writer(), "/packs/");
  ASSERT_TRUE(blobs);
  ASSERT_TRUE(blobs->put("audit/0001-a.json", "{}").ok());
  ASSERT_TRUE(blobs->put("audit/0002-b.json", "{\"b\":1}").ok());
  ASSERT_TRUE(blobs->put("audit/sub/0003-c.json", "{}").ok());
  ASSERT_TRUE(blobs->put("odd name+1.txt", "odd").ok());
  EXPECT_EQ(rivet::test::readFile(nginx_.rootDir() / "packs/audit/0002-b.json"), "{\"b\":1}");
  EXPECT_EQ(rivet::test::readFile(nginx_.rootDir() / "packs/odd name+1.txt"), "odd");

  auto names = blobs->list("audit");
  ASSERT_TRUE(names.ok()) << names.status().message();
  EXPECT_EQ(*names, (std::vector<std::string>{"0001-a.json", "0002-b.json"}));
  auto absent = blobs->list("no/such/dir");
  ASSERT_TRUE(absent.ok()) << absent.status().message();
  EXPECT_TRUE(absent->empty());

  auto read = blobs->get("audit/0002-b.json");
  ASSERT_TRUE(read.ok() && read->has_value()) << read.status().message();
  EXPECT_EQ((*read)->bytes, "{\"b\":1}");
  ASSERT_FALSE((*read)->etag.empty());
  auto not_modified = blobs->get("audit/0002-b.json", (*read)->etag);
  ASSERT_TRUE(not_modified.ok()) << not_modified.status().message();
  EXPECT_FALSE(not_modified->has_value());
  // Overwritten with as many bytes within the same second: the ETag still changes.
  ASSERT_TRUE(blobs->put("audit/0002-b.json", "{\"c\":2}").ok());
  auto modified = blobs->get("audit/0002-b.json", (*read)->etag);
  ASSERT_TRUE(modified.ok() && modified->has_value()) << modified.status().message();
  EXPECT_EQ((*modified)->bytes, "{\"c\":2}");

  auto missing = blobs->get("audit/none.json");
  EXPECT_EQ(missing.status().code(), ErrorCode::not_found);
  EXPECT_NE(missing.status().message().find("audit/none.json"), std::string::npos);
  EXPECT_EQ(blobs->get("../etc/passwd").status().code(), ErrorCode::invalid_argument);
}

TEST_F(HttpsBlobStoreTest, WritesWithoutAClientCertificateAreRefused) {
  auto blobs = open(reader());
  ASSERT_TRUE(blobs);
  const sdk::Status refused = blobs->put("audit/x.json", "{}");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.code(), ErrorCode::unprocessable);
  EXPECT_NE(refused.message().find("PUT " + nginx_.url() + "/audit/x.json: HTTP 403"),
            std::string::npos)
      << refused.message();
  EXPECT_NE(refused.message().find("client certificate"), std::string::npos);

  PackStore store(*blobs);
  const auto published = store.publish(buildPack("1.0.0"), "test", "alice", false);
  ASSERT_FALSE(published.ok());
  EXPECT_NE(published.status().message().find("HTTP 403"), std::string::npos);
  EXPECT_TRUE(snapshot(nginx_.rootDir()).empty());
}

TEST_F(HttpsBlobStoreTest, AgentsReadWithoutAClientCertificate) {
  auto writer_blobs = open(writer());
  ASSERT_TRUE(writer_blobs);
  PackStore publisher(*writer_blobs);
  ASSERT_TRUE(publisher.publish(buildPack("1.0.0"), "test", "alice", false).ok());

  auto reader_blobs = open(reader());
  ASSERT_TRUE(reader_blobs);
  PackStore agent(*reader_blobs);
  const auto fetched = valueOf(agent.fetchIndex("test"));
  ASSERT_TRUE(fetched.has_value());
  EXPECT_EQ(fetched->index.packs.at("demo").version, "1.0.0");
  fs::create_directories(temp_.path() / "agent");
  EXPECT_TRUE(agent.download("demo", "1.0.0", temp_.path() / "agent").ok());
}

TEST_F(HttpsBlobStoreTest, AnUntrustedServerIsNotReached) {
  // The system's CAs do not know the loopback PKI.
  auto blobs = open({});
  ASSERT_TRUE(blobs);
  const auto read = blobs->get("stages/test/index.json");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), ErrorCode::unavailable);
  EXPECT_NE(read.status().message().find("certificate verify failed"), std::string::npos)
      << read.status().message();
}

}  // namespace
}  // namespace rivet::pack_store::test
