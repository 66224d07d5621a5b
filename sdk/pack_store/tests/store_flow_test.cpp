// PackStore on both kinds of store, the same tests: a file:// directory and a real nginx over
// HTTPS (WebDAV PUT, mutual TLS for writes). Real artifacts, real files, real OpenSSL.
#include <gtest/gtest.h>

#include <memory>
#include <regex>

#include "rivet/pack_artifact/artifact_verifier.hpp"
#include "rivet/test/loopback_nginx.hpp"
#include "store_fixture.hpp"

namespace rivet::pack_store::test {
namespace {

namespace fs = std::filesystem;
using sdk::ErrorCode;

enum class Backend { file, https };

class StoreFlowTest : public PackStoreTest, public ::testing::WithParamInterface<Backend> {
 protected:
  void SetUp() override {
    sdk::StatusOr<std::unique_ptr<BlobStore>> opened = sdk::Status(ErrorCode::internal, "unset");
    if (GetParam() == Backend::https) {
      nginx_ = std::make_unique<rivet::test::LoopbackNginx>();
      ASSERT_TRUE(nginx_->start()) << nginx_->log();
      root_ = nginx_->rootDir();
      opened = openBlobStore(nginx_->url(),
                             {nginx_->caFile(), nginx_->writerCert(), nginx_->writerKey()});
    } else {
      root_ = temp_.path() / "store";
      opened = openBlobStore("file://" + root_.string());
    }
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    blobs_ = std::move(*opened);
    store_ = std::make_unique<PackStore>(*blobs_);
  }

  StageIndex index(const std::string& stage) {
    auto fetched = store_->fetchIndex(stage);
    EXPECT_TRUE(fetched.ok()) << fetched.status().message();
    if (!fetched.ok() || !fetched->has_value()) return {};
    return (*fetched)->index;
  }

  std::vector<AuditEntry> history(const std::string& name = "") {
    return valueOf(store_->history(name));
  }

