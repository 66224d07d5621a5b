// The packs installed on this host and their actions, as read from the packs directory at
// start. Only actions listed here can ever run; a request names them by "pack.action" and no
// path is ever taken from a request.
#pragma once

#include <rivet/sdk/types.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace rivet::core {

// An action as listed. An unavailable one is shown with the reason and can never run; a
// disabled one (spec.enabled false) is available but the host refuses to run it.
struct ActionEntry {
  sdk::ActionSpec spec;
  bool available = true;
  std::string error;
};

// A pack as listed. An unavailable pack has no actions: they are not read when pack.yaml is
// missing or refused, or when its ref is already taken by another pack.
struct PackEntry {
  sdk::PackSpec spec;
  bool available = true;
  std::string error;
  std::vector<ActionEntry> actions;
};

class PackCatalog {
 public:
  // Reads every pack directory directly under packs_dir, in name order (hidden directories
  // are skipped; a missing packs_dir gives an empty catalog). Bad content never throws: it
  // makes that pack or action unavailable with a reason that names the file and, where there
  // is one, the line.
  static PackCatalog load(const std::string& packs_dir);

  const std::vector<PackEntry>& packs() const { return packs_; }
  std::vector<PackEntry>& packs() { return packs_; }

  // ref is "pack.action". nullptr if there is no such action, including for any ref that is
  // not exactly two names joined by one dot. An unavailable entry is returned (so its reason
  // can be shown) only when no available one has the same ref.
  const ActionEntry* findAction(std::string_view ref) const;
  const PackEntry* findPack(std::string_view ref) const;

 private:
  std::vector<PackEntry> packs_;
};

}  // namespace rivet::core
