#include "rivet/pack_store/pack_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>
#include <utility>

#include "rivet/pack_artifact/artifact_manifest.hpp"

namespace rivet::pack_store {
namespace {

namespace fs = std::filesystem;
namespace artifact = rivet::pack_artifact;
using Clock = std::chrono::system_clock;
using sdk::ErrorCode;
using sdk::Status;
using sdk::StatusOr;

constexpr const char* kAuditDir = "audit";

std::string indexPath(const std::string& stage) { return "stages/" + stage + "/index.json"; }

std::string artifactDir(const std::string& name, const std::string& version) {
  return "artifacts/" + name + "/" + version + "/";
}

// "2026-11-24T01:02:03.456Z"
std::string rfc3339(Clock::time_point when) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch());
  const std::time_t seconds = static_cast<std::time_t>(ms.count() / 1000);
  std::tm fields{};
  ::gmtime_r(&seconds, &fields);
  char text[96];  // room for any int, as the compiler counts
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", fields.tm_year + 1900,
                fields.tm_mon + 1, fields.tm_mday, fields.tm_hour, fields.tm_min, fields.tm_sec,
                static_cast<int>(ms.count() % 1000));
  return text;
}

// "audit/<13-digit ms>-<8 hex>.json": names sort by time, and two publishers writing the same
// millisecond still write two objects.
std::string auditPath(Clock::time_point when) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch());
  std::random_device random;
  char name[64];
  std::snprintf(name, sizeof name, "%s/%013lld-%08x.json", kAuditDir,
                static_cast<long long>(ms.count()), static_cast<unsigned>(random()));
  return name;
}

bool isPackName(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool isVersion(const std::string& version) {
  return !version.empty() && std::isalnum(static_cast<unsigned char>(version.front())) != 0 &&
         std::all_of(version.begin(), version.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' ||
                  c == '+' || c == '-';
         });
}

// Name and version become directory names in the store: the rules of `rivet pack build`.
Status checkNameAndVersion(const std::string& name, const std::string& version) {
  if (!isPackName(name)) {
    return Status(ErrorCode::invalid_argument,
                  "invalid pack name '" + name + "': it must match [a-z0-9_-]+");
  }
  if (!isVersion(version)) {
    return Status(ErrorCode::invalid_argument,
                  "invalid version '" + version + "': letters, digits and . _ + - only");
  }
  return Status::success();
}

Status checkStage(const std::string& stage) {
  if (isValidStageName(stage)) return Status::success();
  return Status(ErrorCode::invalid_argument,
                "invalid stage name '" + stage + "': lower-case letters, digits and '-' only");
}

Status checkPublisher(const std::string& publisher) {
  if (!publisher.empty()) return Status::success();
  return Status(ErrorCode::invalid_argument, "the publisher's identity is empty");
}

StatusOr<std::string> readLocalFile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status(ErrorCode::not_found, "cannot read " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status(ErrorCode::internal, "cannot read " + file.string());
  return text.str();
}

Status writeLocalFile(const fs::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << bytes;
  out.close();
  if (!out) return Status(ErrorCode::internal, "cannot write " + file.string());
  return Status::success();
}

// A Status about something read from the store, saying where it came from.
Status storeError(const BlobStore& blobs, const std::string& path, const Status& status) {
  return Status(status.code() == ErrorCode::invalid_argument ? ErrorCode::internal : status.code(),
                blobs.url() + ": " + path + ": " + status.message());
}

StatusOr<std::optional<PackStore::FetchedIndex>> readIndex(BlobStore& blobs,
                                                           const std::string& stage,
                                                           const std::string& etag) {
  if (Status status = checkStage(stage); !status.ok()) return status;
  const std::string path = indexPath(stage);
  auto object = blobs.get(path, etag);
  if (!object.ok()) {
    if (object.status().code() != ErrorCode::not_found) return object.status();
    PackStore::FetchedIndex empty;
    empty.index.stage = stage;
    empty.exists = false;
    return std::optional<PackStore::FetchedIndex>(std::move(empty));
  }
  if (!object->has_value()) return std::optional<PackStore::FetchedIndex>();
  auto index = parseIndex((*object)->bytes);
  if (!index.ok()) return storeError(blobs, path, index.status());
  if (index->stage != stage) {
    return Status(ErrorCode::internal,
                  blobs.url() + ": " + path + ": names stage '" + index->stage + "'");
  }
  return std::optional<PackStore::FetchedIndex>(
      PackStore::FetchedIndex{std::move(*index), std::move((*object)->etag)});
}

