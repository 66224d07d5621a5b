#include "api/dev_packs.hpp"

#include <Poco/Base64Decoder.h>
#include <Poco/UUIDGenerator.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "api/http_json.hpp"
#include "packs/owned_pack_directory.hpp"
#include "preparation/pack_preparation.hpp"
#include "rivet/pack_artifact/artifact_builder.hpp"
#include "rivet/pack_artifact/artifact_extractor.hpp"
#include "rivetd/runner_binding.hpp"

namespace rivet::core {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> decodeBase64(const std::string& text) {
  try {
    std::istringstream in(text);
    Poco::Base64Decoder decoder(in);
    std::string bytes((std::istreambuf_iterator<char>(decoder)), std::istreambuf_iterator<char>());
    return bytes;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::optional<sdk::HttpResponse> refuseDevPack(const DevPacksConfig* config,
                                               const sdk::Requester& requester) {
  if (config == nullptr || !config->enabled) {
    return errorResponse(403, "dev_packs_disabled",
                         "this host does not accept packs sent with a request "
                         "([dev-packs] enabled = false); publish the pack to a stage instead");
  }
  if (std::find(config->identities.begin(), config->identities.end(), requester.subject) ==
      config->identities.end()) {
    return errorResponse(403, "forbidden",
                         "'" + requester.subject +
                             "' may not send packs with a request (not in [dev-packs] identities)");
  }
  return std::nullopt;
}

std::variant<DevPack, sdk::HttpResponse> installDevPack(const DevPacksConfig& config,
                                                        const PluginSet& plugins,
                                                        const nlohmann::json& field) {
  if (!field.is_object() || field.size() != 1 || !field.contains("archive") ||
      !field["archive"].is_string()) {
    return errorResponse(400, "invalid_request",
                         "'pack' must be {\"archive\": \"<base64 of the pack's tar.zst>\"}");
  }
  const auto& text = field["archive"].get_ref<const std::string&>();
  // Base64 is 4 characters for 3 bytes: refuse an oversized archive before decoding it.
  if (text.size() / 4 * 3 > config.max_archive_bytes + 2) {
    return errorResponse(413, "too_large",
                         "the pack archive is over [dev-packs] max_archive_bytes (" +
                             std::to_string(config.max_archive_bytes) + " bytes)");
  }
  const auto archive = decodeBase64(text);
  if (!archive || archive->empty()) {
    return errorResponse(400, "invalid_request", "'pack.archive' is not base64");
  }

  // <work_dir>/<uuid>/ holds the archive and the unpacked pack; it goes with the last holder
  // of the pack: the execution, or this function when something below fails.
  const auto dir = config.work_dir / Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
  auto owned = std::make_shared<OwnedPackDirectory>(dir);
  owned->retire();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return errorResponse(500, "internal", "cannot create " + dir.string() + ": " + ec.message());
  const auto archive_file = dir / "pack.tar.zst";
  std::ofstream(archive_file, std::ios::binary) << *archive;
  const auto invalid = [](const std::string& message) {
    return errorResponse(422, "invalid_pack", "the pack sent cannot be used: " + message);
  };
  if (auto status = pack_artifact::extractArtifact(archive_file, dir / "pack"); !status.ok()) {
    return invalid(status.message());
  }
  PackEntry pack = PackCatalog::loadPack((dir / "pack").string());
  if (!pack.available) return invalid(pack.error);
  bindRunners(pack, plugins);
  if (auto status = PackPreparation::prepareNow(pack, plugins); !status.ok()) {
    return invalid("preparing it failed: " + status.message());
  }
  pack.directory_hold = owned;
  auto catalog = PackCatalog().withPack(std::move(pack));
  if (!catalog.ok()) return invalid(catalog.status().message());
  return DevPack{std::move(*catalog), pack_artifact::contentDigest(*archive)};
}

}  // namespace rivet::core
