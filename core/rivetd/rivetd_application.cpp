#include "rivetd/rivetd_application.hpp"

#include <Poco/AsyncChannel.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/PatternFormatter.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>

#include "api/rest_api.hpp"
#include "config/host_config.hpp"
#include "config/pack_delivery_config.hpp"
#include "executor/executor.hpp"
#include "lifecycle/background_lifecycle.hpp"
#include "lifecycle/history_lifecycle.hpp"
#include "metrics/execution_metrics.hpp"
#include "packs/pack_catalog.hpp"
#include "plugin_host/plugin_logger.hpp"
#include "plugin_host/plugin_set.hpp"
#include "preparation/pack_preparation.hpp"
#include "rivetd/runner_binding.hpp"
#include "sync/pack_sync.hpp"

namespace rivet::core {
namespace {

using Poco::Util::Option;

DefaultPaths defaultPaths(const std::filesystem::path& binary_dir) {
  DefaultPaths paths;
  paths.plugin_dir = (binary_dir / "../lib/rivet/plugins").lexically_normal();
  paths.shim_path = binary_dir / "rivet-shim";
  const auto installed_packs = (binary_dir / "../share/rivet/packs").lexically_normal();
  paths.packs_dir = std::filesystem::is_directory(installed_packs)
                        ? installed_packs
                        : std::filesystem::path(RIVET_SOURCE_PACKS_DIR);
  return paths;
}

// What every action process starts from; a plan's own variables are added on top.
std::vector<std::string> baseEnvironment() {
  const char* home = std::getenv("HOME");
  return {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
          "LANG=C.UTF-8", std::string("HOME=") + (home ? home : "/")};
}

// Written once listening, so scripts and tests learn the real port when it was 0.
void writeEndpointsFile(const std::filesystem::path& data_dir,
                        const std::vector<std::string>& endpoints) {
  const auto path = data_dir / "rivetd.endpoints";
  const auto temporary = data_dir / "rivetd.endpoints.tmp";
  {
    std::ofstream out(temporary);
    for (const auto& endpoint : endpoints) out << endpoint << "\n";
  }
  std::filesystem::rename(temporary, path);
}

void setUpLogging(const std::string& level) {
  Poco::AutoPtr<Poco::PatternFormatter> formatter(
      new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %p %s: %t"));
  Poco::AutoPtr<Poco::FormattingChannel> channel(
      new Poco::FormattingChannel(formatter, new Poco::ConsoleChannel(std::cerr)));
  Poco::Logger::root().setChannel(channel);
  Poco::Logger::root().setLevel(level);
  Poco::Logger::setLevel("", Poco::Logger::parseLevel(level));
}

}  // namespace

void RivetdApplication::defineOptions(Poco::Util::OptionSet& options) {
  ServerApplication::defineOptions(options);
  options.addOption(Option("help", "h", "Show the options and exit."));
  options.addOption(Option("help-config", "",
                           "Show every config key of rivetd and of the configured plugins."));
  options.addOption(Option("config", "c", "Read this INI file. Without it rivetd starts on "
                                          "its embedded default (see --help-config).")
                        .argument("FILE"));
  options.addOption(Option("define", "D", "Set a config key, overriding the file: "
                                          "-D rivetd.nice=5, -D transport-https.port=0.")
                        .argument("key=value")
                        .repeatable(true));
}

void RivetdApplication::handleOption(const std::string& name, const std::string& value) {
  ServerApplication::handleOption(name, value);
  if (name == "help") {
    help_requested_ = true;
    stopOptionsProcessing();
  } else if (name == "help-config") {
    config_help_requested_ = true;
  } else if (name == "config") {
    file_config_ = new Poco::Util::IniFileConfiguration(value);
    config().add(file_config_, PRIO_DEFAULT, false);
  } else if (name == "define") {
    const auto equals = value.find('=');
    config().setString(value.substr(0, equals),
                       equals == std::string::npos ? "" : value.substr(equals + 1));
  }
}

int RivetdApplication::main(const std::vector<std::string>& /*args*/) {
  if (help_requested_) {
    Poco::Util::HelpFormatter help(options());
    help.setCommand(commandName());
    help.setUsage("[--config FILE] [-D key=value]...");
    help.setHeader("rivetd: the Rivet on-host diagnostic and remediation agent.");
    help.format(std::cout);
    return EXIT_OK;
  }
  try {
    return serve();
  } catch (const std::exception& e) {
    Poco::Logger::get("rivetd").fatal(std::string("stopped: ") + e.what());
    return EXIT_SOFTWARE;
  }
}

void RivetdApplication::printConfigHelp() {
  std::cout << describeSection(kHostSection, hostConfigKeys());
  std::cout << "\n" << describeSection(kPackSyncSection, packSyncConfigKeys());
  std::cout << "\n" << describeSection(kDevPacksSection, devPacksConfigKeys());
  auto host = readHostConfig(config(), defaultPaths(config().getString("application.dir")));
  if (!host.ok()) return;
  for (const auto& name : host->plugins) {
    auto loaded = loadPlugin(pluginFile(host->plugin_dir, name), name);
    if (loaded.ok()) {
      std::cout << "\n" << describeSection(name, loaded->info.config_keys);
    } else {
      std::cout << "\n[" << name << "]\n  (cannot describe: " << loaded.status().message() << ")\n";
    }
  }
}

int RivetdApplication::serve() {
  if (config_help_requested_) {
    printConfigHelp();
    return EXIT_OK;
  }
  auto& log = Poco::Logger::get("rivetd");
  const auto fail = [&log](int code, const std::string& message) {
    log.fatal(message);
    return code;
  };

  auto host = readHostConfig(config(), defaultPaths(config().getString("application.dir")));
  if (!host.ok()) {
    setUpLogging("information");
    return fail(EXIT_CONFIG, host.status().message());
  }
  setUpLogging(host->log_level);
  std::error_code ec;
  std::filesystem::create_directories(host->data_dir, ec);
  if (ec) return fail(EXIT_CANTCREAT, "cannot create " + host->data_dir.string() + ": " + ec.message());
  log.information("rivetd " RIVET_VERSION " starting; data " + host->data_dir.string() +
                  ", packs " + host->packs_dir.string() + ", plugins " +
                  host->plugin_dir.string() +
                  (file_config_ ? "" : " (no --config: embedded default)"));

  auto sync_config = readPackSyncConfig(config(), host->data_dir);
  if (!sync_config.ok()) return fail(EXIT_CONFIG, sync_config.status().message());
  auto dev_packs = readDevPacksConfig(config(), host->data_dir);
  if (!dev_packs.ok()) return fail(EXIT_CONFIG, dev_packs.status().message());
  auto plugins = PluginSet::load(*host, config());
  if (!plugins.ok()) return fail(EXIT_CONFIG, plugins.status().message());
  if (file_config_) {
    std::set<std::string> sections{kHostSection, kPackSyncSection, kDevPacksSection};
    for (const auto& info : (*plugins)->infos()) sections.insert(info.name);
    if (auto status = checkSections(*file_config_, sections); !status.ok()) {
      return fail(EXIT_CONFIG, status.message());
    }
  }
  for (const auto& info : (*plugins)->infos()) {
    log.information("loaded " + std::string(toString(info.kind)) + " plugin " + info.name + " " +
                    info.version + " from " + info.file);
  }

  if (!std::filesystem::is_directory(host->packs_dir)) {
    log.warning("packs directory " + host->packs_dir.string() + " does not exist: no actions");
  }
  auto& storage = (*plugins)->storage();
  // Pack directories rivetd made go when no execution runs from them, and that includes the
  // executions an earlier rivetd left running, which recover() takes over below.
  const auto pack_dirs_in_use = packDirectoriesInUse(storage);
  std::error_code listing;
  for (std::filesystem::directory_iterator it(dev_packs->work_dir, listing), end;
       !listing && it != end; it.increment(listing)) {
    std::error_code ignored;
    if (!pack_dirs_in_use.contains(it->path())) std::filesystem::remove_all(it->path(), ignored);
  }
  ExecutionMetrics metrics;
  PocoPluginLogger sync_log("rivetd.pack-sync");
  std::optional<PackSync> sync;
  auto loaded_catalog = PackCatalog::load(host->packs_dir.string());
  bindRunners(loaded_catalog, **plugins);
  if (sync_config->enabled()) {
    sync.emplace(*sync_config, **plugins, sync_log,
                 [&metrics](const std::string& pack) { metrics.packUpgradeFailed(pack); });
    loaded_catalog = sync->withInstalled(std::move(loaded_catalog), pack_dirs_in_use);
    log.information("pack sync: stage " + sync_config->stage + " of " + sync_config->store_url +
                    ", every " + std::to_string(sync_config->interval.count() / 1000) + "s");
  }
  LiveCatalog catalog(std::move(loaded_catalog));
  const auto initial_catalog = catalog.current();
  for (const auto& pack : initial_catalog->packs()) {
    if (!pack.available) log.warning("pack " + pack.spec.ref + " unavailable: " + pack.error);
    for (const auto& action : pack.actions) {
      if (!action.available) {
        log.warning("action " + action.spec.ref() + " unavailable: " + action.error);
      }
    }
  }

  std::size_t unavailable_packs = 0;
  for (const auto& pack : initial_catalog->packs()) unavailable_packs += pack.available ? 0 : 1;
  metrics.packLoadFailures(unavailable_packs);

  // One hold per directory, shared by the executions recovered from it: the directory of a
  // replaced version or a dev pack goes with the last of them, an installed one stays.
  std::map<std::filesystem::path, std::shared_ptr<const OwnedPackDirectory>> recovered_holds;
  for (const auto& directory : pack_dirs_in_use) {
    std::shared_ptr<OwnedPackDirectory> hold = sync ? sync->installedHold(directory) : nullptr;
    if (!hold) {
      hold = std::make_shared<OwnedPackDirectory>(directory);
      hold->retire();
    }
    recovered_holds.emplace(directory, std::move(hold));
  }
  PocoPluginLogger executor_log("rivetd.executor");
  if (const auto* sandbox = (*plugins)->sandbox(); sandbox != nullptr) {
    if (const auto state = sandbox->state(); !state.usable) {
      log.warning("actions run without resource caps: " + state.description);
    }
  }
  ExecutorOptions executor_options{
      .data_dir = host->data_dir,
      .shim_path = host->shim_path,
      .nice = host->nice,
      .base_env = baseEnvironment(),
      .max_running = host->max_running,
      .max_queued = host->max_queued,
      .kill_grace_seconds = host->kill_grace_seconds,
      .on_end =
          [&metrics](const sdk::ExecutionRecord& record) {
            const auto seconds = record.started_at_ms && record.ended_at_ms
                                     ? (*record.ended_at_ms - *record.started_at_ms) / 1000.0
                                     : 0.0;
            metrics.executionEnded(record.ref(), record.status, seconds);
          },
      .sandbox = (*plugins)->sandbox(),
      .action_limits =
          [&catalog](const std::string& pack, const std::string& action) {
            const auto current = catalog.current();
            const auto* entry = current->findAction(pack + "." + action);
            return entry != nullptr ? entry->spec.limits : sdk::ResourceLimits{};
          },
      .recovered_pack_hold =
          [&recovered_holds](const std::filesystem::path& directory) {
            const auto it = recovered_holds.find(directory);
            return it != recovered_holds.end() ? it->second : nullptr;
          },
  };
  Executor executor(storage, std::move(executor_options), executor_log);
  executor.recover();
  recovered_holds.clear();  // the executions recovered hold theirs now

  PocoPluginLogger lifecycle_log("rivetd.lifecycle");
  LifecycleOptions lifecycle_options;
  lifecycle_options.data_dir = host->data_dir;
  lifecycle_options.compress_after = host->compress_after;
  lifecycle_options.retention = host->retention;
  HistoryLifecycle history(storage, lifecycle_options, [] { return nowMs(); }, lifecycle_log);
  BackgroundLifecycle lifecycle(history, host->lifecycle_interval);

  PocoPluginLogger preparation_log("rivetd.packs");
  PackPreparation preparation(initial_catalog, **plugins, preparation_log,
                              [&metrics, unavailable_packs](std::size_t failures) {
                                metrics.packLoadFailures(unavailable_packs + failures);
                              });

  RestApi api(ApiContext{catalog, preparation, **plugins, executor, &metrics, nowMs(),
                         host->max_timeout_seconds, sync ? &*sync : nullptr, &*dev_packs});

  std::vector<std::string> endpoints;
  for (const auto& transport : (*plugins)->transports()) {
    if (auto status = transport->start(api); !status.ok()) {
      for (const auto& started : (*plugins)->transports()) started->stop();
      return fail(EXIT_UNAVAILABLE, "cannot start transport: " + status.message());
    }
    for (const auto& endpoint : transport->endpoints()) endpoints.push_back(endpoint);
  }
  if (sync) sync->start(catalog);
  writeEndpointsFile(host->data_dir, endpoints);
  for (const auto& endpoint : endpoints) log.information("listening on " + endpoint);

  waitForTerminationRequest();
  log.information("stopping; running actions keep running");
  for (const auto& transport : (*plugins)->transports()) transport->stop();
  if (sync) sync->stop();
  lifecycle.stop();
  executor.stop();
  std::filesystem::remove(host->data_dir / "rivetd.endpoints", ec);
  return EXIT_OK;
}

}  // namespace rivet::core
