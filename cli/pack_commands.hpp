// `rivet pack keygen`, `rivet pack build` and `rivet pack verify`: signed pack artifacts,
// made and checked locally (docs/pack-delivery.md).
#pragma once

#include <CLI/CLI.hpp>

#include "command.hpp"

namespace rivet::cli {

void addPackCommands(CLI::App& app, Commands& commands);

}  // namespace rivet::cli
