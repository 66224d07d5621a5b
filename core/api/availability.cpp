#include "api/availability.hpp"

namespace rivet::core {
namespace {

Availability fromPreparation(const PreparationProgress& progress) {
  switch (progress.state) {
    case PreparationState::ready: return {true, "ready", ""};
    case PreparationState::building:
      return {false, "building", "the pack is being prepared (e.g. its virtualenv built); retry shortly"};
    case PreparationState::failed: return {false, "failed", progress.error};
  }
  return {false, "unavailable", "unknown preparation state"};
}

}  // namespace

Availability packAvailability(const ApiContext& context, const PackEntry& pack) {
  if (!pack.available) return {false, "unavailable", pack.error};
  return fromPreparation(context.preparation.packProgress(pack.spec.path));
}

Availability actionAvailability(const ApiContext& context, const PackEntry* pack,
                                const ActionEntry& action) {
  if (pack == nullptr) return {false, "unavailable", "its pack is not loaded"};
  if (!pack->available) return {false, "unavailable", "its pack is unavailable: " + pack->error};
  if (!action.available) return {false, "unavailable", action.error};
  return fromPreparation(context.preparation.progress(pack->spec.path, action.spec.runner_type));
}

}  // namespace rivet::core
