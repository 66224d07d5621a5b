#include "config/host_config.hpp"

#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <algorithm>
#include <array>
#include <sstream>

namespace rivet::core {
namespace {

using sdk::ErrorCode;
using sdk::Status;

const std::array<ConfigKey, 14> kHostKeys{{
    {"data_dir", "path", "./rivet-data",
     "Execution history, output files and generated dev certificates live here."},
    {"packs_dir", "path", "",
     "Directory of packs. Default: the packs installed beside rivetd, else the repository's."},
    {"plugin_dir", "path", "",
     "Directory of plugin .so files. Default: <rivetd's dir>/../lib/rivet/plugins."},
    {"plugins", "list", "storage-sqlite, transport-https, shell, python-venv, interpreter-generic",
     "Plugins to load, by name (file <plugin_dir>/<name>.so). Exactly one storage plugin and "
     "at least one transport."},
    {"nice", "integer", "1", "Nice level of every action process (0..19)."},
    {"log_level", "string", "information",
     "debug, information, warning or error. The log goes to stderr (journald under systemd)."},
    {"shim_path", "path", "",
     "The per-execution supervisor binary. Default: rivet-shim beside rivetd."},
    {"max_running", "integer", "16", "Executions running at once; more wait as `scheduled`."},
    {"max_queued", "integer", "256",
     "Executions waiting for a slot; beyond it POST answers 429 with Retry-After."},
    {"kill_grace_seconds", "integer", "5",
     "On timeout or cancel: seconds between SIGTERM and SIGKILL to the action's tree."},
    {"max_timeout_seconds", "integer", "86400",
     "The longest timeout a request may ask for (a request may also lower an action's)."},
    {"compress_after", "duration", "1d",
     "Output files are compressed with zstd this long after their execution ended."},
    {"retention", "duration", "180d",
     "Executions that ended longer ago are deleted with their output."},
    {"lifecycle_interval", "duration", "1h",
     "How often compression and retention run (and once at start)."},
}};

Status checkValue(const std::string& section, const ConfigKey& key, const std::string& value) {
  const auto where = "[" + section + "] " + key.name + " = '" + value + "': ";
  // A key without a default is optional: left empty, it means "none" (no cap, no file).
  if (key.default_value.empty() && Poco::trim(value).empty()) return Status::success();
  if (key.type == "integer") {
    Poco::Int64 parsed = 0;
    if (!Poco::NumberParser::tryParse64(Poco::trim(value), parsed)) {
      return Status(ErrorCode::invalid_argument, where + "not an integer");
    }
  } else if (key.type == "duration") {
    if (!parseDuration(Poco::trim(value))) {
      return Status(ErrorCode::invalid_argument, where + "not a duration (90s, 15m, 1h, 180d)");
    }
  } else if (key.type == "boolean") {
    bool parsed = false;
    if (!Poco::NumberParser::tryParseBool(Poco::trim(value), parsed)) {
      return Status(ErrorCode::invalid_argument, where + "not a boolean (true/false)");
    }
  }
  return Status::success();
}

}  // namespace

std::vector<std::string> parseList(const std::string& value) {
  Poco::StringTokenizer items(value, ",",
                              Poco::StringTokenizer::TOK_TRIM |
                                  Poco::StringTokenizer::TOK_IGNORE_EMPTY);
  return {items.begin(), items.end()};
}

std::optional<std::chrono::seconds> parseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t unit = 1;
  switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: unit = 0;
  }
  const auto digits = unit == 0 ? text : text.substr(0, text.size() - 1);
  Poco::UInt64 count = 0;
  if (digits.empty() || !Poco::NumberParser::tryParseUnsigned64(std::string(digits), count)) {
    return std::nullopt;
  }
  return std::chrono::seconds(static_cast<std::int64_t>(count) * (unit == 0 ? 1 : unit));
}

std::span<const ConfigKey> hostConfigKeys() { return kHostKeys; }

