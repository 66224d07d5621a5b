// The vocabulary shared by the host and every plugin: packs and actions as read from disk,
// executions as stored, and the launch plan a runner hands to the host.
//
// Parameter values and action metadata are JSON values (nlohmann::json): they arrive as JSON
// over the API and are JSON-Schema typed in pack metadata, so no conversion is lost.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace rivet::sdk {

// ---- Packs and actions -------------------------------------------------------------------

// JSON-Schema types a parameter may declare (StackStorm's set).
enum class ParameterType { string, integer, number, boolean, array, object, null };

constexpr std::string_view toString(ParameterType type) {
  switch (type) {
    case ParameterType::string: return "string";
    case ParameterType::integer: return "integer";
    case ParameterType::number: return "number";
    case ParameterType::boolean: return "boolean";
    case ParameterType::array: return "array";
    case ParameterType::object: return "object";
    case ParameterType::null: return "null";
  }
  return "unknown";
}

inline std::optional<ParameterType> parseParameterType(std::string_view text) {
  for (auto type : {ParameterType::string, ParameterType::integer, ParameterType::number,
                    ParameterType::boolean, ParameterType::array, ParameterType::object,
                    ParameterType::null}) {
    if (toString(type) == text) return type;
  }
  return std::nullopt;
}

struct ParameterSpec {
  std::string name;                       // matches ^\w+$
  ParameterType type = ParameterType::string;
  std::string description;
  bool required = false;
  bool secret = false;                    // redacted in history and logs
  bool immutable = false;                 // a request may not set it; the default is used
  std::optional<nlohmann::json> default_value;
  std::vector<nlohmann::json> enum_values;  // empty: any value of the type
  std::optional<int> position;            // set: positional argument, else named --name=value
};

// Caps on one execution's resources (enforced by the sandbox plugin, when one is loaded).
struct ResourceLimits {
  std::optional<std::uint64_t> memory_bytes;
  std::optional<double> cpu_share;        // of one CPU: 0.25 = a quarter of one core
  std::optional<std::uint64_t> pids;      // most processes at once

  bool empty() const { return !memory_bytes && !cpu_share && !pids; }
};

// For each resource the smaller of two caps, or the one that is set.
inline ResourceLimits tighterLimits(const ResourceLimits& a, const ResourceLimits& b) {
  const auto tighter = [](const auto& x, const auto& y) {
    return x && y ? std::min(x, y) : x ? x : y;
  };
  return {tighter(a.memory_bytes, b.memory_bytes), tighter(a.cpu_share, b.cpu_share),
          tighter(a.pids, b.pids)};
}

struct ActionSpec {
  std::string pack;                       // pack ref, e.g. "linux"
  std::string name;                       // action name, e.g. "disk_usage"
  std::string runner_type;                // e.g. "local-shell-script"
  std::string description;
  bool enabled = true;
  std::string entry_point;                // as written in the metadata, relative to actions/
  std::string entry_point_path;           // absolute, resolved inside the pack ("" if none)
  std::vector<ParameterSpec> parameters;  // the action's own parameters, in metadata order
  // Runner parameters the pack fixes (StackStorm's cmd, cwd, env, timeout, ...): their
  // defaults from the metadata. A request can never set these.
  nlohmann::json runner_parameters = nlohmann::json::object();
  std::optional<int> timeout_seconds;     // from the metadata; absent: the runner's default
  std::vector<std::string> tags;
  // From the metadata's `rivet: {limits: ...}`. They can only tighten the sandbox's configured
  // caps: the host runs the action under the tighter of the two for each resource.
  ResourceLimits limits;

  std::string ref() const { return pack + "." + name; }
};

struct PackSpec {
  std::string ref;                        // ^[a-z0-9_]+$, the name actions are called by
  std::string name;
  std::string description;
  std::string version;
  std::string author;
  std::string path;                       // absolute directory of the pack
  nlohmann::json metadata = nlohmann::json::object();  // pack.yaml as read (unknown keys kept)
};

// ---- Executions ---------------------------------------------------------------------------

enum class ExecutionStatus {
  requested,   // accepted and durable; not yet planned
  scheduled,   // planned, waiting for a free slot
  running,
  succeeded,
  failed,
  timeout,
  canceling,
  canceled,
  abandoned,   // its process was lost (e.g. supervisor died); the reason says why
};

constexpr std::string_view toString(ExecutionStatus status) {
  switch (status) {
    case ExecutionStatus::requested: return "requested";
    case ExecutionStatus::scheduled: return "scheduled";
    case ExecutionStatus::running: return "running";
    case ExecutionStatus::succeeded: return "succeeded";
    case ExecutionStatus::failed: return "failed";
    case ExecutionStatus::timeout: return "timeout";
    case ExecutionStatus::canceling: return "canceling";
    case ExecutionStatus::canceled: return "canceled";
    case ExecutionStatus::abandoned: return "abandoned";
  }
  return "unknown";
}

