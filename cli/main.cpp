// rivet: the command-line client of rivetd. Parses the command line with CLI11, then runs the
// one subcommand that was given; see README.md for the commands and exit codes.
#include <CLI/CLI.hpp>
#include <iostream>

#include "catalog_commands.hpp"
#include "certs_commands.hpp"
#include "command.hpp"
#include "execution_commands.hpp"
#include "fleet_commands.hpp"
#include "exit_codes.hpp"
#include "pack_commands.hpp"

int main(int argc, char** argv) {
  using namespace rivet::cli;

  CLI::App app("rivet: run whitelisted diagnostic and remediation actions on rivetd hosts",
               "rivet");
  app.set_version_flag("--version", "rivet " RIVET_VERSION);
  app.require_subcommand(1);
  // Global options may also follow the subcommand: `rivet run linux.uptime --json`.
  app.fallthrough();

  GlobalOptions options;
  options.connection.addTo(app);
  app.add_flag("--json", options.json, "print the API's JSON instead of text, for scripts");

  Commands commands;
  addCertsCommands(app, commands);
  addCatalogCommands(app, options, commands);
  addExecutionCommands(app, options, commands);
  addFleetCommands(app, options, commands);
  addPackCommands(app, options, commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  }
  for (const Command& command : commands) {
    if (command.subcommand->parsed()) return command.run();
  }
  return kExitUsage;
}