sdk::StatusOr<std::map<std::string, std::string>> readSection(
    const Poco::Util::AbstractConfiguration& config, const std::string& section,
    std::span<const ConfigKey> keys) {
  std::map<std::string, std::string> values;
  std::vector<std::string> present;
  config.keys(section, present);
  for (const auto& name : present) {
    bool known = false;
    for (const auto& key : keys) known = known || key.name == name;
    if (!known) {
      std::string names;
      for (const auto& key : keys) names += (names.empty() ? "" : ", ") + key.name;
      return Status(ErrorCode::invalid_argument,
                    "[" + section + "] has no key '" + name + "' (known: " +
                        (names.empty() ? "none" : names) + ")");
    }
  }
  for (const auto& key : keys) {
    const auto value = config.getRawString(section + "." + key.name, key.default_value);
    if (auto status = checkValue(section, key, value); !status.ok()) return status;
    values[key.name] = value;
  }
  return values;
}

sdk::StatusOr<HostConfig> readHostConfig(const Poco::Util::AbstractConfiguration& config,
                                         const DefaultPaths& defaults) {
  auto section = readSection(config, kHostSection, hostConfigKeys());
  if (!section.ok()) return section.status();
  auto& values = *section;

  HostConfig host;
  const auto absolute = [](const std::string& path) {
    return std::filesystem::absolute(path).lexically_normal();
  };
  host.data_dir = absolute(values["data_dir"]);
  host.packs_dir = values["packs_dir"].empty() ? defaults.packs_dir : absolute(values["packs_dir"]);
  host.plugin_dir =
      values["plugin_dir"].empty() ? defaults.plugin_dir : absolute(values["plugin_dir"]);
  host.plugins = parseList(values["plugins"]);
  host.nice = static_cast<int>(Poco::NumberParser::parse(Poco::trim(values["nice"])));
  const auto integer = [&values](const char* key) {
    return Poco::NumberParser::parse64(Poco::trim(values[key]));
  };
  host.shim_path = values["shim_path"].empty() ? defaults.shim_path : absolute(values["shim_path"]);
  host.max_running = static_cast<std::size_t>(std::max<Poco::Int64>(1, integer("max_running")));
  host.max_queued = static_cast<std::size_t>(std::max<Poco::Int64>(0, integer("max_queued")));
  host.kill_grace_seconds = static_cast<int>(std::max<Poco::Int64>(0, integer("kill_grace_seconds")));
  host.max_timeout_seconds =
      static_cast<int>(std::max<Poco::Int64>(1, integer("max_timeout_seconds")));
  host.compress_after = *parseDuration(Poco::trim(values["compress_after"]));
  host.retention = *parseDuration(Poco::trim(values["retention"]));
  host.lifecycle_interval = *parseDuration(Poco::trim(values["lifecycle_interval"]));
  if (host.lifecycle_interval.count() == 0) {
    return Status(ErrorCode::invalid_argument, "[rivetd] lifecycle_interval must be above 0");
  }
  host.log_level = Poco::trim(values["log_level"]);
  if (host.log_level != "debug" && host.log_level != "information" &&
      host.log_level != "warning" && host.log_level != "error") {
    return Status(ErrorCode::invalid_argument,
                  "[rivetd] log_level must be debug, information, warning or error");
  }
  if (host.nice < 0 || host.nice > 19) {
    return Status(ErrorCode::invalid_argument, "[rivetd] nice must be 0..19");
  }
  return host;
}

Status checkSections(const Poco::Util::AbstractConfiguration& file_config,
                     const std::set<std::string>& known_sections) {
  std::vector<std::string> sections;
  file_config.keys(sections);
  for (const auto& section : sections) {
    if (!known_sections.contains(section)) {
      std::string known;
      for (const auto& name : known_sections) known += (known.empty() ? "" : ", ") + name;
      return Status(ErrorCode::invalid_argument,
                    "config section [" + section +
                        "] is neither [rivetd] nor a loaded plugin (" + known + ")");
    }
  }
  return Status::success();
}

std::string describeSection(const std::string& section, std::span<const ConfigKey> keys) {
  std::ostringstream out;
  out << "[" << section << "]\n";
  for (const auto& key : keys) {
    out << "  " << key.name << " (" << key.type << ", default '" << key.default_value
        << "')\n      " << key.help << "\n";
  }
  return out.str();
}

}  // namespace rivet::core
