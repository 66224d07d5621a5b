#include "catalog_commands.hpp"

#include <iostream>
#include <memory>

#include "exit_codes.hpp"
#include "failure_report.hpp"
#include "output_format.hpp"

namespace rivet::cli {
namespace {

using nlohmann::json;
using rivet::client::Client;

const json& items(const json& list) {
  static const json kNone = json::array();
  const auto found = list.find("items");
  return found != list.end() && found->is_array() ? *found : kNone;
}

// "ok", "disabled" or "unavailable", for a pack or an action.
std::string stateText(const json& entry) {
  if (!entry.value("available", true)) return "unavailable";
  if (!entry.value("enabled", true)) return "disabled";
  return "ok";
}

// The reasons why entries are unavailable, below their table.
void printErrors(const json& entries) {
  for (const auto& entry : entries) {
    const auto error = entry.value("error", "");
    if (!error.empty()) std::cout << fieldText(entry, "ref") << ": " << error << '\n';
  }
}

void printHealth(const json& health) {
  const json packs = health.value("packs", json::object());
  Fields fields{{"status", fieldText(health, "status")},
                {"version", fieldText(health, "version")},
                {"uptime", durationText(health.value("uptime_seconds", 0ll) * 1000)},
                {"packs", fieldText(packs, "loaded") + " loaded, " +
                              fieldText(packs, "unavailable") + " unavailable"},
                {"executions",
                 fieldText(health.value("executions", json::object()), "running") + " running"}};
  if (const auto sandbox = health.find("sandbox"); sandbox != health.end() && sandbox->is_object()) {
    fields.push_back({"sandbox", (sandbox->value("usable", false) ? "" : "UNUSABLE: ") +
                                     sandbox->value("description", "")});
  }
  for (const auto& warning : health.value("warnings", json::array())) {
    fields.push_back({"warning", valueText(warning)});
  }
  printFields(std::cout, fields);
  std::vector<TableRow> rows;
  for (const auto& plugin : health.value("plugins", json::array())) {
    rows.push_back({fieldText(plugin, "name"), fieldText(plugin, "kind"),
                    fieldText(plugin, "version"), fieldText(plugin, "file")});
  }
  std::cout << '\n';
  printTable(std::cout, {"PLUGIN", "KIND", "VERSION", "FILE"}, rows);
}

// "packs_dir", or "store:<stage>" for a pack that pack sync installed.
std::string sourceText(const json& pack) {
  const auto source = pack.value("source", "");
  const auto stage = pack.find("stage");
  return stage != pack.end() && stage->is_string() ? source + ":" + stage->get<std::string>()
                                                   : source;
}

void printNotInstalled(const std::string& pack, const json& failure) {
  std::cout << pack << ": version " << fieldText(failure, "version")
            << " not installed: " << fieldText(failure, "error") << '\n';
}

void printPacks(const json& packs) {
  std::vector<TableRow> rows;
  for (const auto& pack : items(packs)) {
    rows.push_back({fieldText(pack, "ref"), fieldText(pack, "version"), sourceText(pack),
                    fieldText(pack, "actions"), stateText(pack), fieldText(pack, "description")});
  }
  printTable(std::cout, {"PACK", "VERSION", "SOURCE", "ACTIONS", "STATE", "DESCRIPTION"}, rows);
  printErrors(items(packs));
  // A newer version of the stage that is not installed: the listed one keeps serving.
  for (const auto& pack : items(packs)) {
    const auto failure = pack.find("upgrade_failure");
    if (failure != pack.end() && failure->is_object()) {
      printNotInstalled(fieldText(pack, "ref"), *failure);
    }
  }
  const auto sync = packs.find("sync");
  if (sync == packs.end() || !sync->is_object()) return;
  // A named copy: items() of a temporary would dangle in the loop.
  const json not_installed = sync->value("not_installed", json::object());
  for (const auto& [name, failure] : not_installed.items()) printNotInstalled(name, failure);
  if (const auto error = sync->value("last_error", ""); !error.empty()) {
    std::cout << "pack store " << fieldText(*sync, "store") << ": " << error << '\n';
  }
}

void printActions(const json& actions) {
  std::vector<TableRow> rows;
  for (const auto& action : items(actions)) {
    rows.push_back({fieldText(action, "ref"), fieldText(action, "runner_type"), stateText(action),
                    fieldText(action, "description")});
  }
  printTable(std::cout, {"ACTION", "RUNNER", "STATE", "DESCRIPTION"}, rows);
  printErrors(items(actions));
}

std::string parameterFlags(const json& parameter) {
  std::string flags;
  for (const char* flag : {"required", "secret", "immutable"}) {
    if (parameter.value(flag, false)) flags += std::string(flags.empty() ? "" : ",") + flag;
  }
  return flags.empty() ? "-" : flags;
}

void printAction(const json& action) {
  Fields fields = {{"action", fieldText(action, "ref")},
                   {"description", fieldText(action, "description")},
                   {"runner", fieldText(action, "runner_type")},
                   {"state", stateText(action)},
                   {"timeout", durationText(action.value("timeout_seconds", 0ll) * 1000)}};
  if (const auto error = action.value("error", ""); !error.empty())
    fields.push_back({"error", error});
  printFields(std::cout, fields);

  std::vector<TableRow> rows;
  const json parameters = action.value("parameters", json::object());
  for (const auto& [name, parameter] : parameters.items()) {
    std::string description = parameter.value("description", "");
    if (const auto choices = parameter.find("enum");
        choices != parameter.end() && choices->is_array()) {
      std::string listed;
      for (const auto& choice : *choices)
        listed += (listed.empty() ? "" : ", ") + valueText(choice);
      description += (description.empty() ? "one of: " : " (one of: ") + listed +
                     (description.empty() ? "" : ")");
    }
    rows.push_back({name, fieldText(parameter, "type"), parameterFlags(parameter),
                    fieldText(parameter, "default"), description});
  }
  std::cout << '\n';
  if (rows.empty()) {
    std::cout << "no parameters\n";
  } else {
    printTable(std::cout, {"PARAMETER", "TYPE", "FLAGS", "DEFAULT", "DESCRIPTION"}, rows);
  }
}

// Adds a subcommand that makes one API call and prints its JSON, raw or through `print`.
CLI::App* addQueryCommand(CLI::App& app, const GlobalOptions& options, Commands& commands,
                          const char* name, const char* description,
                          std::function<rivet::client::Result<json>(Client&)> query,
                          void (*print)(const json&)) {
  CLI::App* subcommand = app.add_subcommand(name, description);
  commands.push_back({subcommand, [&options, query = std::move(query), print] {
                        return withClient(options.connection, [&](Client& client) {
                          const auto result = query(client);
                          if (!result.ok()) return reportFailure(result);
                          if (options.json) {
                            printJson(std::cout, *result);
                          } else {
                            print(*result);
                          }
                          return static_cast<int>(kExitOk);
                        });
                      }});
  return subcommand;
}

}  // namespace

void addCatalogCommands(CLI::App& app, const GlobalOptions& options, Commands& commands) {
  addQueryCommand(
      app, options, commands, "health", "Show the host's status, version and plugins",
      [](Client& client) { return client.health(); }, printHealth);
  addQueryCommand(
      app, options, commands, "packs", "List the packs",
      [](Client& client) { return client.packs(); }, printPacks);
  addQueryCommand(
      app, options, commands, "actions", "List the actions",
      [](Client& client) { return client.actions(); }, printActions);

  auto ref = std::make_shared<std::string>();
  CLI::App* action = addQueryCommand(
      app, options, commands, "action", "Show one action and its parameters",
      [ref](Client& client) { return client.action(*ref); }, printAction);
  action->add_option("ref", *ref, "the action, as PACK.ACTION")->required();
}

}  // namespace rivet::cli
