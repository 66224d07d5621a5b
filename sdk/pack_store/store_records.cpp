// The JSON of a stage index and of an audit entry (docs/pack-delivery.md shows both).
#include <algorithm>

#include "rivet/pack_store/pack_store.hpp"

namespace rivet::pack_store {
namespace {

using nlohmann::json;
using sdk::ErrorCode;
using sdk::Status;
using sdk::StatusOr;

// Reads the string fields of `object` named in `fields` into their targets. A field missing
// from the object is an error unless it is in `optional`; present, it must be a string, and a
// required one non-empty.
struct StringField {
  const char* key;
  std::string* target;
  bool optional = false;
};

Status readStrings(const json& object, std::initializer_list<StringField> fields,
                   const std::string& what) {
  for (const auto& field : fields) {
    const auto found = object.find(field.key);
    if (found == object.end()) {
      if (field.optional) continue;
      return Status(ErrorCode::invalid_argument,
                    "invalid " + what + ": no \"" + field.key + "\" field");
    }
    if (!found->is_string() || (!field.optional && found->get_ref<const std::string&>().empty())) {
      return Status(ErrorCode::invalid_argument,
                    "invalid " + what + ": \"" + field.key + "\" must be a non-empty string");
    }
    *field.target = found->get<std::string>();
  }
  return Status::success();
}

}  // namespace

json indexJson(const StageIndex& index) {
  json packs = json::object();
  for (const auto& [name, entry] : index.packs) {
    packs[name] = {{"version", entry.version},     {"digest", entry.digest},
                   {"key_id", entry.key_id},       {"signature", entry.signature},
                   {"publisher", entry.publisher}, {"published_at", entry.published_at}};
  }
  return {{"format", kIndexFormat}, {"stage", index.stage}, {"packs", std::move(packs)}};
}

StatusOr<StageIndex> parseIndex(const std::string& text) {
  const json object = json::parse(text, nullptr, false);
  const auto invalid = [](const std::string& why) {
    return Status(ErrorCode::invalid_argument, "invalid stage index: " + why);
  };
  if (object.is_discarded() || !object.is_object()) return invalid("not a JSON object");
  const auto format = object.find("format");
  if (format == object.end() || !format->is_number_integer() ||
      format->get<int>() != kIndexFormat) {
    return invalid("\"format\" must be " + std::to_string(kIndexFormat));
  }
  StageIndex index;
  if (Status status = readStrings(object, {{"stage", &index.stage}}, "stage index"); !status.ok()) {
    return status;
  }
  const auto packs = object.find("packs");
  if (packs == object.end() || !packs->is_object()) {
    return invalid("\"packs\" must be an object");
  }
  for (const auto& [name, fields] : packs->items()) {
    if (!fields.is_object()) return invalid("pack \"" + name + "\" must be an object");
    IndexEntry entry;
    if (Status status = readStrings(fields,
                                    {{"version", &entry.version},
                                     {"digest", &entry.digest},
                                     {"key_id", &entry.key_id},
                                     {"signature", &entry.signature},
                                     {"publisher", &entry.publisher},
                                     {"published_at", &entry.published_at}},
                                    "stage index, pack \"" + name + "\"");
        !status.ok()) {
      return status;
    }
    index.packs.emplace(name, std::move(entry));
  }
  return index;
}

json auditJson(const AuditEntry& entry) {
  json object = {{"at", entry.at},
                 {"who", entry.who},
                 {"action", entry.action},
                 {"pack", entry.pack},
                 {"version", entry.version},
                 {"digest", entry.digest},
                 {"to_stage", entry.to_stage},
                 {"forced", entry.forced}};
  if (!entry.from_stage.empty()) object["from_stage"] = entry.from_stage;
  return object;
}

StatusOr<AuditEntry> parseAudit(const std::string& text) {
  const json object = json::parse(text, nullptr, false);
  if (object.is_discarded() || !object.is_object()) {
    return Status(ErrorCode::invalid_argument, "invalid audit entry: not a JSON object");
  }
  AuditEntry entry;
  if (Status status = readStrings(object,
                                  {{"at", &entry.at},
                                   {"who", &entry.who},
                                   {"action", &entry.action},
                                   {"pack", &entry.pack},
                                   {"version", &entry.version},
                                   {"digest", &entry.digest},
                                   {"to_stage", &entry.to_stage},
                                   {"from_stage", &entry.from_stage, true}},
                                  "audit entry");
      !status.ok()) {
    return status;
  }
  const auto forced = object.find("forced");
  if (forced != object.end()) {
    if (!forced->is_boolean()) {
      return Status(ErrorCode::invalid_argument,
                    "invalid audit entry: \"forced\" must be a boolean");
    }
    entry.forced = forced->get<bool>();
  }
  return entry;
}

bool isValidStageName(const std::string& stage) {
  return !stage.empty() && std::all_of(stage.begin(), stage.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

}  // namespace rivet::pack_store
