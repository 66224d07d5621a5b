// Fleet runs with no middle tier: one action on many hosts, each reached directly, in the order
// and with the bounds of a strategy (docs/fleet.md has the rules; the Python client in
// sdk/python follows the same).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "rivet/client/client.hpp"
#include "rivet/client/inventory.hpp"
#include "rivet/client/tls_files.hpp"

namespace rivet::client {

enum class FleetStrategy { one_at_a_time, zone, region, parallel };
std::optional<FleetStrategy> parseFleetStrategy(std::string_view text);
std::string_view toString(FleetStrategy strategy);

// "N" hosts or "N%" of the selected hosts.
struct HostCount {
  std::uint64_t value = 0;
  bool percent = false;
  // The count for `total` hosts: a percentage rounded up or down as asked.
  std::size_t of(std::size_t total, bool round_up) const;
};
std::optional<HostCount> parseHostCount(std::string_view text);

struct FleetProgress {
  std::size_t total = 0;
  std::size_t done = 0;     // succeeded or failed
  std::size_t running = 0;
  std::size_t failed = 0;
  std::string group;        // the zone or region being run; "" for the others
};

struct FleetOptions {
  FleetStrategy strategy = FleetStrategy::one_at_a_time;
  std::optional<HostCount> max_concurrency;  // unset: 1, the whole group, or all (by strategy)
  HostCount max_errors;                      // failures tolerated before no new host starts
  std::optional<int> timeout_seconds;        // the action's timeout on each host
  std::chrono::seconds wait_limit{24 * 3600};  // how long to wait for one host's execution
  TlsFiles tls;
  Timeouts timeouts;
  std::function<void(const FleetProgress&)> on_progress;  // called from worker threads, serialised
};

struct HostResult {
  std::string host;
  Endpoint endpoint;
  std::string group;
  // The execution's final status, or unreachable, error (the API refused) or skipped.
  std::string status = "skipped";
  std::string execution_id;
  std::optional<int> exit_code;
  std::optional<std::int64_t> duration_ms;
  std::string error;
  nlohmann::json result;  // the execution's structured result, null when none
  std::int64_t started_at_ms = 0;
  std::int64_t ended_at_ms = 0;

  bool failed() const { return status != "succeeded"; }
};

struct FleetResult {
  std::string fleet_run_id;
  std::vector<HostResult> hosts;  // in inventory order
  bool stopped_early = false;     // max-errors was exceeded
  std::size_t max_errors = 0;

  std::map<std::string, std::size_t> countsByStatus() const;
  // 0 when every host succeeded, else 1.
  int exitCode() const;
  nlohmann::json toJson() const;
};

// Runs `ref` on `instances` and waits for every started host's end.
FleetResult runFleet(const std::vector<Instance>& instances, const std::string& ref,
                     const nlohmann::json& parameters, const FleetOptions& options);

// Submits `ref` to every instance without waiting (the parallel strategy; at most
// max_concurrency requests at once) and returns the fleet-run file's JSON (docs/fleet.md).
// invalid_argument for any other strategy.
sdk::StatusOr<nlohmann::json> submitFleet(const std::vector<Instance>& instances,
                                          const std::string& ref,
                                          const nlohmann::json& parameters,
                                          const FleetOptions& options);

// The hosts of a fleet-run file as they are now: each host's execution read once.
sdk::StatusOr<FleetResult> fleetStatus(const nlohmann::json& fleet_run, const FleetOptions& options);

}  // namespace rivet::client