inline std::optional<ExecutionStatus> parseExecutionStatus(std::string_view text) {
  for (auto status : {ExecutionStatus::requested, ExecutionStatus::scheduled,
                      ExecutionStatus::running, ExecutionStatus::succeeded,
                      ExecutionStatus::failed, ExecutionStatus::timeout,
                      ExecutionStatus::canceling, ExecutionStatus::canceled,
                      ExecutionStatus::abandoned}) {
    if (toString(status) == text) return status;
  }
  return std::nullopt;
}

// A terminal status never changes again.
constexpr bool isTerminal(ExecutionStatus status) {
  return status == ExecutionStatus::succeeded || status == ExecutionStatus::failed ||
         status == ExecutionStatus::timeout || status == ExecutionStatus::canceled ||
         status == ExecutionStatus::abandoned;
}

// What one execution used, read from its sandbox cell when it ended. Without a sandbox the
// execution has none.
struct ResourceUsage {
  std::optional<std::uint64_t> peak_memory_bytes;
  std::optional<std::uint64_t> cpu_time_us;  // user + system, every process of the execution
  bool oom_killed = false;                   // the kernel's OOM killer ended a process of it
};

// Who asked: taken from the verified client certificate, never from the request body.
struct Requester {
  std::string subject;                    // RFC 2253 subject, e.g. "CN=alice,O=ops"
  std::vector<std::string> sans;          // subject alternative names, e.g. "DNS:ops-bastion"
};

struct ExecutionRecord {
  std::string id;
  std::string pack;
  std::string action;                     // action name within the pack
  nlohmann::json parameters = nlohmann::json::object();  // after defaults; secrets redacted
  Requester requester;
  ExecutionStatus status = ExecutionStatus::requested;
  std::optional<int> exit_code;
  std::optional<int> term_signal;         // set when the process was ended by a signal
  std::string error;                      // why it failed or was abandoned; empty otherwise
  std::int64_t created_at_ms = 0;         // milliseconds since the Unix epoch, UTC
  std::optional<std::int64_t> started_at_ms;
  std::optional<std::int64_t> ended_at_ms;
  std::optional<int> pid;                 // process (group leader) while it runs
  std::string stdout_path;
  std::string stderr_path;
  // Seconds the action may run before it is stopped with status `timeout` (0: no limit).
  int timeout_seconds = 0;
  // The client's Idempotency-Key ("" : none). With the requester's subject it names one
  // execution: a retried request with the same key gets that execution, not a new one.
  std::string idempotency_key;
  // The structured result once it ended: the JSON the action wrote to $RIVET_RESULT_FILE, or
  // else its stdout when that is one JSON object (as StackStorm and Puppet Bolt read it);
  // null when neither.
  nlohmann::json result;
  std::optional<ResourceUsage> usage;     // set once ended, when it ran in a sandbox cell
  // Which copy of the pack it ran: pack.yaml's version; where the pack came from: "packs_dir",
  // "store" (pack sync) or "dev" (sent with the request, installed for that run only); and
  // the artifact's "sha256:..." digest for "store" and "dev" ("" for "packs_dir").
  std::string pack_version;
  std::string pack_source;
  std::string pack_digest;

  std::string ref() const { return pack + "." + action; }
};

// One change of status, as applied to a stored execution. Fields left empty keep their
// stored value.
struct ExecutionUpdate {
  ExecutionStatus status = ExecutionStatus::requested;
  std::int64_t at_ms = 0;
  std::string reason;                     // kept on the transition; also the record's error
  std::optional<int> exit_code;
  std::optional<int> term_signal;
  std::optional<int> pid;
  std::optional<std::int64_t> started_at_ms;
  std::optional<std::int64_t> ended_at_ms;
  std::optional<nlohmann::json> result;
  std::optional<ResourceUsage> usage;
};

struct StatusTransition {
  std::optional<ExecutionStatus> from;    // empty for the first record
  ExecutionStatus to = ExecutionStatus::requested;
  std::int64_t at_ms = 0;
  std::string reason;
};

// ---- What a runner hands to the host ------------------------------------------------------

// How to start an action's process. The host executes every plan the same way (process group,
// nice, sandbox, output capture, timeouts), so a runner never spawns anything itself.
struct LaunchPlan {
  // argv[0] is an absolute path, or a name looked up in the child's PATH.
  std::vector<std::string> argv;
  // Added to the host's base environment (PATH, LANG, HOME); these win on a clash.
  std::map<std::string, std::string> env;
  std::string working_dir;                // "" : the pack's directory
  std::string stdin_data;                 // written to the child's stdin, then closed
};

// The host adds RIVET_RESULT_FILE to every plan's environment: a path where the action may
// write its structured result as one JSON value (the python-script wrapper does).
inline constexpr const char* kResultFileVariable = "RIVET_RESULT_FILE";

// Everything a runner sees about one execution.
struct LaunchRequest {
  std::string execution_id;
  const PackSpec& pack;
  const ActionSpec& action;
  // Validated against the action's parameter specs, defaults applied, runner parameters
  // removed. Values have the declared JSON types.
  const nlohmann::json& parameters;
};

}  // namespace rivet::sdk