// Sets `name` to `entry` in the stage's index, or takes it out when there is none: a read, a
// change and a write, so two publishers writing the same index at once may lose one change
// (the audit keeps both).
Status setInIndex(BlobStore& blobs, const std::string& stage, const std::string& name,
                  std::optional<IndexEntry> entry) {
  auto current = readIndex(blobs, stage, "");
  if (!current.ok()) return current.status();
  if (!current->has_value()) return Status(ErrorCode::internal, "no index read for " + stage);
  StageIndex& index = (*current)->index;
  if (entry) {
    index.packs[name] = std::move(*entry);
  } else {
    index.packs.erase(name);
  }
  return blobs.put(indexPath(stage), indexJson(index).dump(2) + "\n");
}

// Adds the audit entry of a change made at `when`, as an object of its own.
Status appendAudit(BlobStore& blobs, Clock::time_point when, const AuditEntry& entry) {
  return blobs.put(auditPath(when), auditJson(entry).dump(2) + "\n");
}

// Sets the manifest's version in stage `change.to_stage`'s index and adds `change` (made now)
// to the audit log: what publish and rollback share.
StatusOr<AuditEntry> setFromManifest(BlobStore& blobs, const artifact::ArtifactManifest& manifest,
                                     AuditEntry change) {
  const auto now = Clock::now();
  change.at = rfc3339(now);
  if (Status status = setInIndex(blobs, change.to_stage, manifest.name,
                                 IndexEntry{.version = manifest.version,
                                            .digest = manifest.digest,
                                            .key_id = manifest.key_id,
                                            .signature = manifest.signature,
                                            .publisher = change.who,
                                            .published_at = change.at});
      !status.ok()) {
    return status;
  }
  if (Status status = appendAudit(blobs, now, change); !status.ok()) return status;
  return change;
}

}  // namespace

sdk::StatusOr<AuditEntry> PackStore::publish(const fs::path& manifest_file,
                                             const std::string& stage, const std::string& publisher,
                                             bool force) {
  if (Status status = checkStage(stage); !status.ok()) return status;
  if (stage == kProtectedStage && !force) {
    return Status(ErrorCode::unprocessable,
                  std::string("stage '") + kProtectedStage +
                      "' is protected: promote a version another stage has (rivet pack "
                      "promote), or publish with --force, which the audit log records");
  }
  if (Status status = checkPublisher(publisher); !status.ok()) return status;

  auto manifest_text = readLocalFile(manifest_file);
  if (!manifest_text.ok()) return manifest_text.status();
  auto manifest = artifact::parseManifest(*manifest_text);
  if (!manifest.ok()) {
    return Status(manifest.status().code(),
                  manifest_file.string() + ": " + manifest.status().message());
  }
  if (Status status = checkNameAndVersion(manifest->name, manifest->version); !status.ok()) {
    return status;
  }
  const std::string archive_name = artifact::archiveFileName(manifest->name, manifest->version);
  if (manifest->archive != archive_name) {
    return Status(ErrorCode::invalid_argument,
                  manifest_file.string() + ": the archive is '" + manifest->archive +
                      "', expected '" + archive_name + "' (as rivet pack build names it)");
  }
  const fs::path archive_file = manifest_file.parent_path() / manifest->archive;
  auto archive = readLocalFile(archive_file);
  if (!archive.ok()) return archive.status();
  if (archive->size() != manifest->size) {
    return Status(ErrorCode::invalid_argument, "size mismatch: " + manifest_file.string() +
                                                   " says " + std::to_string(manifest->size) +
                                                   " bytes, " + archive_file.string() + " has " +
                                                   std::to_string(archive->size()));
  }

  // A published version never changes: the same bytes again are fine, other bytes are not.
  const std::string dir = artifactDir(manifest->name, manifest->version);
  const std::string manifest_path =
      dir + artifact::manifestFileName(manifest->name, manifest->version);
  artifact::ArtifactManifest published = *manifest;
  auto existing = blobs_.get(manifest_path);
  if (existing.ok() && existing->has_value()) {
    auto parsed = artifact::parseManifest((*existing)->bytes);
    if (!parsed.ok()) return storeError(blobs_, manifest_path, parsed.status());
    if (parsed->digest != manifest->digest) {
      return Status(ErrorCode::conflict, "version " + manifest->version + " of pack " +
                                             manifest->name + " is already published with digest " +
                                             parsed->digest + " (this artifact is " +
                                             manifest->digest + "); publish a new version");
    }
    published = std::move(*parsed);
  } else if (!existing.ok() && existing.status().code() == ErrorCode::not_found) {
    // The archive first: a manifest in the store always has its archive beside it.
    if (Status status = blobs_.put(dir + archive_name, *archive); !status.ok()) return status;
    if (Status status = blobs_.put(manifest_path, *manifest_text); !status.ok()) return status;
  } else {
    return existing.ok() ? Status(ErrorCode::internal, "unexpected answer for " + manifest_path)
                         : existing.status();
  }

  return setFromManifest(blobs_, published,
                         AuditEntry{.at = "",
                                    .who = publisher,
                                    .action = "publish",
                                    .pack = published.name,
                                    .version = published.version,
                                    .digest = published.digest,
                                    .from_stage = "",
                                    .to_stage = stage,
                                    .forced = force && stage == kProtectedStage});
}

