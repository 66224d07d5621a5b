// The shebang reader on its own: the kernel's reading of `#!` lines, env and env -S, the
// refusals, and how allow-list names match versioned interpreters.
#include "shebang.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rivet::plugins::interpreter_generic {
namespace {

using Args = std::vector<std::string>;

Shebang parsed(const std::string& head) {
  auto shebang = parseShebang(head);
  EXPECT_TRUE(shebang.ok()) << head << ": " << shebang.status().message();
  return shebang.ok() ? *shebang : Shebang{};
}

std::string refusal(const std::string& head) {
  auto shebang = parseShebang(head);
  EXPECT_FALSE(shebang.ok()) << head << " was accepted";
  EXPECT_EQ(shebang.status().code(), sdk::ErrorCode::unprocessable);
  return shebang.status().message();
}

TEST(ShebangTest, AbsoluteInterpreterWithoutArguments) {
  auto shebang = parsed("#!/usr/bin/perl\nprint 1;\n");
  EXPECT_EQ(shebang.interpreter, "/usr/bin/perl");
  EXPECT_FALSE(shebang.looked_up);
  EXPECT_TRUE(shebang.args.empty());
}

TEST(ShebangTest, RestOfTheLineIsOneArgumentAsTheKernelPassesIt) {
  EXPECT_EQ(parsed("#!/usr/bin/perl -w\n").args, Args{"-w"});
  EXPECT_EQ(parsed("#!/usr/bin/perl -w -T\n").args, Args{"-w -T"});
  EXPECT_EQ(parsed("#! \t/usr/bin/perl\t -w  \t\n").interpreter, "/usr/bin/perl");
  EXPECT_EQ(parsed("#! \t/usr/bin/perl\t -w  \t\n").args, Args{"-w"});
  EXPECT_EQ(parsed("#!/usr/bin/perl   \n").args, Args{});
}

TEST(ShebangTest, ScriptOfOneLineWithoutNewline) {
  EXPECT_EQ(parsed("#!/usr/bin/tclsh").interpreter, "/usr/bin/tclsh");
}

TEST(ShebangTest, EnvNameIsLookedUp) {
  auto shebang = parsed("#!/usr/bin/env node\nconsole.log(1)\n");
  EXPECT_EQ(shebang.interpreter, "node");
  EXPECT_TRUE(shebang.looked_up);
  EXPECT_TRUE(shebang.args.empty());
  EXPECT_TRUE(parsed("#!/bin/env  perl  \n").looked_up);
}

TEST(ShebangTest, EnvSplitStringGivesNameAndArguments) {
  auto shebang = parsed("#!/usr/bin/env -S ruby -W0 --disable-gems\n");
  EXPECT_EQ(shebang.interpreter, "ruby");
  EXPECT_TRUE(shebang.looked_up);
  EXPECT_EQ(shebang.args, (Args{"-W0", "--disable-gems"}));
  auto attached = parsed("#!/usr/bin/env -Sperl\t-w\n");
  EXPECT_EQ(attached.interpreter, "perl");
  EXPECT_EQ(attached.args, Args{"-w"});
}

TEST(ShebangTest, EnvWithSeveralWordsButNoSplitIsRefusedWithTheFix) {
  const auto message = refusal("#!/usr/bin/env node --harmony\n");
  EXPECT_NE(message.find("passes `node --harmony` to env as one name"), std::string::npos)
      << message;
  EXPECT_NE(message.find("#!/usr/bin/env -S node --harmony"), std::string::npos) << message;
}

TEST(ShebangTest, EnvOptionsAssignmentsPathsAndQuotingAreRefused) {
  EXPECT_NE(refusal("#!/usr/bin/env -i perl\n").find("env option `-i`"), std::string::npos);
  EXPECT_NE(refusal("#!/usr/bin/env -S -u HOME perl\n").find("env option `-u`"), std::string::npos);
  EXPECT_NE(refusal("#!/usr/bin/env LC_ALL=C perl\n").find("assignment `LC_ALL=C`"),
            std::string::npos);
  EXPECT_NE(refusal("#!/usr/bin/env -S A=1 perl\n").find("assignment"), std::string::npos);
  EXPECT_NE(refusal("#!/usr/bin/env ./perl\n").find("bare name"), std::string::npos);
  EXPECT_NE(refusal("#!/usr/bin/env -S perl '-w'\n").find("quotes"), std::string::npos);
  EXPECT_NE(refusal("#!/usr/bin/env -S perl ${X}\n").find("quotes"), std::string::npos);
  EXPECT_NE(refusal("#!/usr/bin/env\n").find("names no command"), std::string::npos);
  EXPECT_NE(refusal("#!/usr/bin/env -S  \n").find("names no command"), std::string::npos);
}

TEST(ShebangTest, MissingShebangIsRefused) {
  EXPECT_NE(refusal("print 1;\n").find("no shebang"), std::string::npos);
  EXPECT_NE(refusal("").find("no shebang"), std::string::npos);
  EXPECT_NE(refusal(" #!/usr/bin/perl\n").find("no shebang"), std::string::npos);
  EXPECT_NE(refusal("#!\n").find("names no interpreter"), std::string::npos);
  EXPECT_NE(refusal("#!   \t\nx").find("names no interpreter"), std::string::npos);
}

TEST(ShebangTest, RelativeInterpreterIsRefusedWithTheEnvForm) {
  const auto message = refusal("#!perl -w\n");
  EXPECT_NE(message.find("`perl` is not an absolute path"), std::string::npos) << message;
  EXPECT_NE(message.find("#!/usr/bin/env perl"), std::string::npos) << message;
  EXPECT_FALSE(parseShebang("#!./bin/perl\n").ok());
}

TEST(ShebangTest, CrlfAndNulAreRefused) {
  EXPECT_NE(refusal("#!/usr/bin/perl\r\nprint 1;\r\n").find("carriage return"), std::string::npos);
  EXPECT_NE(refusal(std::string("#!/usr/bin/perl\0x\n", 18)).find("NUL"), std::string::npos);
}

TEST(ShebangTest, LineLongerThanTheKernelReadsIsRefused) {
  const std::string longest = "#!/usr/bin/perl " + std::string(kShebangBytes - 17, 'w') + "\n";
  ASSERT_EQ(longest.size(), kShebangBytes);
  EXPECT_EQ(parsed(longest + "print 1;\n").args.at(0).size(), kShebangBytes - 17);

  const std::string too_long = "#!/usr/bin/perl " + std::string(kShebangBytes, 'w') + "\n";
  EXPECT_NE(refusal(too_long).find("longer than the 255 bytes"), std::string::npos);
  // Only the first kShebangBytes count, as for the kernel: what follows is never read.
  EXPECT_FALSE(parseShebang(too_long.substr(0, kShebangBytes)).ok());
}

TEST(ShebangTest, AllowedNameMatchesItselfAndItsVersions) {
  EXPECT_TRUE(matchesAllowed("perl", "perl"));
  EXPECT_TRUE(matchesAllowed("perl5.36.0", "perl"));
  EXPECT_TRUE(matchesAllowed("python3", "python3"));
  EXPECT_TRUE(matchesAllowed("python3.11", "python3"));
  EXPECT_TRUE(matchesAllowed("python3", "python"));
  EXPECT_TRUE(matchesAllowed("lua5.4", "lua"));
  EXPECT_TRUE(matchesAllowed("tclsh8.6", "tclsh"));
  EXPECT_TRUE(matchesAllowed("node18", "node"));

  EXPECT_FALSE(matchesAllowed("python", "python3"));
  EXPECT_FALSE(matchesAllowed("perlbug", "perl"));
  EXPECT_FALSE(matchesAllowed("perl5.36-x86_64-linux-gnu", "perl"));
  EXPECT_FALSE(matchesAllowed("python3.", "python3"));
  EXPECT_FALSE(matchesAllowed("python3..1", "python3"));
  EXPECT_FALSE(matchesAllowed("python3.x", "python3"));
  EXPECT_FALSE(matchesAllowed("nodejs", "node"));
  EXPECT_FALSE(matchesAllowed("Perl", "perl"));
  EXPECT_FALSE(matchesAllowed("perl", ""));
  EXPECT_FALSE(matchesAllowed("", "perl"));
}

}  // namespace
}  // namespace rivet::plugins::interpreter_generic
