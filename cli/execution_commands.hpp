// `rivet run`, `rivet get`, `rivet list` and `rivet output`: starting executions and reading
// them back.
#pragma once

#include <CLI/CLI.hpp>

#include "command.hpp"

namespace rivet::cli {

void addExecutionCommands(CLI::App& app, const GlobalOptions& options, Commands& commands);

}  // namespace rivet::cli
