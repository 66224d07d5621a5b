// Reading an interpreter-script action's shebang: which interpreter its first line names and
// with which arguments, and whether that interpreter's name is on the allow-list.
//
// Pure functions over text, no file system access, so every rule is tested without a pack.
// The line is read as the Linux kernel reads it, so that a script behaves under Rivet as it
// does when run by hand; the one extension is GNU env's `-S`, which splits the rest of the line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "rivet/sdk/status.hpp"

namespace rivet::plugins::interpreter_generic {

// The kernel reads no more than this many bytes of a script for its `#!` line.
inline constexpr std::size_t kShebangBytes = 256;

struct Shebang {
  // An absolute path, or a bare name when `looked_up` (the line was `#!/usr/bin/env NAME`):
  // the runner then finds NAME in its configured `path` and runs it directly, without env.
  std::string interpreter;
  bool looked_up = false;
  // Arguments between the interpreter and the script. Like the kernel, everything after the
  // interpreter's path is one argument (`#!/usr/bin/perl -w -T` gives {"-w -T"}); only
  // `env -S` splits on blanks (`#!/usr/bin/env -S ruby -W0` gives {"-W0"}).
  std::vector<std::string> args;
};

// Parses `head`: the first kShebangBytes bytes of the script, or the whole script when it is
// shorter. Refuses (unprocessable, with a message naming the problem) a head without `#!`, a
// line longer than the kernel reads, a relative interpreter path, CR line ends, and env forms
// other than `env NAME` and `env -S NAME ARGS...` (options, VAR=value, quotes, escapes).
sdk::StatusOr<Shebang> parseShebang(std::string_view head);

// True when `name` is `allowed`, or `allowed` followed by a version made of digits and dots:
// for `python3`, also `python3.11`; for `perl`, also `perl5.36.0`; never `python` or `perlbug`.
bool matchesAllowed(std::string_view name, std::string_view allowed);

}  // namespace rivet::plugins::interpreter_generic
