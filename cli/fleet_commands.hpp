// Fleet runs from the CLI (docs/fleet.md): `rivet run REF ... --inventory FILE` runs one action
// on many hosts with a strategy; `rivet fleet status FILE` checks an asynchronous one later.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "command.hpp"

namespace rivet::cli {

struct FleetArguments {
  std::string inventory_file;
  std::string inventory_command;
  std::vector<std::string> selectors;
  std::string strategy = "one-at-a-time";
  std::string max_concurrency;  // "" : by strategy
  std::string max_errors = "0";
  bool async = false;
  std::string handle_file;      // where --async writes the fleet-run file

  bool requested() const { return !inventory_file.empty() || !inventory_command.empty(); }
};

// Adds --inventory, --inventory-command, --select, --strategy, --max-concurrency, --max-errors,
// --async and --handle to `rivet run`.
void addFleetRunOptions(CLI::App& run, FleetArguments& arguments);

// `rivet run` on a fleet: exit 0 when every selected host succeeded, 1 otherwise, 2 on a bad
// inventory or option.
int runOnFleet(const GlobalOptions& options, const FleetArguments& fleet, const std::string& ref,
               const std::vector<std::string>& parameters, std::optional<int> timeout_seconds);

// `rivet fleet status FILE`.
void addFleetCommands(CLI::App& app, const GlobalOptions& options, Commands& commands);

}  // namespace rivet::cli
