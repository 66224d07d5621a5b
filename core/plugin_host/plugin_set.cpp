#include "plugin_host/plugin_set.hpp"

#include <exception>

#include "plugin_host/plugin_logger.hpp"

namespace rivet::core {
namespace {

using sdk::ErrorCode;
using sdk::Status;

Status notOfKind(const PluginInfo& info) {
  return Status(ErrorCode::unavailable,
                "plugin " + info.file + " declares kind " + std::string(toString(info.kind)) +
                    " but its object does not implement that interface");
}

}  // namespace

sdk::Runner* PluginSet::runnerFor(const std::string& runner_type) const {
  auto it = runner_by_type_.find(runner_type);
  return it == runner_by_type_.end() ? nullptr : it->second;
}

sdk::StatusOr<std::unique_ptr<PluginSet>> PluginSet::load(
    const HostConfig& host, const Poco::Util::AbstractConfiguration& config) {
  auto set = std::make_unique<PluginSet>();
  for (const auto& name : host.plugins) {
    for (const auto& info : set->infos_) {
      if (info.name == name) {
        return Status(ErrorCode::invalid_argument, "plugin '" + name + "' is listed twice");
      }
    }
    auto loaded = loadPlugin(pluginFile(host.plugin_dir, name), name);
    if (!loaded.ok()) return loaded.status();
    auto section = readSection(config, name, loaded->info.config_keys);
    if (!section.ok()) return section.status();

    set->loggers_.push_back(std::make_unique<PocoPluginLogger>("rivetd." + name));
    sdk::PluginContext context{host.data_dir.string(), std::move(section).value(),
                               set->loggers_.back().get()};
    Status configured;
    try {
      configured = loaded->object->configure(context);
    } catch (const std::exception& e) {
      configured = Status(ErrorCode::internal, std::string("threw: ") + e.what());
    }
    if (!configured.ok()) {
      return Status(configured.code(), "plugin '" + name + "': " + configured.message());
    }

    const auto& info = loaded->info;
    const auto& object = loaded->object;
    switch (info.kind) {
      case sdk::PluginKind::storage: {
        auto storage = std::dynamic_pointer_cast<sdk::ExecutionStore>(object);
        if (!storage) return notOfKind(info);
        if (set->storage_) {
          return Status(ErrorCode::invalid_argument,
                        "plugin '" + name + "' is a second storage plugin; load exactly one");
        }
        set->storage_ = std::move(storage);
        break;
      }
      case sdk::PluginKind::transport: {
        auto transport = std::dynamic_pointer_cast<sdk::Transport>(object);
        if (!transport) return notOfKind(info);
        set->transports_.push_back(std::move(transport));
        break;
      }
      case sdk::PluginKind::runner: {
        auto runner = std::dynamic_pointer_cast<sdk::Runner>(object);
        if (!runner) return notOfKind(info);
        for (const auto& type : runner->runnerTypes()) {
          if (set->runner_by_type_.contains(type)) {
            return Status(ErrorCode::invalid_argument,
                          "runner type '" + type + "' is claimed by two plugins, the second '" +
                              name + "'");
          }
          set->runner_by_type_[type] = runner.get();
        }
        set->runners_.push_back(std::move(runner));
        break;
      }
      case sdk::PluginKind::sandbox: {
        auto sandbox = std::dynamic_pointer_cast<sdk::Sandbox>(object);
        if (!sandbox) return notOfKind(info);
        if (set->sandbox_) {
          return Status(ErrorCode::invalid_argument, "more than one sandbox plugin is listed");
        }
        set->sandbox_ = std::move(sandbox);
        break;
      }
    }
    set->infos_.push_back(info);
  }
  if (!set->storage_) {
    return Status(ErrorCode::invalid_argument,
                  "no storage plugin is listed in [rivetd] plugins (e.g. storage-sqlite)");
  }
  if (set->transports_.empty()) {
    return Status(ErrorCode::invalid_argument,
                  "no transport plugin is listed in [rivetd] plugins (e.g. transport-https)");
  }
  return set;
}

}  // namespace rivet::core
