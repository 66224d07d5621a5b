// `rivet pack keygen`, `build` and `verify` as an operator runs them: the real rivet binary on
// real files (no rivetd needed).
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace rivet::test
