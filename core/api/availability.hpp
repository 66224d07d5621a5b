// Whether a pack or an action can run now, and if not why: its metadata, its runner, or its
// pack's preparation (still building, or failed). One answer for the catalog listings and for
// POST /v1/executions, so the two never disagree.
#pragma once

#include <string>

#include "api/rest_api.hpp"

namespace rivet::core {

struct Availability {
  bool available = false;
  std::string state;   // "ready", "building", "failed" (preparation) or "unavailable"
  std::string error;   // why not, when not available
};

Availability packAvailability(const ApiContext& context, const PackEntry& pack);
Availability actionAvailability(const ApiContext& context, const PackEntry* pack,
                                const ActionEntry& action);

}  // namespace rivet::core
