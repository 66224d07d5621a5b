// The plugins rivetd runs with, loaded from the config and sorted by kind.
//
// Rules checked here, each a startup error naming the plugin: exactly one storage plugin, at
// least one transport, at most one sandbox, no runner type claimed twice, and an object
// that really implements the kind its descriptor declares.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <Poco/Util/AbstractConfiguration.h>

#include "config/host_config.hpp"
#include "plugin_host/plugin_loader.hpp"
#include "rivet/sdk/runner.hpp"
#include "rivet/sdk/sandbox.hpp"
#include "rivet/sdk/storage.hpp"
#include "rivet/sdk/transport.hpp"

namespace rivet::core {

class PluginSet {
 public:
  // Loads the plugins named by `host.plugins` from `host.plugin_dir` and configures each with
  // its [<name>] section of `config`.
  static sdk::StatusOr<std::unique_ptr<PluginSet>> load(
      const HostConfig& host, const Poco::Util::AbstractConfiguration& config);

  sdk::ExecutionStore& storage() const { return *storage_; }
  const std::vector<std::shared_ptr<sdk::Transport>>& transports() const { return transports_; }
  // nullptr when no loaded runner serves `runner_type`.
  sdk::Runner* runnerFor(const std::string& runner_type) const;
  const std::vector<std::shared_ptr<sdk::Runner>>& runners() const { return runners_; }
  const std::vector<PluginInfo>& infos() const { return infos_; }
  // nullptr when no sandbox plugin is loaded.
  sdk::Sandbox* sandbox() const { return sandbox_.get(); }

 private:
  // Declared first so they are destroyed last: plugins may log until they are gone.
  std::vector<std::unique_ptr<sdk::Logger>> loggers_;
  std::vector<PluginInfo> infos_;
  std::shared_ptr<sdk::ExecutionStore> storage_;
  std::vector<std::shared_ptr<sdk::Transport>> transports_;
  std::vector<std::shared_ptr<sdk::Runner>> runners_;
  std::map<std::string, sdk::Runner*> runner_by_type_;
  std::shared_ptr<sdk::Sandbox> sandbox_;
};

}  // namespace rivet::core
