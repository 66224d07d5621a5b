// The file:// BlobStore, store URLs and the publisher's identity.
#include <gtest/gtest.h>

#include "rivet/client/dev_pki.hpp"
#include "rivet/pack_store/blob_store.hpp"
#include "rivet/pack_store/pack_store.hpp"
#include "rivet/test/temp_dir.hpp"

namespace rivet::pack_store {
namespace {

namespace fs = std::filesystem;
using sdk::ErrorCode;

class FileBlobStoreTest : public ::testing::Test {
 protected:
  FileBlobStoreTest() : temp_("file-blob-store-test"), root_(temp_.path() / "store") {
    auto opened = openBlobStore("file://" + root_.string());
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    if (opened.ok()) blobs_ = std::move(*opened);
  }

  rivet::test::TempDir temp_;
  fs::path root_;
  std::unique_ptr<BlobStore> blobs_;
};

TEST_F(FileBlobStoreTest, PutGetAndList) {
  ASSERT_TRUE(blobs_->put("a/b/one.json", "1").ok());
  ASSERT_TRUE(blobs_->put("a/b/two.json", "22").ok());
  ASSERT_TRUE(blobs_->put("a/b/c/three", "333").ok());
  EXPECT_EQ(rivet::test::readFile(root_ / "a/b/two.json"), "22");
  EXPECT_EQ(fs::status(root_ / "a/b/two.json").permissions() & fs::perms::others_read,
            fs::perms::others_read);

  auto read = blobs_->get("a/b/two.json");
  ASSERT_TRUE(read.ok() && read->has_value()) << read.status().message();
  EXPECT_EQ((*read)->bytes, "22");
  EXPECT_FALSE((*read)->etag.empty());

  // Files only, sorted; no directories, no temporary files.
  temp_.write("store/a/b/.two.json.tmp-abcdef", "partial");
  auto names = blobs_->list("a/b");
  ASSERT_TRUE(names.ok()) << names.status().message();
  EXPECT_EQ(*names, (std::vector<std::string>{"one.json", "two.json"}));
  EXPECT_TRUE(blobs_->list("nothing/here")->empty());
  EXPECT_EQ(blobs_->get("a/b/none").status().code(), ErrorCode::not_found);
  EXPECT_EQ(blobs_->get("a/b").status().code(), ErrorCode::not_found);  // a directory
}

TEST_F(FileBlobStoreTest, ConditionalGetSeesEveryOverwrite) {
  ASSERT_TRUE(blobs_->put("index.json", "aaaa").ok());
  auto first = blobs_->get("index.json");
  ASSERT_TRUE(first.ok() && first->has_value());
  const std::string etag = (*first)->etag;
  auto unchanged = blobs_->get("index.json", etag);
  ASSERT_TRUE(unchanged.ok());
  EXPECT_FALSE(unchanged->has_value());
  // Same size, straight after: still another ETag.
  ASSERT_TRUE(blobs_->put("index.json", "bbbb").ok());
  auto changed = blobs_->get("index.json", etag);
  ASSERT_TRUE(changed.ok() && changed->has_value());
  EXPECT_EQ((*changed)->bytes, "bbbb");
  EXPECT_NE((*changed)->etag, etag);
}

TEST_F(FileBlobStoreTest, PathsMustStayInsideTheStore) {
  for (const std::string path :
       {"../x", "/etc/passwd", "a//b", "a/../../x", "./a", "a/", "", "a\\b", "a/\nb"}) {
    EXPECT_EQ(blobs_->put(path, "x").code(), ErrorCode::invalid_argument) << path;
    EXPECT_EQ(blobs_->get(path).status().code(), ErrorCode::invalid_argument) << path;
    if (!path.empty()) {
      EXPECT_EQ(blobs_->list(path).status().code(), ErrorCode::invalid_argument) << path;
    }
  }
  EXPECT_NE(blobs_->get("../x").status().message().find("'../x'"), std::string::npos);
  EXPECT_FALSE(fs::exists(temp_.path() / "x"));
  EXPECT_FALSE(fs::exists(root_));  // nothing was written at all
}

TEST(OpenBlobStoreTest, AcceptsFileAndHttpsUrlsOnly) {
  for (const std::string url :
       {"ftp://host/x", "file://relative/dir", "file://", "https://", "https://host:99999",
        "https://host/a?b", "s3://bucket", "https://host/a//b"}) {
    auto opened = openBlobStore(url);
    ASSERT_FALSE(opened.ok()) << url;
    EXPECT_EQ(opened.status().code(), ErrorCode::invalid_argument) << url;
    EXPECT_NE(opened.status().message().find(url), std::string::npos) << opened.status().message();
  }
  for (const std::string url : {"file:///srv/rivet-packs", "https://packs.example.com",
                                "https://packs.example.com:8443/rivet/", "https://[::1]/p"}) {
    auto opened = openBlobStore(url);
    ASSERT_TRUE(opened.ok()) << url << ": " << opened.status().message();
    EXPECT_EQ((*opened)->url(), url);
  }
}

TEST(PublisherIdentityTest, GivenThenCertificateSubjectThenUserAtHost) {
  rivet::test::TempDir temp("publisher-identity-test");
  rivet::client::DevPkiOptions options;
  options.client_name = "ci-publisher";
  ASSERT_TRUE(rivet::client::makeDevPki(temp.child("pki"), options).ok());
  const auto pki = rivet::client::devPkiFiles(temp.child("pki"));
  EXPECT_EQ(publisherIdentity("alice", pki.client_cert), "alice");
  EXPECT_EQ(publisherIdentity("", pki.client_cert), "CN=ci-publisher,O=Rivet dev");
  const std::string local = publisherIdentity("", "");
  EXPECT_NE(local.find('@'), std::string::npos) << local;
  EXPECT_GT(local.find('@'), 0u) << local;
  // Not a certificate: the local user again.
  EXPECT_EQ(publisherIdentity("", temp.write("not.pem", "hello").string()), local);
}

}  // namespace
}  // namespace rivet::pack_store
