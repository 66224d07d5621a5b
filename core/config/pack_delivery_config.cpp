#include "config/pack_delivery_config.hpp"

#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <array>

#include "config/host_config.hpp"

namespace rivet::core {
namespace {

using sdk::ErrorCode;
using sdk::Status;

const std::array<ConfigKey, 8> kPackSyncKeys{{
    {"store", "string", "",
     "The pack store: https://host[:port][/prefix] or file:///dir. Empty: no pack sync."},
    {"stage", "string", "", "The stage this agent runs (dev, test, prod, ...)."},
    {"interval", "duration", "2m",
     "How often the stage's index is checked; each wait is jittered by up to 20%."},
    {"packs", "list", "",
     "Packs to take from the stage, by name; an installed pack left out is uninstalled. Empty: "
     "all of them."},
    {"trusted_keys", "list", "",
     "Public key files (rivet pack keygen's .pub); only artifacts signed by one are installed."},
    {"ca_file", "path", "", "CA of the store's HTTPS certificate. Empty: the system's CAs."},
    {"cert_file", "path", "", "Client certificate for the store, when it asks for one."},
    {"key_file", "path", "", "Private key of cert_file."},
}};

const std::array<ConfigKey, 3> kDevPacksKeys{{
    {"enabled", "boolean", "false",
     "Accept a pack sent with an execution request (installed for that run only)."},
    {"identities", "string", "",
     "Client certificate subjects (RFC 2253) allowed to send one, separated by ';', e.g. "
     "CN=alice,O=Ops; CN=bob,O=Ops. Required when enabled."},
    {"max_archive_bytes", "integer", "786432",
     "The largest pack archive a request may carry (its base64 must fit [transport-https] "
     "max_body_bytes)."},
}};

std::string absolutePath(const std::string& path) {
  const auto trimmed = Poco::trim(path);
  return trimmed.empty() ? "" : std::filesystem::absolute(trimmed).lexically_normal().string();
}

}  // namespace

std::span<const ConfigKey> packSyncConfigKeys() { return kPackSyncKeys; }
std::span<const ConfigKey> devPacksConfigKeys() { return kDevPacksKeys; }

sdk::StatusOr<PackSyncConfig> readPackSyncConfig(const Poco::Util::AbstractConfiguration& config,
                                                 const std::filesystem::path& data_dir) {
  auto section = readSection(config, kPackSyncSection, packSyncConfigKeys());
  if (!section.ok()) return section.status();
  auto& values = *section;
  PackSyncConfig sync;
  sync.store_url = Poco::trim(values["store"]);
  sync.stage = Poco::trim(values["stage"]);
  sync.interval = *parseDuration(Poco::trim(values["interval"]));
  sync.packs = parseList(values["packs"]);
  for (const auto& key : parseList(values["trusted_keys"])) {
    sync.trusted_keys.emplace_back(absolutePath(key));
  }
  sync.ca_file = absolutePath(values["ca_file"]);
  sync.cert_file = absolutePath(values["cert_file"]);
  sync.key_file = absolutePath(values["key_file"]);
  sync.install_dir = data_dir / "delivered-packs";
  if (!sync.enabled()) return sync;
  const auto where = std::string("[") + kPackSyncSection + "] ";
  if (sync.stage.empty()) {
    return Status(ErrorCode::invalid_argument, where + "stage is required with a store");
  }
  if (sync.trusted_keys.empty()) {
    return Status(ErrorCode::invalid_argument,
                  where + "trusted_keys is required with a store: nothing unsigned is installed");
  }
  if (sync.interval.count() <= 0) {
    return Status(ErrorCode::invalid_argument, where + "interval must be above 0");
  }
  return sync;
}

sdk::StatusOr<DevPacksConfig> readDevPacksConfig(const Poco::Util::AbstractConfiguration& config,
                                                 const std::filesystem::path& data_dir) {
  auto section = readSection(config, kDevPacksSection, devPacksConfigKeys());
  if (!section.ok()) return section.status();
  auto& values = *section;
  DevPacksConfig dev;
  dev.enabled = Poco::NumberParser::parseBool(Poco::trim(values["enabled"]));
  // Subjects hold commas: ';' separates them.
  Poco::StringTokenizer identities(values["identities"], ";",
                                   Poco::StringTokenizer::TOK_TRIM |
                                       Poco::StringTokenizer::TOK_IGNORE_EMPTY);
  dev.identities.assign(identities.begin(), identities.end());
  const auto max_bytes = Poco::NumberParser::parse64(Poco::trim(values["max_archive_bytes"]));
  dev.max_archive_bytes = static_cast<std::size_t>(std::max<Poco::Int64>(1, max_bytes));
  dev.work_dir = data_dir / "dev-packs";
  if (dev.enabled && dev.identities.empty()) {
    return Status(ErrorCode::invalid_argument,
                  std::string("[") + kDevPacksSection +
                      "] identities is required when enabled: name who may send packs");
  }
  return dev;
}

}  // namespace rivet::core
