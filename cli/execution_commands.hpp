// `rivet run`, `rivet get`, `rivet list`, `rivet output`, `rivet tail` and `rivet kill`:
// starting executions, following and reading them back, and canceling them.
#pragma once

#include <CLI/CLI.hpp>

#include "command.hpp"

namespace rivet::cli {

void addExecutionCommands(CLI::App& app, const GlobalOptions& options, Commands& commands);

}  // namespace rivet::cli
