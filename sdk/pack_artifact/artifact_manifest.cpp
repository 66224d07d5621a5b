#include "rivet/pack_artifact/artifact_manifest.hpp"

namespace rivet::pack_artifact {
namespace {

using nlohmann::json;
using sdk::ErrorCode;
using sdk::Status;
using sdk::StatusOr;

Status invalid(const std::string& message) {
  return Status(ErrorCode::invalid_argument, "invalid manifest: " + message);
}

// The string field `key`, or an error naming it.
Status readString(const json& object, const char* key, std::string& out) {
  const auto found = object.find(key);
  if (found == object.end()) return invalid(std::string("no \"") + key + "\" field");
  if (!found->is_string() || found->get_ref<const std::string&>().empty()) {
    return invalid(std::string("\"") + key + "\" must be a non-empty string");
  }
  out = found->get<std::string>();
  return {};
}

}  // namespace

json manifestJson(const ArtifactManifest& manifest, bool with_signature) {
  json object = {{"format", kManifestFormat},   {"name", manifest.name},
                 {"version", manifest.version}, {"archive", manifest.archive},
                 {"size", manifest.size},       {"digest", manifest.digest},
                 {"key_id", manifest.key_id}};
  if (with_signature) object["signature"] = manifest.signature;
  return object;
}

std::string signedBytes(const ArtifactManifest& manifest) {
  return manifestJson(manifest, false).dump();
}

StatusOr<ArtifactManifest> parseManifest(const std::string& text) {
  const json object = json::parse(text, nullptr, false);
  if (object.is_discarded() || !object.is_object()) return invalid("not a JSON object");
  const auto format = object.find("format");
  if (format == object.end() || !format->is_number_integer() ||
      format->get<int>() != kManifestFormat) {
    return invalid("\"format\" must be " + std::to_string(kManifestFormat));
  }
  ArtifactManifest manifest;
  for (const auto& [key, field] :
       {std::pair{"name", &manifest.name}, std::pair{"version", &manifest.version},
        std::pair{"archive", &manifest.archive}, std::pair{"digest", &manifest.digest},
        std::pair{"key_id", &manifest.key_id}, std::pair{"signature", &manifest.signature}}) {
    if (Status status = readString(object, key, *field); !status.ok()) return status;
  }
  const auto size = object.find("size");
  if (size == object.end() || !size->is_number_unsigned()) {
    return invalid("\"size\" must be a non-negative integer");
  }
  manifest.size = size->get<std::uint64_t>();
  if (manifest.digest.rfind("sha256:", 0) != 0) {
    return invalid("\"digest\" must start with sha256:");
  }
  if (manifest.archive.find('/') != std::string::npos || manifest.archive == "." ||
      manifest.archive == "..") {
    return invalid("\"archive\" must be a file name, not a path");
  }
  return manifest;
}

std::string archiveFileName(const std::string& name, const std::string& version) {
  return name + "-" + version + ".tar.zst";
}

std::string manifestFileName(const std::string& name, const std::string& version) {
  return name + "-" + version + ".manifest.json";
}

}  // namespace rivet::pack_artifact
