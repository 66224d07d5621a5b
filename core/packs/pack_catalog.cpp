#include "packs/pack_catalog.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <regex>
#include <system_error>

#include "packs/action_metadata.hpp"
#include "packs/metadata_error.hpp"
#include "packs/metadata_fields.hpp"

namespace rivet::core {
namespace {

namespace fs = std::filesystem;

bool isValidPackRef(const std::string& ref) {
  static const std::regex kRef("[a-z0-9_]+");
  return std::regex_match(ref, kRef);
}

// What `ref:` could say for a pack named "My Pack": "my_pack".
std::string suggestedRef(const std::string& name) {
  std::string ref;
  for (char c : name) {
    char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ref += isValidPackRef(std::string(1, lower)) ? lower : '_';
  }
  return ref;
}

// Entries directly under dir that satisfy keep, in name order so loading is reproducible.
template <typename Keep>
std::vector<fs::path> sortedEntries(const fs::path& dir, Keep keep) {
  std::vector<fs::path> entries;
  std::error_code error;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    if (keep(*it)) entries.push_back(it->path());
  }
  std::sort(entries.begin(), entries.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  return entries;
}

// Any exception thrown while reading a file becomes the reason that file is refused.
template <typename Read>
std::string refusalWhileReading(const fs::path& file, Read read) {
  try {
    read();
    return "";
  } catch (const MetadataError& error) {
    return describeAt(file.string(), error);
  } catch (const YAML::Exception& error) {
    return describeAt(file.string(), MetadataError(error.msg, error.mark));
  } catch (const std::exception& error) {
    return describeAt(file.string(), MetadataError(error.what()));
  }
}

void readPackMetadata(const fs::path& file, sdk::PackSpec& spec) {
  YAML::Node root = loadYamlFile(file.string());
  if (!root.IsMap()) throw MetadataError("must be a map (name, version, ...)", root.Mark());
  spec.metadata = yamlToJson(root);

  auto name = textField(root, "name");
  if (!name) throw MetadataError("name is required");
  spec.name = *name;
  spec.description = textField(root, "description").value_or("");
  spec.version = textField(root, "version").value_or("");
  spec.author = textField(root, "author").value_or("");

  if (auto ref = textField(root, "ref")) {
    if (!isValidPackRef(*ref)) {
      throw MetadataError("ref '" + *ref + "' is not valid (lowercase letters, digits, _)",
                          root["ref"].Mark());
    }
    spec.ref = *ref;
  } else if (isValidPackRef(*name)) {
    spec.ref = *name;
  } else {
    throw MetadataError(
        "pack name '" + *name + "' is not a valid ref; add ref: " + suggestedRef(*name),
        root["name"].Mark());
  }
}

std::vector<ActionEntry> readActions(const sdk::PackSpec& pack) {
  const fs::path actions_dir = fs::path(pack.path) / "actions";
  auto files = sortedEntries(actions_dir, [](const fs::directory_entry& entry) {
    std::error_code error;
    auto extension = entry.path().extension();
    return (extension == ".yaml" || extension == ".yml") && entry.is_regular_file(error);
  });

  std::vector<ActionEntry> actions;
  std::map<std::string, fs::path> declared_by;  // action name -> the file that declared it
  for (const fs::path& file : files) {
    ActionEntry action;
    action.spec.pack = pack.ref;
    action.error = refusalWhileReading(
        file, [&] { readActionMetadata(loadYamlFile(file.string()), pack.path, action.spec); });
    if (action.spec.name.empty()) {
      // Refused before its name was read: listed under the file's name.
      action.spec.name = file.stem().string();
    } else if (auto [first, inserted] = declared_by.emplace(action.spec.name, file); !inserted) {
      action.error = file.string() + ": action name '" + action.spec.name +
                     "' is already declared by " + first->second.string();
    }
    action.available = action.error.empty();
    actions.push_back(std::move(action));
  }
  return actions;
}

// An available entry wins over an unavailable one with the same name.
template <typename Entry, typename NameOf>
const Entry* findPreferringAvailable(const std::vector<Entry>& entries, std::string_view name,
                                     NameOf name_of) {
  const Entry* unavailable = nullptr;
  for (const Entry& entry : entries) {
    if (name_of(entry) != name) continue;
    if (entry.available) return &entry;
    if (!unavailable) unavailable = &entry;
  }
  return unavailable;
}

}  // namespace

PackCatalog PackCatalog::load(const std::string& packs_dir) {
  PackCatalog catalog;
  auto dirs = sortedEntries(packs_dir, [](const fs::directory_entry& entry) {
    std::error_code error;
    return entry.path().filename().string().front() != '.' && entry.is_directory(error);
  });

  std::map<std::string, std::string> ref_owner;  // pack ref -> the path of the pack that has it
  for (const fs::path& dir : dirs) {
    PackEntry pack = loadPack(dir.string());
    if (!pack.available) {
      // Refused before its ref was read: it claims none.
    } else if (auto [owner, inserted] = ref_owner.emplace(pack.spec.ref, pack.spec.path);
               !inserted) {
      pack.error = (fs::path(pack.spec.path) / "pack.yaml").string() + ": pack ref '" +
                   pack.spec.ref + "' is already used by " + owner->second;
      pack.available = false;
      pack.actions.clear();
    }
    catalog.packs_.push_back(std::move(pack));
  }
  return catalog;
}

PackEntry PackCatalog::loadPack(const std::string& pack_dir) {
  PackEntry pack;
  std::error_code error;
  fs::path canonical = fs::canonical(pack_dir, error);
  pack.spec.path = error ? fs::absolute(pack_dir).string() : canonical.string();
  const fs::path file = fs::path(pack.spec.path) / "pack.yaml";
  pack.error = refusalWhileReading(file, [&] { readPackMetadata(file, pack.spec); });
  // No valid ref: shown under its directory's name.
  if (pack.spec.ref.empty()) pack.spec.ref = fs::path(pack_dir).filename().string();
  pack.available = pack.error.empty();
  if (pack.available) pack.actions = readActions(pack.spec);
  return pack;
}

sdk::StatusOr<PackCatalog> PackCatalog::withPack(PackEntry pack) const {
  PackCatalog next = *this;
  for (auto& existing : next.packs_) {
    if (existing.spec.ref != pack.spec.ref) continue;
    if (!existing.delivered) {
      return sdk::Status(sdk::ErrorCode::conflict,
                         "pack ref '" + pack.spec.ref + "' is already used by " +
                             existing.spec.path + " (the packs directory)");
    }
    existing = std::move(pack);
    return next;
  }
  next.packs_.push_back(std::move(pack));
  return next;
}

PackCatalog PackCatalog::withoutDeliveredPack(std::string_view ref) const {
  PackCatalog next = *this;
  std::erase_if(next.packs_,
                [ref](const PackEntry& pack) { return pack.delivered && pack.spec.ref == ref; });
  return next;
}

const PackEntry* PackCatalog::findPack(std::string_view ref) const {
  return findPreferringAvailable(
      packs_, ref, [](const PackEntry& pack) -> const std::string& { return pack.spec.ref; });
}

const ActionEntry* PackCatalog::findAction(std::string_view ref) const {
  auto dot = ref.find('.');
  if (dot == std::string_view::npos || ref.find('.', dot + 1) != std::string_view::npos) {
    return nullptr;
  }
  const PackEntry* pack = findPack(ref.substr(0, dot));
  if (!pack) return nullptr;
  return findPreferringAvailable(
      pack->actions, ref.substr(dot + 1),
      [](const ActionEntry& action) -> const std::string& { return action.spec.name; });
}

}  // namespace rivet::core
