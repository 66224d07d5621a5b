#include "shim/execution_files.hpp"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <utility>

#include "shim/atomic_file.hpp"
#include "shim/process_tree.hpp"

namespace rivet::core::shim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using sdk::ErrorCode;
using sdk::Status;

constexpr const char* kSupervisorFile = "supervisor.json";
constexpr const char* kStartedFile = "started.json";
constexpr const char* kStatusFile = "status.json";

constexpr std::pair<Outcome, const char*> kOutcomeNames[] = {
    {Outcome::exited, "exited"},
    {Outcome::signaled, "signaled"},
    {Outcome::timeout, "timeout"},
    {Outcome::canceled, "canceled"},
    {Outcome::failed_to_start, "failed_to_start"},
};

const char* outcomeName(Outcome outcome) {
  for (const auto& [value, name] : kOutcomeNames) {
    if (value == outcome) return name;
  }
  return "failed_to_start";
}

// Strict, unlike a default-mapping enum serializer: an unknown outcome is an error.
Outcome outcomeNamed(const std::string& text) {
  for (const auto& [value, name] : kOutcomeNames) {
    if (text == name) return value;
  }
  throw std::invalid_argument("unknown outcome '" + text + "'");
}

template <typename T>
json valueOrNull(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

template <typename T>
std::optional<T> optionalField(const json& doc, const char* key) {
  const auto& value = doc.at(key);
  return value.is_null() ? std::nullopt : std::optional<T>(value.get<T>());
}

Status writeJson(const fs::path& file, const json& doc, Durability durability) {
  return writeFileAtomically(file, doc.dump() + "\n", durability);
}

// Reads `file` and converts it with `convert`, turning every JSON error into a Status.
template <typename Convert>
auto readJson(const fs::path& file, Convert convert) -> sdk::StatusOr<decltype(convert(json()))> {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status(ErrorCode::not_found, "no " + file.string());
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  try {
    return convert(json::parse(text));
  } catch (const std::exception& error) {
    return Status(ErrorCode::internal, file.string() + ": " + error.what());
  }
}

}  // namespace

std::int64_t epochMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string currentBootId() {
  std::string boot_id;
  std::getline(std::ifstream("/proc/sys/kernel/random/boot_id"), boot_id);
  return boot_id;
}

Status writeSupervisorFile(const fs::path& execution_dir) {
  const auto self = readProcStat(::getpid());
  if (!self) return Status(ErrorCode::internal, "cannot read /proc/self/stat");
  const std::string boot_id = currentBootId();
  if (boot_id.empty()) {
    return Status(ErrorCode::internal, "cannot read /proc/sys/kernel/random/boot_id");
  }
  // Synced, before the action starts: after a host crash it is what tells rivetd the action
  // may have run (abandoned), where no supervisor.json means it never did (run it again).
  return writeJson(execution_dir / kSupervisorFile,
                   {{"pid", self->pid}, {"start_time", self->start_time}, {"boot_id", boot_id}},
                   Durability::synced);
}

Status writeStartedFile(const fs::path& execution_dir, const StartedAction& started) {
  // Read only to re-adopt a live shim, so within this boot.
  return writeJson(execution_dir / kStartedFile,
                   {{"pid", started.pid},
                    {"start_time", started.start_time},
                    {"started_at_ms", started.started_at_ms}},
                   Durability::process_crash_safe);
}

Status writeStatusFile(const fs::path& execution_dir, const ExecutionEnd& end) {
  // rivetd copies it into its durable store as soon as the shim exits; lost to a host crash
  // before that (or left empty), the execution is recorded abandoned, which is true.
  return writeJson(execution_dir / kStatusFile,
                   {{"outcome", outcomeName(end.outcome)},
                    {"exit_code", valueOrNull(end.exit_code)},
                    {"signal", valueOrNull(end.signal)},
                    {"reason", end.reason},
                    {"started_at_ms", valueOrNull(end.started_at_ms)},
                    {"ended_at_ms", end.ended_at_ms}},
                   Durability::process_crash_safe);
}

sdk::StatusOr<SupervisorIdentity> readSupervisorFile(const fs::path& execution_dir) {
  return readJson(execution_dir / kSupervisorFile, [](const json& doc) {
    return SupervisorIdentity{doc.at("pid").get<pid_t>(), doc.at("start_time").get<std::uint64_t>(),
                              doc.at("boot_id").get<std::string>()};
  });
}

sdk::StatusOr<StartedAction> readStartedFile(const fs::path& execution_dir) {
  return readJson(execution_dir / kStartedFile, [](const json& doc) {
    return StartedAction{doc.at("pid").get<pid_t>(), doc.at("start_time").get<std::uint64_t>(),
                         doc.at("started_at_ms").get<std::int64_t>()};
  });
}

sdk::StatusOr<ExecutionEnd> readStatusFile(const fs::path& execution_dir) {
  return readJson(execution_dir / kStatusFile, [](const json& doc) {
    ExecutionEnd end;
    end.outcome = outcomeNamed(doc.at("outcome").get<std::string>());
    end.exit_code = optionalField<int>(doc, "exit_code");
    end.signal = optionalField<int>(doc, "signal");
    end.reason = doc.at("reason").get<std::string>();
    end.started_at_ms = optionalField<std::int64_t>(doc, "started_at_ms");
    end.ended_at_ms = doc.at("ended_at_ms").get<std::int64_t>();
    return end;
  });
}

}  // namespace rivet::core::shim
