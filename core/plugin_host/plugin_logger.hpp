// The sdk::Logger handed to plugins: their messages go to rivetd's Poco log under
// "rivetd.<plugin name>", one format and one destination for everything.
#pragma once

#include <Poco/Logger.h>

#include <string>

#include "rivet/sdk/plugin.hpp"

namespace rivet::core {

class PocoPluginLogger final : public sdk::Logger {
 public:
  explicit PocoPluginLogger(const std::string& name) : logger_(Poco::Logger::get(name)) {}

  void log(sdk::LogLevel level, std::string_view message) override {
    const std::string text(message);
    switch (level) {
      case sdk::LogLevel::debug: logger_.debug(text); break;
      case sdk::LogLevel::info: logger_.information(text); break;
      case sdk::LogLevel::warning: logger_.warning(text); break;
      case sdk::LogLevel::error: logger_.error(text); break;
    }
  }

 private:
  Poco::Logger& logger_;
};

}  // namespace rivet::core
