// runFleet, submitFleet and fleetStatus: the strategies of docs/fleet.md over one Client per
// host, each on its own thread, at most max-concurrency at once.
#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "rivet/client/fleet.hpp"

namespace rivet::client {
namespace {

using nlohmann::json;
using sdk::ErrorCode;
using sdk::Status;
using namespace std::chrono_literals;

constexpr auto kPollInterval = 50ms;
// How long each host's POST asks rivetd to wait for the end (docs/fleet.md): long enough for
// a quick action to end in one round trip, short enough not to hold an interrupted run.
constexpr std::int64_t kFleetPostWaitSeconds = 5;

std::int64_t nowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string randomRunId() {
  std::random_device random;
  std::string id;
  for (int i = 0; i < 4; ++i) {
    char chunk[9];
    std::snprintf(chunk, sizeof chunk, "%08x", random());
    id += chunk;
  }
  return id;
}

std::string rfc3339(std::int64_t ms) {
  const std::time_t seconds = ms / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  const auto length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + length, sizeof text - length, ".%03dZ", static_cast<int>(ms % 1000));
  return text;
}

// Calls work(i) for every i below `count` on up to `concurrency` threads, each taking the next
// index as soon as it is free (Salt's batch refill); no index starts once may_start() is false.
void runBounded(std::size_t count, std::size_t concurrency,
                const std::function<bool()>& may_start,
                const std::function<void(std::size_t)>& work) {
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    while (may_start()) {
      const std::size_t index = next++;
      if (index >= count) return;
      work(index);
    }
  };
  std::vector<std::jthread> threads;
  for (std::size_t i = 0; i < std::min(concurrency, count); ++i) threads.emplace_back(worker);
}

HostResult hostResultFor(const Instance& instance, std::string group) {
  HostResult result;
  result.host = instance.id;
  result.endpoint = instance.endpoint;
  result.group = std::move(group);
  return result;
}

template <typename T>
void recordFailure(HostResult& result, const Result<T>& failed) {
  if (failed.apiError()) {
    result.status = "error";
    result.error = failed.apiError()->code + ": " + failed.apiError()->message;
  } else {
    result.status = "unreachable";
    result.error = failed.status().message();
  }
}

// The host's result from its Execution as read from rivetd.
void recordExecution(HostResult& result, const json& execution) {
  result.execution_id = execution.value("id", result.execution_id);
  result.status = execution.value("status", "error");
  const auto number = [&](const char* key) -> std::optional<std::int64_t> {
    const auto found = execution.find(key);
    if (found == execution.end() || !found->is_number_integer()) return std::nullopt;
    return found->get<std::int64_t>();
  };
  if (const auto code = number("exit_code")) result.exit_code = static_cast<int>(*code);
  result.duration_ms = number("duration_ms");
  result.error = execution.value("error", "");
  result.result = execution.value("result", json());
}

void runOnHost(const Instance& instance, const std::string& ref, const json& parameters,
               const std::string& fleet_run_id, const FleetOptions& options, HostResult& result) {
  result.started_at_ms = nowMs();
  Client client(instance.endpoint, options.tls, options.timeouts);
  RunOptions run_options;
  run_options.idempotency_key = fleet_run_id + "/" + instance.id;
  run_options.timeout_seconds = options.timeout_seconds;
  // A short action ends within the POST's own wait: no poll, no poll interval added.
  const auto deadline = std::chrono::steady_clock::now() + options.wait_limit;
  run_options.wait_seconds = static_cast<int>(
      std::min<std::int64_t>(kFleetPostWaitSeconds, options.wait_limit.count()));
  auto started = client.run(ref, parameters, run_options);
  if (!started.ok()) {
    recordFailure(result, started);
  } else {
    result.execution_id = (*started)["id"].get<std::string>();
    auto ended = isTerminalStatus(started->value("status", ""))
                     ? started
                     : client.waitForEnd(result.execution_id, deadline, kPollInterval);
    if (!ended.ok()) {
      recordFailure(result, ended);
    } else {
      recordExecution(result, *ended);
      if (!isTerminalStatus(result.status)) {
        result.error = "still " + result.status + " after waiting " +
                       std::to_string(options.wait_limit.count()) + " s";
        result.status = "error";
      }
    }
  }
  result.ended_at_ms = nowMs();
}

std::string groupOf(const Instance& instance, FleetStrategy strategy) {
  if (strategy == FleetStrategy::zone) return instance.attribute("zone");
  if (strategy == FleetStrategy::region) return instance.attribute("region");
  return "";
}

