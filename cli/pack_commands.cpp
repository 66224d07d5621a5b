#include "pack_commands.hpp"

#include <iostream>
#include <memory>

#include "exit_codes.hpp"
#include "failure_report.hpp"
#include "rivet/pack_artifact/artifact_builder.hpp"
#include "rivet/pack_artifact/artifact_verifier.hpp"
#include "rivet/pack_artifact/signing_key.hpp"

namespace rivet::cli {
namespace {

namespace artifact = rivet::pack_artifact;

struct BuildArguments {
  std::string pack_dir;
  std::string key_file;
  std::string out_dir = ".";
};

struct VerifyArguments {
  std::string manifest_file;
  std::vector<std::string> trusted_keys;
};

int keygen(const std::string& out_dir) {
  auto key = artifact::generateSigningKey(out_dir);
  if (!key.ok()) return reportFailure(key.status());
  std::cout << "wrote " << key->private_key.string() << " (private, keep it secret)\n"
            << "wrote " << key->public_key.string() << " (public, give it to agents)\n"
            << "key id " << key->key_id << '\n';
  return kExitOk;
}

int build(const BuildArguments& arguments) {
  auto built = artifact::buildArtifact(arguments.pack_dir, arguments.key_file, arguments.out_dir);
  if (!built.ok()) return reportFailure(built.status());
  std::cout << "wrote " << built->archive_file.string() << '\n'
            << "wrote " << built->manifest_file.string() << '\n'
            << "pack " << built->manifest.name << ' ' << built->manifest.version << ", "
            << built->manifest.size << " bytes, " << built->manifest.digest << ", signed by key "
            << built->manifest.key_id << '\n';
  return kExitOk;
}

int verify(const VerifyArguments& arguments) {
  const std::vector<std::filesystem::path> keys(arguments.trusted_keys.begin(),
                                                arguments.trusted_keys.end());
  auto verified = artifact::verifyArtifact(arguments.manifest_file, keys);
  if (!verified.ok()) return reportFailure(verified.status());
  std::cout << "ok: pack " << verified->name << ' ' << verified->version << ", " << verified->digest
            << ", signed by key " << verified->key_id << '\n';
  return kExitOk;
}

}  // namespace

void addPackCommands(CLI::App& app, Commands& commands) {
  CLI::App* pack = app.add_subcommand("pack", "Build and verify signed pack artifacts");
  pack->require_subcommand(1);

  auto keygen_dir = std::make_shared<std::string>(".");
  CLI::App* keygen_command = pack->add_subcommand(
      "keygen", "Write an Ed25519 key pair, rivet-pack.key and rivet-pack.pub (never overwrites)");
  keygen_command->add_option("--out", *keygen_dir, "directory to write into")
      ->capture_default_str()
      ->check(CLI::ExistingDirectory);
  commands.push_back({keygen_command, [keygen_dir] { return keygen(*keygen_dir); }});

  auto build_arguments = std::make_shared<BuildArguments>();
  CLI::App* build_command = pack->add_subcommand(
      "build", "Write <name>-<version>.tar.zst and its signed manifest for the pack in DIR");
  build_command->add_option("dir", build_arguments->pack_dir, "the pack directory")
      ->required()
      ->check(CLI::ExistingDirectory);
  build_command->add_option("--key", build_arguments->key_file, "the Ed25519 private key")
      ->required();
  build_command->add_option("--out", build_arguments->out_dir, "directory to write into")
      ->capture_default_str();
  commands.push_back({build_command, [build_arguments] { return build(*build_arguments); }});

  auto verify_arguments = std::make_shared<VerifyArguments>();
  CLI::App* verify_command = pack->add_subcommand(
      "verify", "Check an artifact's size, digest and signature against trusted public keys");
  verify_command->add_option("manifest", verify_arguments->manifest_file, "the manifest file")
      ->required();
  verify_command
      ->add_option("--trusted-key", verify_arguments->trusted_keys,
                   "a trusted public key (repeatable)")
      ->required();
  commands.push_back({verify_command, [verify_arguments] { return verify(*verify_arguments); }});
}

}  // namespace rivet::cli
