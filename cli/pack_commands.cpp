#include "pack_commands.hpp"

#include <iostream>
#include <memory>

#include "exit_codes.hpp"
#include "failure_report.hpp"
#include "output_format.hpp"
#include "rivet/pack_artifact/artifact_builder.hpp"
#include "rivet/pack_artifact/artifact_verifier.hpp"
#include "rivet/pack_artifact/signing_key.hpp"
#include "rivet/pack_store/pack_store.hpp"

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

namespace store = rivet::pack_store;

// What every command on a pack store takes: where it is and who is acting.
struct StoreArguments {
  std::string url;
  std::string as;
};

struct PublishArguments {
  StoreArguments store;
  std::string manifest_file;
  std::string stage;
  bool force = false;
};

struct PromoteArguments {
  StoreArguments store;
  std::string name;
  std::string version;
  std::string from;
  std::string to;
};

// A change to one pack in one stage: rollback, withdraw.
struct StageChangeArguments {
  StoreArguments store;
  std::string name;
  std::string stage;
};

struct RollbackArguments : StageChangeArguments {
  std::string version;  // "": the one the stage had before
};

using WithdrawArguments = StageChangeArguments;

struct HistoryArguments {
  StoreArguments store;
  std::string name;
};

// Opens the store with the connection options' certificate files (--ca, --cert, --key,
// --certs, their variables or --config; none required) and runs `command` on it with the
// publisher's identity.
int withStore(const GlobalOptions& options, const StoreArguments& arguments,
              const std::function<int(store::PackStore&, const std::string&)>& command) {
  auto tls = options.connection.givenTlsFiles();
  if (!tls.ok()) return reportFailure(tls.status());
  auto blobs = store::openBlobStore(arguments.url, {tls->ca_file, tls->cert_file, tls->key_file});
  if (!blobs.ok()) return reportFailure(blobs.status());
  store::PackStore pack_store(**blobs);
  return command(pack_store, store::publisherIdentity(arguments.as, tls->cert_file));
}

// "test -> prod" for a promote, "-> test" for a publish or rollback, "out of test" for a
// withdraw.
std::string stagesText(const store::AuditEntry& entry) {
  if (entry.action == "withdraw") return "out of " + entry.to_stage;
  return (entry.from_stage.empty() ? "" : entry.from_stage + " ") + "-> " + entry.to_stage;
}

// "promote demo 1.0.0 test -> prod by CN=ci (forced)"
std::string changeText(const store::AuditEntry& entry) {
  return entry.action + " " + entry.pack + " " + entry.version + " " + stagesText(entry) + " by " +
         entry.who + (entry.forced ? " (forced)" : "");
}

int printChange(const store::AuditEntry& entry, bool json_output) {
  if (json_output) {
    printJson(std::cout, store::auditJson(entry));
  } else {
    std::cout << changeText(entry) << " at " << entry.at << '\n';
  }
  return kExitOk;
}

int publish(const GlobalOptions& options, const PublishArguments& arguments) {
  return withStore(
      options, arguments.store, [&](store::PackStore& pack_store, const std::string& who) {
        auto published =
            pack_store.publish(arguments.manifest_file, arguments.stage, who, arguments.force);
        if (!published.ok()) return reportFailure(published.status());
        return printChange(*published, options.json);
      });
}

int promote(const GlobalOptions& options, const PromoteArguments& arguments) {
  return withStore(options, arguments.store,
                   [&](store::PackStore& pack_store, const std::string& who) {
                     auto promoted = pack_store.promote(arguments.name, arguments.version,
                                                        arguments.from, arguments.to, who);
                     if (!promoted.ok()) return reportFailure(promoted.status());
                     return printChange(*promoted, options.json);
                   });
}

int rollback(const GlobalOptions& options, const RollbackArguments& arguments) {
  return withStore(options, arguments.store,
                   [&](store::PackStore& pack_store, const std::string& who) {
                     auto rolled = pack_store.rollback(arguments.name, arguments.stage,
                                                       arguments.version, who);
                     if (!rolled.ok()) return reportFailure(rolled.status());
                     return printChange(*rolled, options.json);
                   });
}

int withdraw(const GlobalOptions& options, const WithdrawArguments& arguments) {
  return withStore(options, arguments.store,
                   [&](store::PackStore& pack_store, const std::string& who) {
                     auto withdrawn = pack_store.withdraw(arguments.name, arguments.stage, who);
                     if (!withdrawn.ok()) return reportFailure(withdrawn.status());
                     return printChange(*withdrawn, options.json);
                   });
}

