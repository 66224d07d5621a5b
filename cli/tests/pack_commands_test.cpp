// `rivet pack keygen`, `build` and `verify`, and `publish`, `promote`, `rollback`, `withdraw` and
// `history` on a file:// store, as an operator runs them: the real rivet binary on real files
// (no rivetd needed).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "rivet/test/rivetd_process.hpp"
#include "rivet/test/temp_dir.hpp"

namespace rivet::test {
namespace {

ProgramResult rivet(std::vector<std::string> args) {
  args.insert(args.begin(), RIVET_BINARY_DIR "/bin/rivet");
  return runProgram(args);
}

TEST(PackCommandsTest, KeygenBuildVerify) {
  TempDir temp("pack-commands-test");
  temp.write("pack/pack.yaml", "name: demo\nversion: 2.1.0\n");
  temp.write("pack/actions/hello.yaml", "name: hello\nrunner_type: local-shell-script\n");

  auto keygen = rivet({"pack", "keygen", "--out", temp.str()});
  ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
  EXPECT_NE(keygen.out.find(temp.child("rivet-pack.key")), std::string::npos) << keygen.out;
  EXPECT_NE(keygen.out.find("key id "), std::string::npos) << keygen.out;
  auto again = rivet({"pack", "keygen", "--out", temp.str()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;

  auto build = rivet({"pack", "build", temp.child("pack"), "--key", temp.child("rivet-pack.key"),
                      "--out", temp.child("out")});
  ASSERT_EQ(build.exit_code, 0) << build.err;
  EXPECT_NE(build.out.find(temp.child("out/demo-2.1.0.tar.zst")), std::string::npos) << build.out;
  EXPECT_NE(build.out.find("sha256:"), std::string::npos) << build.out;

  const std::string manifest = temp.child("out/demo-2.1.0.manifest.json");
  auto verify = rivet({"pack", "verify", manifest, "--trusted-key", temp.child("rivet-pack.pub")});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_NE(verify.out.find("ok: pack demo 2.1.0"), std::string::npos) << verify.out;

  std::filesystem::create_directory(temp.child("other"));
  ASSERT_EQ(rivet({"pack", "keygen", "--out", temp.child("other")}).exit_code, 0);
  auto untrusted =
      rivet({"pack", "verify", manifest, "--trusted-key", temp.child("other/rivet-pack.pub")});
  EXPECT_EQ(untrusted.exit_code, 1);
  EXPECT_NE(untrusted.err.find("rivet: signed by unknown key "), std::string::npos)
      << untrusted.err;
}

// Every file under `dir`, by relative path.
std::vector<std::string> filesUnder(const std::filesystem::path& dir) {
  std::vector<std::string> files;
  std::error_code error;
  for (std::filesystem::recursive_directory_iterator entry(dir, error), end; !error && entry != end;
       entry.increment(error)) {
    if (entry->is_regular_file()) files.push_back(entry->path().lexically_relative(dir).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(PackCommandsTest, PublishPromoteHistoryOnAFileStore) {
  TempDir temp("pack-store-commands-test");
  temp.write("pack/pack.yaml", "name: demo\nversion: 1.0.0\n");
  temp.write("pack/actions/hello.yaml", "name: hello\nrunner_type: local-shell-script\n");
  ASSERT_EQ(rivet({"pack", "keygen", "--out", temp.str()}).exit_code, 0);
  ASSERT_EQ(rivet({"pack", "build", temp.child("pack"), "--key", temp.child("rivet-pack.key"),
                   "--out", temp.child("out")})
                .exit_code,
            0);
  const std::string manifest = temp.child("out/demo-1.0.0.manifest.json");
  const std::string store = "file://" + temp.child("store");

  // Straight to prod: refused, with the two ways there, and nothing written.
  auto refused = rivet({"pack", "publish", manifest, "--store", store, "--stage", "prod"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("rivet: stage 'prod' is protected: promote"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
  EXPECT_TRUE(filesUnder(temp.child("store")).empty());

  auto published =
      rivet({"pack", "publish", manifest, "--store", store, "--stage", "test", "--as", "alice"});
  ASSERT_EQ(published.exit_code, 0) << published.err;
  EXPECT_NE(published.out.find("publish demo 1.0.0 -> test by alice at 20"), std::string::npos)
      << published.out;
  EXPECT_EQ(filesUnder(temp.child("store/artifacts")),
            (std::vector<std::string>{"demo/1.0.0/demo-1.0.0.manifest.json",
                                      "demo/1.0.0/demo-1.0.0.tar.zst"}));

  auto missing = rivet(
      {"pack", "promote", "demo", "2.0.0", "--from", "test", "--to", "prod", "--store", store});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("stage 'test' has pack 'demo' at version 1.0.0, not 2.0.0"),
            std::string::npos)
      << missing.err;

  auto promoted = rivet({"pack", "promote", "demo", "1.0.0", "--from", "test", "--to", "prod",
                         "--store", store, "--as", "bob"});
  ASSERT_EQ(promoted.exit_code, 0) << promoted.err;
  EXPECT_NE(promoted.out.find("promote demo 1.0.0 test -> prod by bob"), std::string::npos)
      << promoted.out;

  // The store from RIVET_STORE; with --force straight to prod, which the audit log says.
  ::setenv("RIVET_STORE", store.c_str(), 1);
  auto forced = rivet({"pack", "publish", manifest, "--stage", "prod", "--force", "--as", "carol"});
  ::unsetenv("RIVET_STORE");
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(forced.out.find("(forced)"), std::string::npos) << forced.out;

  // Back to what prod ran before carol's forced publish: 1.0.0, which is what she published
  // too, so nothing to go back to; and a version prod never ran is refused.
  auto nothing = rivet({"pack", "rollback", "demo", "--stage", "prod", "--store", store});
  EXPECT_EQ(nothing.exit_code, 1);
  EXPECT_NE(nothing.err.find("nothing to roll back to"), std::string::npos) << nothing.err;
  auto never = rivet(
      {"pack", "rollback", "demo", "--stage", "prod", "--to", "0.9.0", "--store", store});
  EXPECT_EQ(never.exit_code, 1);
  EXPECT_NE(never.err.find("never had pack 'demo' at version 0.9.0"), std::string::npos)
      << never.err;

  auto not_there = rivet({"pack", "withdraw", "demo", "--stage", "dev", "--store", store});
  EXPECT_EQ(not_there.exit_code, 1);
  EXPECT_NE(not_there.err.find("stage 'dev' has no pack 'demo'"), std::string::npos)
      << not_there.err;

  auto table = rivet({"pack", "history", "demo", "--store", store});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  const auto alice = table.out.find("alice  publish");
  const auto bob = table.out.find("bob    promote");
  const auto carol = table.out.find("carol  publish");
  ASSERT_NE(alice, std::string::npos) << table.out;
  ASSERT_NE(bob, std::string::npos) << table.out;
  ASSERT_NE(carol, std::string::npos) << table.out;
  EXPECT_LT(alice, bob);
  EXPECT_LT(bob, carol);
  EXPECT_NE(table.out.find("test -> prod"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("forced"), std::string::npos) << table.out;

  auto as_json = rivet({"pack", "history", "--store", store, "--json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const auto entries = nlohmann::json::parse(as_json.out, nullptr, false);
  ASSERT_TRUE(entries.is_array()) << as_json.out;
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[1]["from_stage"], "test");
  EXPECT_EQ(entries[2]["forced"], true);
  EXPECT_EQ(entries[2]["who"], "carol");

  auto bad_stage = rivet({"pack", "publish", manifest, "--store", store, "--stage", "Test"});
  EXPECT_EQ(bad_stage.exit_code, 2);
  EXPECT_NE(bad_stage.err.find("invalid stage name 'Test'"), std::string::npos) << bad_stage.err;
  auto no_store = rivet({"pack", "history"});
  EXPECT_EQ(no_store.exit_code, 2);
  EXPECT_NE(no_store.err.find("--store"), std::string::npos) << no_store.err;

  // Pulled from test at 3 a.m., then put back.
  auto withdrawn =
      rivet({"pack", "withdraw", "demo", "--stage", "test", "--store", store, "--as", "dave"});
  ASSERT_EQ(withdrawn.exit_code, 0) << withdrawn.err;
  EXPECT_NE(withdrawn.out.find("withdraw demo 1.0.0 out of test by dave"), std::string::npos)
      << withdrawn.out;
  auto put_back =
      rivet({"pack", "rollback", "demo", "--stage", "test", "--store", store, "--as", "dave"});
  ASSERT_EQ(put_back.exit_code, 0) << put_back.err;
  EXPECT_NE(put_back.out.find("rollback demo 1.0.0 -> test by dave"), std::string::npos)
      << put_back.out;
}

}  // namespace
}  // namespace rivet::test