// Indices of `instances` per group, groups in run order: by name for zone and region, one
// group in inventory order otherwise.
std::vector<std::vector<std::size_t>> groupsInOrder(const std::vector<Instance>& instances,
                                                    FleetStrategy strategy) {
  std::map<std::string, std::vector<std::size_t>> by_name;
  for (std::size_t i = 0; i < instances.size(); ++i) {
    by_name[groupOf(instances[i], strategy)].push_back(i);
  }
  std::vector<std::vector<std::size_t>> groups;
  for (auto& [name, members] : by_name) groups.push_back(std::move(members));
  return groups;
}

std::size_t concurrencyFor(const FleetOptions& options, std::size_t group_size,
                           std::size_t total) {
  if (options.strategy == FleetStrategy::one_at_a_time) return 1;
  const std::size_t bound =
      options.max_concurrency ? std::max<std::size_t>(1, options.max_concurrency->of(total, true))
                              : group_size;
  return std::min(bound, group_size);
}

}  // namespace

std::optional<FleetStrategy> parseFleetStrategy(std::string_view text) {
  for (auto strategy : {FleetStrategy::one_at_a_time, FleetStrategy::zone, FleetStrategy::region,
                        FleetStrategy::parallel}) {
    if (toString(strategy) == text) return strategy;
  }
  return std::nullopt;
}

std::string_view toString(FleetStrategy strategy) {
  switch (strategy) {
    case FleetStrategy::one_at_a_time: return "one-at-a-time";
    case FleetStrategy::zone: return "zone";
    case FleetStrategy::region: return "region";
    case FleetStrategy::parallel: return "parallel";
  }
  return "unknown";
}

std::size_t HostCount::of(std::size_t total, bool round_up) const {
  if (!percent) return value;
  const std::uint64_t scaled = value * total;
  return static_cast<std::size_t>(round_up ? (scaled + 99) / 100 : scaled / 100);
}

std::optional<HostCount> parseHostCount(std::string_view text) {
  HostCount count;
  if (!text.empty() && text.back() == '%') {
    count.percent = true;
    text.remove_suffix(1);
  }
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count.value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
      (count.percent && count.value > 100)) {
    return std::nullopt;
  }
  return count;
}

std::map<std::string, std::size_t> FleetResult::countsByStatus() const {
  std::map<std::string, std::size_t> counts;
  for (const auto& host : hosts) ++counts[host.status];
  return counts;
}

int FleetResult::exitCode() const {
  return std::any_of(hosts.begin(), hosts.end(), [](const HostResult& h) { return h.failed(); })
             ? 1
             : 0;
}

json FleetResult::toJson() const {
  json hosts_json = json::array();
  for (const auto& host : hosts) {
    hosts_json.push_back(
        {{"host", host.host},
         {"address", host.endpoint.host},
         {"port", host.endpoint.port},
         {"group", host.group},
         {"status", host.status},
         {"execution_id", host.execution_id.empty() ? json() : json(host.execution_id)},
         {"exit_code", host.exit_code ? json(*host.exit_code) : json()},
         {"duration_ms", host.duration_ms ? json(*host.duration_ms) : json()},
         {"error", host.error},
         {"result", host.result},
         {"started_at_ms", host.started_at_ms},
         {"ended_at_ms", host.ended_at_ms}});
  }
  return {{"fleet_run", fleet_run_id}, {"stopped_early", stopped_early},
          {"max_errors", max_errors}, {"counts", countsByStatus()},
          {"exit_code", exitCode()},   {"hosts", hosts_json}};
}

FleetResult runFleet(const std::vector<Instance>& instances, const std::string& ref,
                     const json& parameters, const FleetOptions& options) {
  FleetResult fleet;
  fleet.fleet_run_id = randomRunId();
  fleet.max_errors = options.max_errors.of(instances.size(), false);
  for (const auto& instance : instances) {
    fleet.hosts.push_back(hostResultFor(instance, groupOf(instance, options.strategy)));
  }

  std::mutex mutex;  // guards progress and the failure count below
  FleetProgress progress;
  progress.total = instances.size();
  std::atomic<bool> stop{false};
  const auto report = [&] {
    if (options.on_progress) options.on_progress(progress);
  };

  for (const auto& group : groupsInOrder(instances, options.strategy)) {
    if (stop) break;
    {
      std::lock_guard lock(mutex);
      progress.group = fleet.hosts[group.front()].group;
      report();
    }
    runBounded(
        group.size(), concurrencyFor(options, group.size(), instances.size()),
        [&] { return !stop; },
        [&](std::size_t member) {
          HostResult& result = fleet.hosts[group[member]];
          {
            std::lock_guard lock(mutex);
            ++progress.running;
            report();
          }
          runOnHost(instances[group[member]], ref, parameters, fleet.fleet_run_id, options, result);
          std::lock_guard lock(mutex);
          --progress.running;
          ++progress.done;
          if (result.failed() && ++progress.failed > fleet.max_errors) stop = true;
          report();
        });
  }
  if (stop) {
    fleet.stopped_early = true;
    for (auto& host : fleet.hosts) {
      if (host.status == "skipped") {
        host.error = "not started: more than " + std::to_string(fleet.max_errors) +
                     " hosts failed (max-errors)";
      }
    }
  }
  return fleet;
}

