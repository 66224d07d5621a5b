// How a command group hands its subcommands to main: each subcommand comes with the work it
// does, run only once the whole command line, environment and config file have been read.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

#include "connection_options.hpp"

namespace rivet::cli {

struct Command {
  CLI::App* subcommand;
  std::function<int()> run;  // returns the process exit code
};

using Commands = std::vector<Command>;

// The options every command that talks to a host reads.
struct GlobalOptions {
  ConnectionOptions connection;
  bool json = false;  // print the API's JSON as is, for scripts
};

}  // namespace rivet::cli
