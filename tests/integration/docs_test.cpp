// docs/configuration.md must name every key that rivetd --help-config prints for every in-tree
// plugin (docs/in-tree-plugins), so the doc cannot fall behind a plugin's config table.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "rivet/test/rivetd_process.hpp"

namespace rivet::test {
namespace {

TEST(ConfigurationDoc, NamesEveryKeyRivetdKnows) {
  std::ifstream plugins_file(RIVET_SOURCE_DIR "/docs/in-tree-plugins");
  std::string plugins;
  std::getline(plugins_file, plugins);
  ASSERT_FALSE(plugins.empty());
  auto help = runProgram({RIVET_BINARY_DIR "/bin/rivetd", "-D", "rivetd.plugins=" + plugins,
                          "--help-config"});
  ASSERT_EQ(help.exit_code, 0) << help.err;
  std::ifstream in(RIVET_SOURCE_DIR "/docs/configuration.md");
  std::stringstream doc;
  doc << in.rdbuf();

  std::regex section(R"(^\[([a-z0-9_-]+)\]$)");
  std::regex key(R"(^  ([a-z0-9_]+) \()");
  std::istringstream lines(help.out);
  std::string current;
  int keys = 0;
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_match(line, match, section)) {
      current = match[1];
      EXPECT_NE(doc.str().find("[" + current + "]"), std::string::npos) << current;
    } else if (std::regex_search(line, match, key)) {
      ++keys;
      EXPECT_NE(doc.str().find("  " + std::string(match[1]) + " ("), std::string::npos)
          << "[" << current << "] " << match[1]
          << " is not in docs/configuration.md: run scripts/update-config-doc.sh";
    }
  }
  EXPECT_GT(keys, 10);
}

}  // namespace
}  // namespace rivet::test