  std::unique_ptr<rivet::test::LoopbackNginx> nginx_;
  fs::path root_;
  std::unique_ptr<BlobStore> blobs_;
  std::unique_ptr<PackStore> store_;
};

TEST_P(StoreFlowTest, PublishUploadsTheArtifactSetsTheIndexAndAudits) {
  const fs::path manifest = buildPack("1.0.0");
  const auto published = valueOf(store_->publish(manifest, "test", "alice", false));
  EXPECT_EQ(published.action, "publish");
  EXPECT_EQ(published.who, "alice");
  EXPECT_EQ(published.to_stage, "test");
  EXPECT_FALSE(published.forced);
  EXPECT_TRUE(
      std::regex_match(published.at, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << published.at;

  const auto built = valueOf(pack_artifact::parseManifest(rivet::test::readFile(manifest)));
  const auto files = snapshot(root_);
  EXPECT_EQ(files.at("artifacts/demo/1.0.0/demo-1.0.0.tar.zst"),
            rivet::test::readFile(manifest.parent_path() / "demo-1.0.0.tar.zst"));
  EXPECT_EQ(files.at("artifacts/demo/1.0.0/demo-1.0.0.manifest.json"),
            rivet::test::readFile(manifest));

  const StageIndex test = index("test");
  EXPECT_EQ(test.stage, "test");
  ASSERT_EQ(test.packs.count("demo"), 1u);
  const IndexEntry& entry = test.packs.at("demo");
  EXPECT_EQ(entry.version, "1.0.0");
  EXPECT_EQ(entry.digest, built.digest);
  EXPECT_EQ(entry.key_id, key_.key_id);
  EXPECT_EQ(entry.signature, built.signature);
  EXPECT_EQ(entry.publisher, "alice");
  EXPECT_EQ(entry.published_at, published.at);

  const auto entries = history();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].digest, built.digest);
  EXPECT_EQ(entries[0].at, published.at);
}

TEST_P(StoreFlowTest, RepublishingTheSameBytesIsAcceptedAndAudited) {
  const fs::path manifest = buildPack("1.0.0");
  ASSERT_TRUE(store_->publish(manifest, "test", "alice", false).ok());
  const auto before = snapshot(root_ / "artifacts");
  // Built again from the same sources: the same bytes, hence the same digest.
  const fs::path rebuilt = buildPack("1.0.0");
  const auto again = store_->publish(rebuilt, "dev", "bob", false);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(snapshot(root_ / "artifacts"), before);
  EXPECT_EQ(index("dev").packs.at("demo").publisher, "bob");
  EXPECT_EQ(history("demo").size(), 2u);
}

TEST_P(StoreFlowTest, APublishedVersionNeverChanges) {
  ASSERT_TRUE(store_->publish(buildPack("1.0.0", "hello"), "test", "alice", false).ok());
  const auto before = snapshot(root_);
  const auto changed = store_->publish(buildPack("1.0.0", "bonjour"), "test", "mallory", false);
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.status().code(), ErrorCode::conflict);
  EXPECT_NE(changed.status().message().find(
                "version 1.0.0 of pack demo is already published with digest sha256:"),
            std::string::npos)
      << changed.status().message();
  EXPECT_NE(changed.status().message().find("publish a new version"), std::string::npos);
  EXPECT_EQ(snapshot(root_), before);
}

TEST_P(StoreFlowTest, ProdIsRefusedUnlessForcedAndForcingIsAudited) {
  const fs::path manifest = buildPack("1.0.0");
  ASSERT_TRUE(store_->publish(manifest, "test", "alice", false).ok());
  const auto before = snapshot(root_);
  const auto refused = store_->publish(manifest, kProtectedStage, "alice", false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::unprocessable);
  EXPECT_NE(refused.status().message().find("promote"), std::string::npos);
  EXPECT_NE(refused.status().message().find("--force"), std::string::npos);
  EXPECT_EQ(snapshot(root_), before);
  EXPECT_TRUE(index("prod").packs.empty());

  const auto forced = store_->publish(manifest, kProtectedStage, "alice", true);
  ASSERT_TRUE(forced.ok()) << forced.status().message();
  EXPECT_TRUE(forced->forced);
  EXPECT_EQ(index("prod").packs.at("demo").version, "1.0.0");
  const auto entries = history("demo");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_FALSE(entries[0].forced);
  EXPECT_TRUE(entries[1].forced);
  EXPECT_EQ(entries[1].to_stage, "prod");
}

TEST_P(StoreFlowTest, PromoteCopiesTheEntryAndAudits) {
  ASSERT_TRUE(store_->publish(buildPack("1.0.0"), "test", "alice", false).ok());
  const auto promoted = store_->promote("demo", "1.0.0", "test", "prod", "bob");
  ASSERT_TRUE(promoted.ok()) << promoted.status().message();
  EXPECT_EQ(promoted->action, "promote");
  EXPECT_EQ(promoted->from_stage, "test");
  EXPECT_EQ(promoted->to_stage, "prod");
  EXPECT_FALSE(promoted->forced);

  const IndexEntry in_test = index("test").packs.at("demo");
  const IndexEntry in_prod = index("prod").packs.at("demo");
  EXPECT_EQ(in_prod.version, "1.0.0");
  EXPECT_EQ(in_prod.digest, in_test.digest);
  EXPECT_EQ(in_prod.signature, in_test.signature);
  EXPECT_EQ(in_prod.publisher, "bob");
  EXPECT_EQ(in_test.publisher, "alice");
  EXPECT_EQ(in_prod.published_at, promoted->at);
}

TEST_P(StoreFlowTest, OnlyWhatTheSourceStageHasCanBePromoted) {
  ASSERT_TRUE(store_->publish(buildPack("1.0.0"), "test", "alice", false).ok());
  const auto before = snapshot(root_);

  const auto other_version = store_->promote("demo", "2.0.0", "test", "prod", "bob");
  ASSERT_FALSE(other_version.ok());
  EXPECT_EQ(other_version.status().code(), ErrorCode::not_found);
  EXPECT_NE(other_version.status().message().find("at version 1.0.0, not 2.0.0"), std::string::npos)
      << other_version.status().message();

  const auto other_stage = store_->promote("demo", "1.0.0", "dev", "prod", "bob");
  ASSERT_FALSE(other_stage.ok());
  EXPECT_EQ(other_stage.status().code(), ErrorCode::not_found);
  EXPECT_NE(other_stage.status().message().find("stage 'dev' has no pack 'demo'"),
            std::string::npos)
      << other_stage.status().message();

  EXPECT_EQ(store_->promote("demo", "1.0.0", "test", "test", "bob").status().code(),
            ErrorCode::invalid_argument);
  EXPECT_EQ(store_->promote("demo", "1.0.0", "test", "Prod", "bob").status().code(),
            ErrorCode::invalid_argument);
  EXPECT_EQ(snapshot(root_), before);
}

TEST_P(StoreFlowTest, RollbackSetsTheStageBackToWhatItRanBeforeAndAudits) {
  ASSERT_TRUE(store_->publish(buildPack("1.0.0"), "test", "alice", false).ok());
  const IndexEntry v1 = index("test").packs.at("demo");
  ASSERT_TRUE(store_->promote("demo", "1.0.0", "test", "prod", "bob").ok());
  ASSERT_TRUE(store_->publish(buildPack("1.1.0", "hi"), "test", "alice", false).ok());
  ASSERT_TRUE(store_->promote("demo", "1.1.0", "test", "prod", "bob").ok());

  // prod is protected, but a rollback only gives it back what it ran.
  const auto rolled = store_->rollback("demo", "prod", "", "carol");
  ASSERT_TRUE(rolled.ok()) << rolled.status().message();
  EXPECT_EQ(rolled->action, "rollback");
  EXPECT_EQ(rolled->version, "1.0.0");
  EXPECT_EQ(rolled->to_stage, "prod");
  EXPECT_EQ(rolled->who, "carol");
  EXPECT_FALSE(rolled->forced);
  const IndexEntry in_prod = index("prod").packs.at("demo");
  EXPECT_EQ(in_prod.version, "1.0.0");
  EXPECT_EQ(in_prod.publisher, "carol");
  EXPECT_EQ(in_prod.published_at, rolled->at);
  EXPECT_EQ(in_prod.digest, v1.digest);
  EXPECT_EQ(in_prod.signature, v1.signature);
  EXPECT_EQ(in_prod.key_id, v1.key_id);
  EXPECT_EQ(index("test").packs.at("demo").version, "1.1.0");  // other stages untouched
  const auto changes = history("demo");
  ASSERT_FALSE(changes.empty());
  EXPECT_EQ(changes.back().action, "rollback");
  EXPECT_EQ(changes.back().who, "carol");

  // The one before the current is now 1.1.0: rolling back again goes forward to it, and a
  // version named explicitly is found however far back.
  EXPECT_EQ(valueOf(store_->rollback("demo", "prod", "", "carol")).version, "1.1.0");
  EXPECT_EQ(valueOf(store_->rollback("demo", "prod", "1.0.0", "carol")).version, "1.0.0");
}

TEST_P(StoreFlowTest, RollbackOnlyGoesBackToWhatTheStageRan) {
  ASSERT_TRUE(store_->publish(buildPack("1.0.0"), "test", "alice", false).ok());
  ASSERT_TRUE(store_->promote("demo", "1.0.0", "test", "prod", "bob").ok());
  ASSERT_TRUE(store_->publish(buildPack("1.1.0", "hi"), "test", "alice", false).ok());
  const auto before = snapshot(root_);

  const auto nothing_before = store_->rollback("demo", "prod", "", "carol");
  ASSERT_FALSE(nothing_before.ok());
  EXPECT_EQ(nothing_before.status().code(), ErrorCode::unprocessable);
  EXPECT_NE(nothing_before.status().message().find("nothing to roll back to"), std::string::npos)
      << nothing_before.status().message();

  const auto never_ran = store_->rollback("demo", "prod", "1.1.0", "carol");
  ASSERT_FALSE(never_ran.ok());
  EXPECT_EQ(never_ran.status().code(), ErrorCode::unprocessable);
  EXPECT_NE(never_ran.status().message().find("never had pack 'demo' at version 1.1.0"),
            std::string::npos)
      << never_ran.status().message();

  EXPECT_EQ(store_->rollback("demo", "prod", "1.0.0", "carol").status().code(),
            ErrorCode::unprocessable);  // already there
  EXPECT_EQ(store_->rollback("other", "prod", "", "carol").status().code(),
            ErrorCode::unprocessable);  // never there
  EXPECT_EQ(store_->rollback("demo", "Prod", "", "carol").status().code(),
            ErrorCode::invalid_argument);
  EXPECT_EQ(store_->rollback("demo", "prod", "../1.0.0", "carol").status().code(),
            ErrorCode::invalid_argument);
  EXPECT_EQ(snapshot(root_), before);
}

TEST_P(StoreFlowTest, WithdrawTakesThePackOutOfTheStageAndRollbackPutsItBack) {
  ASSERT_TRUE(store_->publish(buildPack("1.0.0"), "test", "alice", false).ok());
  ASSERT_TRUE(store_->publish(buildPack("0.1.0", "hi", "other"), "test", "alice", false).ok());
  const IndexEntry before = index("test").packs.at("demo");

  const auto withdrawn = store_->withdraw("demo", "test", "carol");
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status().message();
  EXPECT_EQ(withdrawn->action, "withdraw");
  EXPECT_EQ(withdrawn->version, "1.0.0");
  EXPECT_EQ(withdrawn->digest, before.digest);
  EXPECT_EQ(withdrawn->to_stage, "test");
  const auto fetched = valueOf(store_->fetchIndex("test"));
  ASSERT_TRUE(fetched.has_value());
  EXPECT_TRUE(fetched->exists);
  EXPECT_FALSE(fetched->index.packs.contains("demo"));
  EXPECT_TRUE(fetched->index.packs.contains("other"));
  EXPECT_EQ(history("demo").back().action, "withdraw");

  const auto snapshot_before = snapshot(root_);
  const auto again = store_->withdraw("demo", "test", "carol");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), ErrorCode::not_found);
  EXPECT_EQ(store_->withdraw("demo", "prod", "carol").status().code(), ErrorCode::not_found);
  EXPECT_EQ(store_->withdraw("../demo", "test", "carol").status().code(),
            ErrorCode::invalid_argument);
  EXPECT_EQ(snapshot(root_), snapshot_before);

  const auto restored = store_->rollback("demo", "test", "", "dave");
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  EXPECT_EQ(restored->version, "1.0.0");
  EXPECT_EQ(index("test").packs.at("demo").digest, before.digest);

  // A stage nothing was published to has an index that does not exist (agents keep theirs).
  const auto empty = valueOf(store_->fetchIndex("dev"));
  ASSERT_TRUE(empty.has_value());
  EXPECT_FALSE(empty->exists);
}

