// `rivet health`, `rivet packs`, `rivet actions` and `rivet action REF`: what a host offers.
#pragma once

#include <CLI/CLI.hpp>

#include "command.hpp"

namespace rivet::cli {

void addCatalogCommands(CLI::App& app, const GlobalOptions& options, Commands& commands);

}  // namespace rivet::cli
