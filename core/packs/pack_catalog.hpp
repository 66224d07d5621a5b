// The packs installed on this host and their actions: those of the packs directory, read at
// start, and those a pack store delivered (pack sync). Only actions listed here can ever run;
// a request names them by "pack.action" and no path is ever taken from a request.
//
// A catalog does not change once built: pack sync builds a new one with a pack replaced and
// swaps it in (LiveCatalog), so a request works on one consistent catalog throughout.
#pragma once

#include <rivet/sdk/status.hpp>
#include <rivet/sdk/types.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "packs/owned_pack_directory.hpp"

namespace rivet::core {

// An action as listed. An unavailable one is shown with the reason and can never run; a
// disabled one (spec.enabled false) is available but the host refuses to run it.
struct ActionEntry {
  sdk::ActionSpec spec;
  bool available = true;
  std::string error;
};

// How a pack from a pack store got here.
struct DeliveredFrom {
  std::string stage;
  std::string digest;                  // the artifact's "sha256:..."
  std::int64_t installed_at_ms = 0;
};

// A pack as listed. An unavailable pack has no actions: they are not read when pack.yaml is
// missing or refused, or when its ref is already taken by another pack.
struct PackEntry {
  sdk::PackSpec spec;
  bool available = true;
  std::string error;
  std::vector<ActionEntry> actions;
  std::optional<DeliveredFrom> delivered;  // absent: from the packs directory
  // Keeps the pack's directory while anything holds a copy: a catalog that lists it, or an
  // execution started from it (Executor). Null for the packs directory's packs.
  std::shared_ptr<const OwnedPackDirectory> directory_hold;
};

class PackCatalog {
 public:
  // Reads every pack directory directly under packs_dir, in name order (hidden directories
  // are skipped; a missing packs_dir gives an empty catalog). Bad content never throws: it
  // makes that pack or action unavailable with a reason that names the file and, where there
  // is one, the line.
  static PackCatalog load(const std::string& packs_dir);

  // Reads one pack directory (pack.yaml and actions/), with the same rules as load().
  static PackEntry loadPack(const std::string& pack_dir);

  // A copy with `pack` added, or in place of the pack with its ref. conflict when that ref
  // belongs to a pack of the packs directory: a delivered pack never shadows a local one.
  sdk::StatusOr<PackCatalog> withPack(PackEntry pack) const;
  // A copy without the delivered pack `ref`; a pack of the packs directory stays.
  PackCatalog withoutDeliveredPack(std::string_view ref) const;

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