TEST_P(StoreFlowTest, HistoryListsChangesOldestFirstWithWhoAndWhen) {
  ASSERT_TRUE(store_->publish(buildPack("1.0.0"), "test", "alice", false).ok());
  ASSERT_TRUE(store_->publish(buildPack("0.1.0", "hi", "other"), "test", "carol", false).ok());
  ASSERT_TRUE(store_->promote("demo", "1.0.0", "test", "prod", "bob").ok());
  ASSERT_TRUE(store_->publish(buildPack("1.1.0"), "test", "alice", false).ok());

  const auto demo = history("demo");
  ASSERT_EQ(demo.size(), 3u);
  EXPECT_EQ(demo[0].action, "publish");
  EXPECT_EQ(demo[0].version, "1.0.0");
  EXPECT_EQ(demo[0].who, "alice");
  EXPECT_EQ(demo[1].action, "promote");
  EXPECT_EQ(demo[1].who, "bob");
  EXPECT_EQ(demo[1].from_stage, "test");
  EXPECT_EQ(demo[2].version, "1.1.0");
  for (std::size_t i = 1; i < demo.size(); ++i) EXPECT_LE(demo[i - 1].at, demo[i].at);

  const auto all = history();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[1].pack, "other");
  EXPECT_EQ(all[1].who, "carol");
  EXPECT_TRUE(history("nothing").empty());
}

