// The JSON of stage indexes and audit entries, and stage names.
#include <gtest/gtest.h>

#include "rivet/pack_store/pack_store.hpp"

namespace rivet::pack_store {
namespace {

TEST(StoreRecordsTest, IndexRoundTrips) {
  StageIndex index{
      "test",
      {{"demo",
        {"1.0.0", "sha256:ab", "0123456789abcdef", "c2ln", "CN=ci", "2026-11-24T01:02:03.456Z"}}}};
  const auto json = indexJson(index);
  EXPECT_EQ(json["format"], kIndexFormat);
  EXPECT_EQ(json["packs"]["demo"]["publisher"], "CN=ci");
  auto parsed = parseIndex(json.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->stage, "test");
  ASSERT_EQ(parsed->packs.size(), 1u);
  const IndexEntry& entry = parsed->packs.at("demo");
  EXPECT_EQ(entry.version, "1.0.0");
  EXPECT_EQ(entry.digest, "sha256:ab");
  EXPECT_EQ(entry.key_id, "0123456789abcdef");
  EXPECT_EQ(entry.signature, "c2ln");
  EXPECT_EQ(entry.published_at, "2026-11-24T01:02:03.456Z");
}

TEST(StoreRecordsTest, MalformedIndexesAreRefusedWithTheReason) {
  const struct {
    const char* text;
    const char* reason;
  } cases[] = {
      {"[]", "not a JSON object"},
      {R"({"format":2,"stage":"test","packs":{}})", "\"format\" must be 1"},
      {R"({"format":1,"packs":{}})", "no \"stage\" field"},
      {R"({"format":1,"stage":"test","packs":[]})", "\"packs\" must be an object"},
      {R"({"format":1,"stage":"test","packs":{"demo":{"version":"1"}}})", "no \"digest\" field"},
      {R"({"format":1,"stage":"test","packs":{"demo":{"version":7}}})",
       "\"version\" must be a non-empty string"},
  };
  for (const auto& c : cases) {
    auto parsed = parseIndex(c.text);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.status().code(), sdk::ErrorCode::invalid_argument);
    EXPECT_NE(parsed.status().message().find(c.reason), std::string::npos)
        << parsed.status().message();
  }
}

TEST(StoreRecordsTest, AuditEntriesRoundTrip) {
  const AuditEntry promote{"2026-11-24T01:02:03.456Z",
                           "bob",
                           "promote",
                           "demo",
                           "1.0.0",
                           "sha256:ab",
                           "test",
                           "prod",
                           false};
  auto parsed = parseAudit(auditJson(promote).dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->from_stage, "test");
  EXPECT_EQ(parsed->to_stage, "prod");
  EXPECT_EQ(parsed->who, "bob");
  EXPECT_FALSE(parsed->forced);

  const AuditEntry publish{"2026-11-24T01:02:03.456Z",
                           "alice",
                           "publish",
                           "demo",
                           "1.0.0",
                           "sha256:ab",
                           "",
                           "prod",
                           true};
  const auto json = auditJson(publish);
  EXPECT_FALSE(json.contains("from_stage"));
  parsed = parseAudit(json.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_TRUE(parsed->forced);
  EXPECT_EQ(parsed->from_stage, "");

  EXPECT_FALSE(parseAudit(R"({"at":"x","who":"a"})").ok());
  EXPECT_FALSE(parseAudit(R"({"at":"x","who":"a","action":"publish","pack":"p","version":"1",
      "digest":"d","to_stage":"t","forced":"yes"})")
                   .ok());
}

TEST(StoreRecordsTest, StageNames) {
  for (const char* good : {"prod", "test", "dev-eu-1", "0"}) EXPECT_TRUE(isValidStageName(good));
  for (const char* bad : {"", "Prod", "a/b", "..", "a_b", "a b", "é"}) {
    EXPECT_FALSE(isValidStageName(bad)) << bad;
  }
}

}  // namespace
}  // namespace rivet::pack_store
