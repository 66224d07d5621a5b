#include "fleet_commands.hpp"

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>

#include "exit_codes.hpp"
#include "failure_report.hpp"
#include "output_format.hpp"
#include "rivet/client/fleet.hpp"
#include "rivet/client/parameter_arguments.hpp"

namespace rivet::cli {
namespace {

using nlohmann::json;
using rivet::client::FleetOptions;
using rivet::client::FleetResult;
using rivet::client::Instance;

constexpr int kExitStillRunning = 4;  // `fleet status`: some host has not ended yet

std::string firstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

void printSummary(const FleetResult& fleet) {
  std::vector<TableRow> rows;
  for (const auto& host : fleet.hosts) {
    rows.push_back({host.host, host.group.empty() ? "-" : host.group, host.status,
                    host.exit_code ? std::to_string(*host.exit_code) : "-",
                    host.duration_ms ? durationText(*host.duration_ms) : "-",
                    host.error.empty() ? "-" : firstLine(host.error)});
  }
  printTable(std::cout, {"HOST", "GROUP", "STATUS", "EXIT", "DURATION", "ERROR"}, rows);
  std::string counts;
  for (const auto& [status, count] : fleet.countsByStatus()) {
    counts += (counts.empty() ? "" : ", ") + std::to_string(count) + " " + status;
  }
  std::cout << fleet.hosts.size() << " hosts: " << counts << '\n';
  if (fleet.stopped_early) {
    std::cout << "stopped early: more than " << fleet.max_errors
              << " hosts failed (--max-errors); hosts not started are skipped\n";
  }
}

// "[zone us-east-1b] 12/27 done, 3 running, 1 failed", rewritten in place on a terminal.
std::function<void(const rivet::client::FleetProgress&)> progressLine() {
  if (::isatty(STDERR_FILENO) == 0) return nullptr;
  return [](const rivet::client::FleetProgress& progress) {
    std::cerr << "\r\033[K" << (progress.group.empty() ? "" : "[" + progress.group + "] ")
              << progress.done << "/" << progress.total << " done, " << progress.running
              << " running, " << progress.failed << " failed" << std::flush;
  };
}

rivet::sdk::StatusOr<std::vector<Instance>> selectedInstances(const FleetArguments& fleet) {
  auto instances = fleet.inventory_file.empty()
                       ? rivet::client::loadInventoryCommand(fleet.inventory_command)
                       : rivet::client::loadInventoryFile(fleet.inventory_file);
  if (!instances.ok()) return instances.status();
  auto selected = rivet::client::selectInstances(*instances, fleet.selectors);
  if (selected.ok() && selected->empty()) {
    return rivet::sdk::Status(rivet::sdk::ErrorCode::invalid_argument,
                              "no instance of the inventory matches the selection");
  }
  return selected;
}

rivet::sdk::StatusOr<FleetOptions> fleetOptions(const GlobalOptions& options,
                                                const FleetArguments& fleet) {
  FleetOptions fleet_options;
  const auto invalid = [](const std::string& message) {
    return rivet::sdk::Status(rivet::sdk::ErrorCode::invalid_argument, message);
  };
  const auto strategy = rivet::client::parseFleetStrategy(fleet.strategy);
  if (!strategy) {
    return invalid("--strategy must be one-at-a-time, zone, region or parallel, not '" +
                   fleet.strategy + "'");
  }
  fleet_options.strategy = *strategy;
  if (!fleet.max_concurrency.empty()) {
    fleet_options.max_concurrency = rivet::client::parseHostCount(fleet.max_concurrency);
    if (!fleet_options.max_concurrency || fleet_options.max_concurrency->value == 0) {
      return invalid("--max-concurrency must be N or N% (N >= 1), not '" + fleet.max_concurrency + "'");
    }
  }
  const auto max_errors = rivet::client::parseHostCount(fleet.max_errors);
  if (!max_errors) return invalid("--max-errors must be N or N%, not '" + fleet.max_errors + "'");
  fleet_options.max_errors = *max_errors;
  auto tls = options.connection.tlsFiles();
  if (!tls.ok()) return tls.status();
  fleet_options.tls = *tls;
  return fleet_options;
}

// The action as the first host that answers describes it, to type name=value parameters.
rivet::sdk::StatusOr<json> typedParameters(const std::vector<Instance>& instances,
                                           const FleetOptions& options, const std::string& ref,
                                           const std::vector<std::string>& parameters) {
  rivet::sdk::Status last_failure;
  for (const auto& instance : instances) {
    rivet::client::Client client(instance.endpoint, options.tls, options.timeouts);
    const auto action = client.action(ref);
    if (action.ok()) return rivet::client::parameterArguments(parameters, *action);
    if (action.apiError()) return action.status();
    last_failure = action.status();
  }
  return rivet::sdk::Status(last_failure.code(),
                            "no host could describe " + ref + ": " + last_failure.message());
}

int statusOfFleetRun(const GlobalOptions& options, const std::string& file) {
  std::ifstream in(file);
  const json fleet_run = json::parse(in, nullptr, false);
  if (!in || fleet_run.is_discarded()) {
    return reportFailure(rivet::sdk::Status(rivet::sdk::ErrorCode::invalid_argument,
                                            "cannot read the fleet-run file " + file));
  }
  FleetArguments defaults;
  auto fleet_options = fleetOptions(options, defaults);
  if (!fleet_options.ok()) return reportFailure(fleet_options.status());
  auto fleet = rivet::client::fleetStatus(fleet_run, *fleet_options);
  if (!fleet.ok()) return reportFailure(fleet.status());
  if (options.json) {
    printJson(std::cout, fleet->toJson());
  } else {
    printSummary(*fleet);
  }
  const bool running = std::any_of(fleet->hosts.begin(), fleet->hosts.end(), [](const auto& h) {
    return !rivet::client::isTerminalStatus(h.status) && h.status != "error" &&
           h.status != "unreachable";
  });
  return running ? kExitStillRunning : fleet->exitCode();
}

}  // namespace

void addFleetRunOptions(CLI::App& run, FleetArguments& arguments) {
  auto* file = run.add_option("--inventory", arguments.inventory_file,
                              "run on the instances of this JSON or YAML file (docs/fleet.md)");
  run.add_option("--inventory-command", arguments.inventory_command,
                 "run on the instances this command prints (JSON or YAML)")
      ->excludes(file);
  run.add_option("--select", arguments.selectors,
                 "only instances whose attribute KEY equals (or, for a list, holds) VALUE: "
                 "KEY=VALUE, repeatable");
  run.add_option("--strategy", arguments.strategy,
                 "one-at-a-time, zone, region (a group starts after the previous one ended) or "
                 "parallel")
      ->capture_default_str();
  run.add_option("--max-concurrency", arguments.max_concurrency,
                 "hosts at once, N or N% (default: 1, the whole group, or all)");
  run.add_option("--max-errors", arguments.max_errors,
                 "failed hosts tolerated, N or N%; past it no new host starts")
      ->capture_default_str();
  run.add_flag("--async", arguments.async,
               "only submit (parallel strategy) and write a fleet-run file for `rivet fleet "
               "status`");
  run.add_option("--handle", arguments.handle_file,
                 "where --async writes the fleet-run file (default ./fleet-run-<id>.json)");
}

int runOnFleet(const GlobalOptions& options, const FleetArguments& fleet, const std::string& ref,
               const std::vector<std::string>& parameters, std::optional<int> timeout_seconds) {
  auto fleet_options = fleetOptions(options, fleet);
  if (!fleet_options.ok()) return reportFailure(fleet_options.status());
  fleet_options->timeout_seconds = timeout_seconds;
  const auto instances = selectedInstances(fleet);
  if (!instances.ok()) return reportFailure(instances.status());
  const auto typed = typedParameters(*instances, *fleet_options, ref, parameters);
  if (!typed.ok()) return reportFailure(typed.status());

  if (fleet.async) {
    const auto fleet_run = rivet::client::submitFleet(*instances, ref, *typed, *fleet_options);
    if (!fleet_run.ok()) return reportFailure(fleet_run.status());
    const std::string path = fleet.handle_file.empty()
                                 ? "fleet-run-" + (*fleet_run)["fleet_run"].get<std::string>() + ".json"
                                 : fleet.handle_file;
    std::ofstream(path) << fleet_run->dump(2) << '\n';
    std::cout << path << '\n';
    std::cerr << "check it with: rivet fleet status " << path << '\n';
    return kExitOk;
  }

  fleet_options->on_progress = progressLine();
  const auto result = rivet::client::runFleet(*instances, ref, *typed, *fleet_options);
  if (fleet_options->on_progress) std::cerr << '\n';
  if (options.json) {
    printJson(std::cout, result.toJson());
  } else {
    printSummary(result);
  }
  return result.exitCode();
}

void addFleetCommands(CLI::App& app, const GlobalOptions& options, Commands& commands) {
  CLI::App* fleet = app.add_subcommand("fleet", "Fleet runs started with `rivet run --async`");
  fleet->require_subcommand(1);
  auto file = std::make_shared<std::string>();
  CLI::App* status = fleet->add_subcommand(
      "status", "Each host's execution of a fleet run; exit 0 all succeeded, 1 any failed, 4 "
                "still running");
  status->add_option("file", *file, "the fleet-run file `rivet run --async` wrote")->required();
  commands.push_back({status, [&options, file] { return statusOfFleetRun(options, *file); }});
}

}  // namespace rivet::cli