sdk::StatusOr<AuditEntry> PackStore::promote(const std::string& name, const std::string& version,
                                             const std::string& from, const std::string& to,
                                             const std::string& publisher) {
  for (const auto* stage : {&from, &to}) {
    if (Status status = checkStage(*stage); !status.ok()) return status;
  }
  if (from == to) {
    return Status(ErrorCode::invalid_argument, "promote from stage '" + from + "' to itself");
  }
  if (Status status = checkPublisher(publisher); !status.ok()) return status;
  if (Status status = checkNameAndVersion(name, version); !status.ok()) return status;

  auto source = fetchIndex(from);
  if (!source.ok()) return source.status();
  const auto& packs = (*source)->index.packs;
  const auto found = packs.find(name);
  if (found == packs.end()) {
    return Status(ErrorCode::not_found,
                  "stage '" + from + "' has no pack '" + name + "': publish it there first");
  }
  if (found->second.version != version) {
    return Status(ErrorCode::not_found, "stage '" + from + "' has pack '" + name + "' at version " +
                                            found->second.version + ", not " + version +
                                            ": only what a stage has can be promoted");
  }

  const auto now = Clock::now();
  const AuditEntry entry{.at = rfc3339(now),
                         .who = publisher,
                         .action = "promote",
                         .pack = name,
                         .version = version,
                         .digest = found->second.digest,
                         .from_stage = from,
                         .to_stage = to,
                         .forced = false};
  IndexEntry promoted = found->second;
  promoted.publisher = publisher;
  promoted.published_at = entry.at;
  if (Status status = setInIndex(blobs_, to, name, promoted); !status.ok()) return status;
  if (Status status = appendAudit(blobs_, now, entry); !status.ok()) return status;
  return entry;
}

sdk::StatusOr<AuditEntry> PackStore::rollback(const std::string& name, const std::string& stage,
                                              const std::string& version,
                                              const std::string& publisher) {
  if (Status status = checkStage(stage); !status.ok()) return status;
  if (Status status = checkPublisher(publisher); !status.ok()) return status;
  if (Status status = checkNameAndVersion(name, version.empty() ? "any" : version); !status.ok()) {
    return status;
  }
  auto current = fetchIndex(stage);
  if (!current.ok()) return current.status();
  const auto& packs = (*current)->index.packs;
  const auto found = packs.find(name);
  // "" when withdrawn (or never there): then any version the stage had will do.
  const std::string current_version = found == packs.end() ? "" : found->second.version;
  if (!version.empty() && version == current_version) {
    return Status(ErrorCode::unprocessable, "stage '" + stage + "' has pack '" + name +
                                                "' at version " + version + " already");
  }
  auto changes = history(name);
  if (!changes.ok()) return changes.status();
  // The newest change that set the stage to the version asked for (any other than the current
  // one when none is asked for).
  const auto target = std::find_if(changes->rbegin(), changes->rend(), [&](const AuditEntry& e) {
    return e.to_stage == stage && e.action != "withdraw" && e.version != current_version &&
           (version.empty() || e.version == version);
  });
  if (target == changes->rend()) {
    return Status(ErrorCode::unprocessable,
                  version.empty()
                      ? "stage '" + stage + "' has had no version of pack '" + name + "'" +
                            (current_version.empty() ? "" : " other than " + current_version) +
                            ": nothing to roll back to"
                      : "stage '" + stage + "' never had pack '" + name + "' at version " +
                            version + ": a rollback only goes back to what the stage ran; "
                            "publish or promote it instead");
  }
  const std::string manifest_path =
      artifactDir(name, target->version) + artifact::manifestFileName(name, target->version);
  auto manifest_object = blobs_.get(manifest_path);
  if (!manifest_object.ok()) return manifest_object.status();
  if (!manifest_object->has_value()) {
    return Status(ErrorCode::internal, "unexpected answer for " + manifest_path);
  }
  auto manifest = artifact::parseManifest((*manifest_object)->bytes);
  if (!manifest.ok()) return storeError(blobs_, manifest_path, manifest.status());
  if (manifest->name != name || manifest->version != target->version ||
      manifest->digest != target->digest) {
    return storeError(blobs_, manifest_path,
                      Status(ErrorCode::internal,
                             "is of " + manifest->name + " " + manifest->version + " " +
                                 manifest->digest + ", the audit log names " + name + " " +
                                 target->version + " " + target->digest));
  }

  return setFromManifest(blobs_, *manifest,
                         AuditEntry{.at = "",
                                    .who = publisher,
                                    .action = "rollback",
                                    .pack = name,
                                    .version = manifest->version,
                                    .digest = manifest->digest,
                                    .from_stage = "",
                                    .to_stage = stage,
                                    .forced = false});
}