int history(const GlobalOptions& options, const HistoryArguments& arguments) {
  return withStore(
      options, arguments.store, [&](store::PackStore& pack_store, const std::string&) -> int {
        auto entries = pack_store.history(arguments.name);
        if (!entries.ok()) return reportFailure(entries.status());
        if (options.json) {
          nlohmann::json all = nlohmann::json::array();
          for (const auto& entry : *entries) all.push_back(store::auditJson(entry));
          printJson(std::cout, all);
          return kExitOk;
        }
        std::vector<TableRow> rows;
        for (const auto& entry : *entries) {
          rows.push_back({entry.at, entry.who, entry.action, entry.pack, entry.version,
                          stagesText(entry), entry.forced ? "forced" : "-"});
        }
        printTable(std::cout, {"AT", "WHO", "ACTION", "PACK", "VERSION", "STAGES", "FORCED"}, rows);
        return kExitOk;
      });
}

// --store (or RIVET_STORE), and --as for a subcommand that changes the store.
void addStoreOptions(CLI::App& command, StoreArguments& arguments, bool changes_it) {
  command
      .add_option("--store", arguments.url,
                  "the pack store: file:///PATH or https://HOST[:PORT][/PREFIX]; over https, "
                  "--ca verifies the server (default: the system's CAs) and --cert/--key are "
                  "the client certificate writes need")
      ->envname("RIVET_STORE")
      ->required();
  if (!changes_it) return;
  command.add_option("--as", arguments.as,
                     "who is acting, for the audit log (default: the client certificate's "
                     "subject, else USER@HOSTNAME)");
}

CLI::App* addStageChangeCommand(CLI::App& pack, const std::string& name,
                                const std::string& description, StageChangeArguments& arguments) {
  CLI::App* command = pack.add_subcommand(name, description);
  command->add_option("name", arguments.name, "the pack")->required();
  command->add_option("--stage", arguments.stage, "the stage, e.g. prod")->required();
  addStoreOptions(*command, arguments.store, true);
  return command;
}

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

void addPackCommands(CLI::App& app, const GlobalOptions& options, Commands& commands) {
  CLI::App* pack =
      app.add_subcommand("pack", "Build, verify, publish, promote, roll back and withdraw signed "
                                 "pack artifacts");
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

  auto publish_arguments = std::make_shared<PublishArguments>();
  CLI::App* publish_command = pack->add_subcommand(
      "publish", "Upload an artifact to the pack store and set it in a stage's index");
  publish_command
      ->add_option("manifest", publish_arguments->manifest_file,
                   "the manifest file (the archive beside it)")
      ->required()
      ->check(CLI::ExistingFile);
  publish_command->add_option("--stage", publish_arguments->stage, "the stage, e.g. test")
      ->required();
  publish_command->add_flag("--force", publish_arguments->force,
                            std::string("allow publishing straight to ") + store::kProtectedStage +
                                " (the audit log records it)");
  addStoreOptions(*publish_command, publish_arguments->store, true);
  commands.push_back({publish_command, [&options, publish_arguments] {
                        return publish(options, *publish_arguments);
                      }});

  auto promote_arguments = std::make_shared<PromoteArguments>();
  CLI::App* promote_command = pack->add_subcommand(
      "promote", "Set a pack in a stage at the version another stage has (the way to prod)");
  promote_command->add_option("name", promote_arguments->name, "the pack")->required();
  promote_command->add_option("version", promote_arguments->version, "its version")->required();
  promote_command->add_option("--from", promote_arguments->from, "the stage that has it")
      ->required();
  promote_command->add_option("--to", promote_arguments->to, "the stage to set it in")->required();
  addStoreOptions(*promote_command, promote_arguments->store, true);
  commands.push_back({promote_command, [&options, promote_arguments] {
                        return promote(options, *promote_arguments);
                      }});

  auto rollback_arguments = std::make_shared<RollbackArguments>();
  CLI::App* rollback_command = addStageChangeCommand(
      *pack, "rollback", "Set a pack in a stage back to a version that stage ran before (prod too)",
      *rollback_arguments);
  rollback_command->add_option("--to", rollback_arguments->version,
                               "the version (default: the one before the current one)");
  commands.push_back({rollback_command, [&options, rollback_arguments] {
                        return rollback(options, *rollback_arguments);
                      }});

  auto withdraw_arguments = std::make_shared<WithdrawArguments>();
  CLI::App* withdraw_command = addStageChangeCommand(
      *pack, "withdraw",
      "Take a pack out of a stage: its agents uninstall it (rollback puts it back)",
      *withdraw_arguments);
  commands.push_back({withdraw_command, [&options, withdraw_arguments] {
                        return withdraw(options, *withdraw_arguments);
                      }});

  auto history_arguments = std::make_shared<HistoryArguments>();
  CLI::App* history_command = pack->add_subcommand(
      "history",
      "The pack store's audit log, oldest first: who published, promoted, rolled back or "
      "withdrew what");
  history_command->add_option("name", history_arguments->name, "only this pack");
  addStoreOptions(*history_command, history_arguments->store, false);
  commands.push_back({history_command, [&options, history_arguments] {
                        return history(options, *history_arguments);
                      }});
}

}  // namespace rivet::cli
