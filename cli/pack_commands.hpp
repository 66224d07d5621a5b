// `rivet pack keygen`, `build` and `verify`: signed pack artifacts, made and checked locally;
// `rivet pack publish`, `promote` and `history`: the pack store (docs/pack-delivery.md).
#pragma once

#include <CLI/CLI.hpp>

#include "command.hpp"

namespace rivet::cli {

void addPackCommands(CLI::App& app, const GlobalOptions& options, Commands& commands);

}  // namespace rivet::cli