sdk::StatusOr<AuditEntry> PackStore::withdraw(const std::string& name, const std::string& stage,
                                              const std::string& publisher) {
  if (Status status = checkStage(stage); !status.ok()) return status;
  if (Status status = checkPublisher(publisher); !status.ok()) return status;
  if (Status status = checkNameAndVersion(name, "any"); !status.ok()) return status;
  auto current = fetchIndex(stage);
  if (!current.ok()) return current.status();
  const auto& packs = (*current)->index.packs;
  const auto found = packs.find(name);
  if (found == packs.end()) {
    return Status(ErrorCode::not_found, "stage '" + stage + "' has no pack '" + name + "'");
  }
  const auto now = Clock::now();
  const AuditEntry entry{.at = rfc3339(now),
                         .who = publisher,
                         .action = "withdraw",
                         .pack = name,
                         .version = found->second.version,
                         .digest = found->second.digest,
                         .from_stage = "",
                         .to_stage = stage,
                         .forced = false};
  if (Status status = setInIndex(blobs_, stage, name, std::nullopt); !status.ok()) return status;
  if (Status status = appendAudit(blobs_, now, entry); !status.ok()) return status;
  return entry;
}

sdk::StatusOr<std::vector<AuditEntry>> PackStore::history(const std::string& name) {
  auto objects = blobs_.list(kAuditDir);
  if (!objects.ok()) return objects.status();
  std::vector<std::pair<AuditEntry, std::string>> found;
  for (const auto& object : *objects) {
    if (!object.ends_with(".json")) continue;
    const std::string path = std::string(kAuditDir) + "/" + object;
    auto read = blobs_.get(path);
    if (!read.ok()) {
      // Listed a moment ago: only a concurrent removal makes it go, and none is made.
      if (read.status().code() == ErrorCode::not_found) continue;
      return read.status();
    }
    if (!read->has_value()) continue;
    auto entry = parseAudit((*read)->bytes);
    if (!entry.ok()) return storeError(blobs_, path, entry.status());
    if (name.empty() || entry->pack == name) found.emplace_back(std::move(*entry), object);
  }
  std::sort(found.begin(), found.end(), [](const auto& left, const auto& right) {
    return std::tie(left.first.at, left.second) < std::tie(right.first.at, right.second);
  });
  std::vector<AuditEntry> entries;
  entries.reserve(found.size());
  for (auto& [entry, object] : found) entries.push_back(std::move(entry));
  return entries;
}

sdk::StatusOr<std::optional<PackStore::FetchedIndex>> PackStore::fetchIndex(
    const std::string& stage, const std::string& etag) {
  return readIndex(blobs_, stage, etag);
}

sdk::StatusOr<fs::path> PackStore::download(const std::string& name, const std::string& version,
                                            const fs::path& dir) {
  if (Status status = checkNameAndVersion(name, version); !status.ok()) return status;
  const std::string manifest_name = artifact::manifestFileName(name, version);
  const std::string manifest_path = artifactDir(name, version) + manifest_name;
  auto manifest_object = blobs_.get(manifest_path);
  if (!manifest_object.ok()) return manifest_object.status();
  if (!manifest_object->has_value()) {
    return Status(ErrorCode::internal, "unexpected answer for " + manifest_path);
  }
  const std::string& manifest_text = (*manifest_object)->bytes;
  auto manifest = artifact::parseManifest(manifest_text);
  if (!manifest.ok()) return storeError(blobs_, manifest_path, manifest.status());
  if (manifest->name != name || manifest->version != version ||
      manifest->archive != artifact::archiveFileName(name, version)) {
    return Status(ErrorCode::internal, blobs_.url() + ": " + manifest_path + ": names pack " +
                                           manifest->name + " " + manifest->version + ", archive " +
                                           manifest->archive);
  }
  auto archive = blobs_.get(artifactDir(name, version) + manifest->archive);
  if (!archive.ok()) return archive.status();
  if (!archive->has_value()) {
    return Status(ErrorCode::internal, "unexpected answer for " + manifest->archive);
  }
  // The archive first, so that a manifest on disk always has its archive beside it.
  if (Status status = writeLocalFile(dir / manifest->archive, (*archive)->bytes); !status.ok()) {
    return status;
  }
  const fs::path manifest_file = dir / manifest_name;
  if (Status status = writeLocalFile(manifest_file, manifest_text); !status.ok()) return status;
  return manifest_file;
}

}  // namespace rivet::pack_store
