// The layout of a pack store and the operations on it (docs/pack-delivery.md):
//
//   artifacts/<name>/<version>/<name>-<version>.tar.zst      the archive       (immutable)
//   artifacts/<name>/<version>/<name>-<version>.manifest.json its signed manifest (immutable)
//   stages/<stage>/index.json     what agents of that stage run: pack -> version, digest, ...
//   audit/<ms>-<random>.json      one object per change: who, what, when (never rewritten)
//
// Publishers (rivet pack publish / promote) write artifacts and indexes and add audit entries;
// agents only read: the index of their stage (conditional GET), then the artifacts it names.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rivet/pack_store/blob_store.hpp"
#include "rivet/sdk/status.hpp"

namespace rivet::pack_store {

inline constexpr int kIndexFormat = 1;
// The stage nothing reaches without passing through another first, unless forced.
inline constexpr const char* kProtectedStage = "prod";

// One pack in a stage's index.
struct IndexEntry {
  std::string version;
  std::string digest;        // the manifest's "sha256:..."
  std::string key_id;        // the manifest's signer
  std::string signature;     // the manifest's signature
  std::string publisher;     // who put it in this stage
  std::string published_at;  // when, RFC 3339 UTC
};

struct StageIndex {
  std::string stage;
  std::map<std::string, IndexEntry> packs;  // by pack name
};

nlohmann::json indexJson(const StageIndex& index);
sdk::StatusOr<StageIndex> parseIndex(const std::string& text);

// One change to the store.
struct AuditEntry {
  std::string at;              // RFC 3339 UTC, milliseconds
  std::string who;             // the publisher's identity
  std::string action;          // "publish", "promote", "rollback" or "withdraw"
  std::string pack;
  std::string version;
  std::string digest;
  std::string from_stage;      // promote only
  std::string to_stage;
  bool forced = false;         // straight to the protected stage
};

nlohmann::json auditJson(const AuditEntry& entry);
sdk::StatusOr<AuditEntry> parseAudit(const std::string& text);

// Stage names: lower-case letters, digits and '-' (they name directories).
bool isValidStageName(const std::string& stage);

class PackStore {
 public:
  explicit PackStore(BlobStore& blobs) : blobs_(blobs) {}

  // Uploads the artifact whose manifest is `manifest_file` (the archive beside it) unless the
  // store holds that name and version already (then its digest must match: conflict
  // otherwise, a published version never changes), sets it in `stage`'s index and appends an
  // audit entry. Refuses the protected stage (failed_precondition) unless `force`, which the
  // audit entry records. The manifest is parsed, not verified: agents verify.
  sdk::StatusOr<AuditEntry> publish(const std::filesystem::path& manifest_file,
                                    const std::string& stage, const std::string& publisher,
                                    bool force);

  // Sets `name` at `version` in stage `to` as it is in stage `from` (not_found when `from`'s
  // index does not have that version) and appends an audit entry.
  sdk::StatusOr<AuditEntry> promote(const std::string& name, const std::string& version,
                                    const std::string& from, const std::string& to,
                                    const std::string& publisher);

  // Sets `name` in `stage` back to a version that stage had before, as the audit log says:
  // `version`, or when "" the one it had before its current one (the one withdrawn, when it
  // was). Any stage, the protected one too: it only ever gets back what it ran before.
  // unprocessable when the stage never had that version (publish or promote it instead) or
  // nothing to go back to. Appends an audit entry.
  sdk::StatusOr<AuditEntry> rollback(const std::string& name, const std::string& stage,
                                     const std::string& version, const std::string& publisher);

  // Takes `name` out of `stage`'s index (not_found when it is not there), so that the stage's
  // agents uninstall it, and appends an audit entry. A rollback puts it back.
  sdk::StatusOr<AuditEntry> withdraw(const std::string& name, const std::string& stage,
                                     const std::string& publisher);

  // Every audit entry about pack `name` ("" for all), oldest first.
  sdk::StatusOr<std::vector<AuditEntry>> history(const std::string& name);

  // The stage's index; nullopt when it has not changed since `etag` (a conditional GET).
  // A stage nothing was published to yet has an empty index, and `exists` false: agents
  // uninstall a pack only when an index that exists no longer names it, never because the
  // index is missing (a wrong URL, a store not yet filled).
  struct FetchedIndex {
    StageIndex index;
    std::string etag;
    bool exists = true;
  };
  sdk::StatusOr<std::optional<FetchedIndex>> fetchIndex(const std::string& stage,
                                                        const std::string& etag = "");

  // Downloads the archive and manifest of `name` `version` into `dir` (which must exist) and
  // returns the manifest file's path, ready for pack_artifact::verifyArtifact.
  sdk::StatusOr<std::filesystem::path> download(const std::string& name,
                                                const std::string& version,
                                                const std::filesystem::path& dir);

 private:
  BlobStore& blobs_;
};

// Who a publisher is, for the audit: `as` when given; else the subject of `cert_file` when
// given; else "<user>@<hostname>".
std::string publisherIdentity(const std::string& as, const std::string& cert_file);

}  // namespace rivet::pack_store
