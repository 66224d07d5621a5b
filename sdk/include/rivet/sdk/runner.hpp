// A runner turns "run action X of pack P with these parameters" into a LaunchPlan.
//
// Runners never start processes: the host executes every plan the same way, so timeouts,
// cancel, output capture, nice, cgroup caps and history hold for third-party runners too.
// A runner may prepare a pack once (build a virtualenv, check an interpreter) when the pack
// is loaded or changes, never on the execution path.
#pragma once

#include <string>
#include <vector>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/status.hpp"
#include "rivet/sdk/types.hpp"

namespace rivet::sdk {

class BOOST_SYMBOL_VISIBLE Runner : public Plugin {
 public:
  // The metadata runner_type values this runner serves, e.g. {"local-shell-script"}.
  // Two loaded runners claiming one type is a configuration error.
  virtual std::vector<std::string> runnerTypes() const = 0;

  // Called when a pack is loaded, for each of its actions of a type this runner serves.
  // A non-ok Status makes that action unavailable, with the message shown over the API.
  virtual Status checkAction(const PackSpec& pack, const ActionSpec& action) const = 0;

  // Called once per pack load or change, before any of its actions can run, on a thread of
  // its own: it may take minutes (building a virtualenv); meanwhile the pack shows as
  // `building`. The default does nothing. A non-ok Status makes the pack's actions of this
  // runner unavailable, with the message (e.g. pip's error) shown over the API.
  virtual Status preparePack(const PackSpec& /*pack*/) { return Status::success(); }

  // Seconds an action of this type may run when its metadata sets no timeout.
  virtual int defaultTimeoutSeconds(const std::string& runner_type) const = 0;

  // Builds the launch plan. Called concurrently from several threads; must not block on I/O
  // beyond reading the pack. Parameters are already validated and typed.
  virtual StatusOr<LaunchPlan> plan(const LaunchRequest& request) const = 0;
};

}  // namespace rivet::sdk
