// `rivet certs init` and `rivet certs issue-client`: a development PKI for a local trial.
#pragma once

#include <CLI/CLI.hpp>

#include "command.hpp"

namespace rivet::cli {

void addCertsCommands(CLI::App& app, Commands& commands);

}  // namespace rivet::cli