sdk::StatusOr<json> submitFleet(const std::vector<Instance>& instances, const std::string& ref,
                                const json& parameters, const FleetOptions& options) {
  if (options.strategy != FleetStrategy::parallel) {
    return Status(ErrorCode::invalid_argument,
                  "an asynchronous fleet run needs the parallel strategy: " +
                      std::string(toString(options.strategy)) +
                      " waits for hosts, so the client must stay (drop --async)");
  }
  const std::string fleet_run_id = randomRunId();
  json hosts = json::array();
  for (const auto& instance : instances) {
    hosts.push_back({{"host", instance.id},
                     {"address", instance.endpoint.host},
                     {"port", instance.endpoint.port},
                     {"execution_id", nullptr},
                     {"error", ""}});
  }
  runBounded(
      instances.size(), concurrencyFor(options, instances.size(), instances.size()),
      [] { return true; },
      [&](std::size_t i) {
        Client client(instances[i].endpoint, options.tls, options.timeouts);
        RunOptions run_options;
        run_options.idempotency_key = fleet_run_id + "/" + instances[i].id;
        run_options.timeout_seconds = options.timeout_seconds;
        auto started = client.run(ref, parameters, run_options);
        if (started.ok()) {
          hosts[i]["execution_id"] = (*started)["id"];
        } else {
          HostResult failure;
          recordFailure(failure, started);
          hosts[i]["error"] = failure.status + ": " + failure.error;
        }
      });
  return json{{"fleet_run", fleet_run_id},   {"action", ref},
              {"parameters", parameters},    {"created_at", rfc3339(nowMs())},
              {"hosts", hosts}};
}

sdk::StatusOr<FleetResult> fleetStatus(const json& fleet_run, const FleetOptions& options) {
  if (!fleet_run.is_object() || !fleet_run.value("hosts", json()).is_array() ||
      !fleet_run.value("fleet_run", json()).is_string()) {
    return Status(ErrorCode::invalid_argument, "not a fleet-run file (fleet_run, hosts)");
  }
  FleetResult fleet;
  fleet.fleet_run_id = fleet_run["fleet_run"];
  const auto& hosts = fleet_run["hosts"];
  for (const auto& host : hosts) {
    if (!host.is_object() || !host.value("host", json()).is_string() ||
        !host.value("address", json()).is_string() || !host.value("port", json()).is_number()) {
      return Status(ErrorCode::invalid_argument, "fleet-run file: a host lacks host/address/port");
    }
    HostResult result;
    result.host = host["host"];
    result.endpoint = Endpoint{host["address"], host["port"].get<std::uint16_t>()};
    if (host.value("execution_id", json()).is_string()) {
      result.execution_id = host["execution_id"];
    } else {
      result.status = "error";
      result.error = host.value("error", "not submitted");
    }
    fleet.hosts.push_back(std::move(result));
  }
  // Reads only: as many at once as allowed, whatever strategy the run had.
  constexpr std::size_t kDefaultReaders = 64;
  const std::size_t readers =
      options.max_concurrency ? options.max_concurrency->of(fleet.hosts.size(), true)
                              : kDefaultReaders;
  runBounded(
      fleet.hosts.size(), std::max<std::size_t>(1, readers), [] { return true; },
      [&](std::size_t i) {
        HostResult& result = fleet.hosts[i];
        if (result.execution_id.empty()) return;
        Client client(result.endpoint, options.tls, options.timeouts);
        auto execution = client.get(result.execution_id);
        if (execution.ok()) {
          recordExecution(result, *execution);
        } else {
          recordFailure(result, execution);
        }
      });
  return fleet;
}

}  // namespace rivet::client
