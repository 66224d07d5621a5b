// rivetd: loads its plugins and packs, serves the REST API, runs actions, and stops on
// SIGTERM/SIGINT leaving running actions running.
#pragma once

#include <Poco/AutoPtr.h>
#include <Poco/Util/IniFileConfiguration.h>
#include <Poco/Util/ServerApplication.h>

#include <string>
#include <vector>

namespace rivet::core {

class RivetdApplication final : public Poco::Util::ServerApplication {
 protected:
  void defineOptions(Poco::Util::OptionSet& options) override;
  void handleOption(const std::string& name, const std::string& value) override;
  int main(const std::vector<std::string>& args) override;

 private:
  int serve();
  void printConfigHelp();

  bool help_requested_ = false;
  bool config_help_requested_ = false;
  Poco::AutoPtr<Poco::Util::IniFileConfiguration> file_config_;
};

}  // namespace rivet::core
