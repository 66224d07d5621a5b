#include "rivet/pack_artifact/artifact_builder.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <regex>

#include "ed25519_crypto.hpp"
#include "reproducible_archive.hpp"

namespace rivet::pack_artifact {
namespace {

namespace fs = std::filesystem;

struct PackIdentity {
  std::string name;
  std::string version;
};

// name and version from pack.yaml: the name as a pack ref, the version as something that can
// sit in a file name.
sdk::StatusOr<PackIdentity> readPackIdentity(const fs::path& pack_dir) {
  const fs::path file = pack_dir / "pack.yaml";
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::Exception& error) {
    return sdk::Status(sdk::ErrorCode::invalid_argument,
                       "cannot read " + file.string() + ": " + error.what());
  }
  PackIdentity identity;
  for (const auto& [key, field] :
       {std::pair{"name", &identity.name}, std::pair{"version", &identity.version}}) {
    const YAML::Node node = root.IsMap() ? root[key] : YAML::Node();
    if (!node.IsScalar() || node.Scalar().empty()) {
      return sdk::Status(sdk::ErrorCode::invalid_argument,
                         file.string() + ": \"" + key + "\" is required and must not be empty");
    }
    *field = node.Scalar();
  }
  static const std::regex kName("[a-z0-9_-]+");
  static const std::regex kVersion("[A-Za-z0-9][A-Za-z0-9._+-]*");
  if (!std::regex_match(identity.name, kName)) {
    return sdk::Status(sdk::ErrorCode::invalid_argument,
                       file.string() + ": name \"" + identity.name + "\" must match [a-z0-9_-]+");
  }
  if (!std::regex_match(identity.version, kVersion)) {
    return sdk::Status(sdk::ErrorCode::invalid_argument,
                       file.string() + ": version \"" + identity.version +
                           "\" must be letters, digits and . _ + - (it names the artifact files)");
  }
  return identity;
}

sdk::Status writeText(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return sdk::Status(sdk::ErrorCode::internal, "cannot write " + file.string());
  return {};
}

// An output directory inside the pack would put each artifact into the next one.
bool isInside(const fs::path& dir, const fs::path& parent) {
  std::error_code error;
  const fs::path relative =
      fs::weakly_canonical(dir, error).lexically_relative(fs::weakly_canonical(parent, error));
  return !error && !relative.empty() && !relative.generic_string().starts_with("..");
}

}  // namespace

sdk::Status writePackArchive(const fs::path& pack_dir, const fs::path& archive_file) {
  if (isInside(archive_file.parent_path(), pack_dir)) {
    return sdk::Status(sdk::ErrorCode::invalid_argument,
                       archive_file.string() + " is inside the pack directory");
  }
  sdk::StatusOr<std::vector<PackEntry>> entries = collectPackEntries(pack_dir);
  if (!entries.ok()) return entries.status();
  return writeReproducibleArchive(pack_dir, *entries, archive_file);
}

std::string contentDigest(std::string_view bytes) { return "sha256:" + sha256Hex(bytes); }

sdk::StatusOr<BuiltArtifact> buildArtifact(const fs::path& pack_dir, const fs::path& key_file,
                                           const fs::path& out_dir) {
  sdk::StatusOr<PackIdentity> identity = readPackIdentity(pack_dir);
  if (!identity.ok()) return identity.status();
  sdk::StatusOr<PkeyPtr> key = readPrivateKey(key_file);
  if (!key.ok()) return key.status();
  sdk::StatusOr<std::string> key_id = keyId(key->get());
  if (!key_id.ok()) return key_id.status();
  if (isInside(out_dir, pack_dir)) {
    return sdk::Status(
        sdk::ErrorCode::invalid_argument,
        "the output directory " + out_dir.string() + " is inside the pack directory");
  }
  sdk::StatusOr<std::vector<PackEntry>> entries = collectPackEntries(pack_dir);
  if (!entries.ok()) return entries.status();

  std::error_code error;
  fs::create_directories(out_dir, error);
  if (error) {
    return sdk::Status(sdk::ErrorCode::invalid_argument,
                       "cannot create " + out_dir.string() + ": " + error.message());
  }
  BuiltArtifact built;
  built.manifest.name = identity->name;
  built.manifest.version = identity->version;
  built.manifest.archive = archiveFileName(identity->name, identity->version);
  built.archive_file = out_dir / built.manifest.archive;
  built.manifest_file = out_dir / manifestFileName(identity->name, identity->version);
  if (sdk::Status status = writeReproducibleArchive(pack_dir, *entries, built.archive_file);
      !status.ok()) {
    return status;
  }
  sdk::StatusOr<std::string> digest = sha256HexOfFile(built.archive_file);
  if (!digest.ok()) return digest.status();
  built.manifest.size = fs::file_size(built.archive_file, error);
  if (error)
    return sdk::Status(sdk::ErrorCode::internal, "cannot stat " + built.archive_file.string());
  built.manifest.digest = "sha256:" + *digest;
  built.manifest.key_id = *key_id;
  sdk::StatusOr<std::string> signature = sign(key->get(), signedBytes(built.manifest));
  if (!signature.ok()) return signature.status();
  built.manifest.signature = base64Encode(*signature);
  if (sdk::Status status =
          writeText(built.manifest_file, manifestJson(built.manifest, true).dump(2) + "\n");
      !status.ok()) {
    return status;
  }
  return built;
}

}  // namespace rivet::pack_artifact
