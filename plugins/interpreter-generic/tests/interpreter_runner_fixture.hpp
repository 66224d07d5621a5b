// The test fixture shared by the interpreter runner's tests: interpreter-generic.so loaded and
// configured as rivetd does (rivet::test::RunnerTest), the scripts of its throw-away pack, and
// stand-in interpreters in a temporary bin directory.
#pragma once

#include <string>

#include "rivet/test/parameter_spec.hpp"
#include "rivet/test/runner_fixture.hpp"

namespace rivet::plugins::interpreter_generic {

namespace fs = std::filesystem;

using rivet::test::kExecutable;
using rivet::test::kReadOnly;
using rivet::test::param;
using rivet::test::writeFile;

class InterpreterRunnerTest : public rivet::test::RunnerTest {
 protected:
  InterpreterRunnerTest()
      : RunnerTest(RIVET_PLUGIN_DIR "/interpreter-generic.so", "rivet-interpreter-test") {}

  // An interpreter-script action whose entry point `file` (under actions/) holds `body`. Written
  // without the executable bit by default: the runner runs scripts through their interpreter,
  // so a pack copied without modes still works.
  sdk::ActionSpec scriptAction(const std::string& file, const std::string& body,
                               fs::perms perms = kReadOnly) {
    sdk::ActionSpec action = actionOf(fs::path(file).stem().string(), "interpreter-script", file);
    writeFile(action.entry_point_path, body, perms);
    return action;
  }

  // An executable stand-in for an interpreter, in a bin directory of the temporary tree.
  std::string fakeInterpreter(const std::string& name) {
    const fs::path file = dir_.path() / "bin" / name;
    writeFile(file, "#!/bin/sh\n", kExecutable);
    return file.string();
  }
  std::string fakeBin() const { return (dir_.path() / "bin").string(); }
};

// Whether a message contains a fragment, for EXPECT_PRED2 with both printed on failure.
inline bool contains(const std::string& message, const std::string& fragment) {
  return message.find(fragment) != std::string::npos;
}

}  // namespace rivet::plugins::interpreter_generic