TEST_P(StoreFlowTest, FetchIndexAnswersNotModifiedUntilTheIndexChanges) {
  const auto empty = valueOf(store_->fetchIndex("test"));
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->index.packs.empty());
  EXPECT_EQ(empty->etag, "");

  ASSERT_TRUE(store_->publish(buildPack("1.0.0"), "test", "alice", false).ok());
  const auto first = valueOf(store_->fetchIndex("test"));
  ASSERT_TRUE(first.has_value());
  ASSERT_FALSE(first->etag.empty());
  EXPECT_FALSE(valueOf(store_->fetchIndex("test", first->etag)).has_value());

  // Another version at once: the index has the same size, and nginx's ETag counts seconds.
  ASSERT_TRUE(store_->publish(buildPack("1.0.1"), "test", "alice", false).ok());
  const auto second = valueOf(store_->fetchIndex("test", first->etag));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->index.packs.at("demo").version, "1.0.1");
  EXPECT_NE(second->etag, first->etag);
  EXPECT_FALSE(valueOf(store_->fetchIndex("test", second->etag)).has_value());
}

TEST_P(StoreFlowTest, DownloadGivesAnArtifactThatVerifies) {
  const fs::path manifest = buildPack("1.0.0");
  ASSERT_TRUE(store_->publish(manifest, "test", "alice", false).ok());
  fs::create_directories(temp_.path() / "downloads");
  const fs::path downloaded =
      valueOf(store_->download("demo", "1.0.0", temp_.path() / "downloads"));
  EXPECT_EQ(downloaded, temp_.path() / "downloads" / "demo-1.0.0.manifest.json");
  const auto verified = pack_artifact::verifyArtifact(downloaded, {key_.public_key});
  ASSERT_TRUE(verified.ok()) << verified.status().message();
  EXPECT_EQ(verified->digest, index("test").packs.at("demo").digest);
  EXPECT_EQ(store_->download("demo", "9.9.9", temp_.path() / "downloads").status().code(),
            ErrorCode::not_found);
  EXPECT_EQ(store_->download("../demo", "1.0.0", temp_.path() / "downloads").status().code(),
            ErrorCode::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreFlowTest, ::testing::Values(Backend::file, Backend::https),
                         [](const auto& info) {
                           return info.param == Backend::file ? "File" : "Https";
                         });

}  // namespace
}  // namespace rivet::pack_store::test
