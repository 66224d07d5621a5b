#include "execution_rows.hpp"

#include <utility>

namespace rivet::plugins::storage_sqlite {

using sdk::ErrorCode;
using sdk::ExecutionStatus;
using sdk::Status;
using sdk::StatusOr;

namespace {

std::optional<int> narrow(std::optional<std::int64_t> value) {
  if (!value) return std::nullopt;
  return static_cast<int>(*value);
}

// SQLite integers are signed 64-bit: a count past INT64_MAX (no real one is) is stored as its
// two's-complement bit pattern, and reads back unchanged.
std::optional<std::int64_t> countToColumn(std::optional<std::uint64_t> count) {
  if (!count) return std::nullopt;
  return static_cast<std::int64_t>(*count);
}

std::optional<std::uint64_t> countFromColumn(std::optional<std::int64_t> column) {
  if (!column) return std::nullopt;
  return static_cast<std::uint64_t>(*column);
}

// Columns 19-21 of kExecutionColumns. oom_killed is NULL exactly when there is no usage
// (migration 4).
std::optional<sdk::ResourceUsage> decodeUsage(const Statement& row) {
  if (row.isNull(21)) return std::nullopt;
  sdk::ResourceUsage usage;
  usage.peak_memory_bytes = countFromColumn(row.optionalInteger(19));
  usage.cpu_time_us = countFromColumn(row.optionalInteger(20));
  usage.oom_killed = row.integer(21) != 0;
  return usage;
}

// A byte count as a limit is usually written: "1 MiB", "64 KiB", or "1000 bytes".
std::string describeBytes(std::int64_t bytes) {
  constexpr std::int64_t kKiB = 1024;
  constexpr std::int64_t kMiB = 1024 * kKiB;
  if (bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MiB";
  if (bytes % kKiB == 0) return std::to_string(bytes / kKiB) + " KiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace

StatusOr<ExecutionStatus> decodeStatus(const std::string& text, const std::string& id) {
  if (auto status = sdk::parseExecutionStatus(text)) return *status;
  return Status(ErrorCode::internal,
                "execution '" + id + "' has an unknown status '" + text + "' in the database");
}

StatusOr<sdk::ExecutionRecord> decodeExecution(const Statement& row) {
  sdk::ExecutionRecord record;
  record.id = row.text(0);
  record.pack = row.text(1);
  record.action = row.text(2);
  record.parameters = nlohmann::json::parse(row.text(3));
  record.requester.subject = row.text(4);
  record.requester.sans = nlohmann::json::parse(row.text(5)).get<std::vector<std::string>>();
  auto status = decodeStatus(row.text(6), record.id);
  if (!status.ok()) return status.status();
  record.status = *status;
  record.exit_code = narrow(row.optionalInteger(7));
  record.term_signal = narrow(row.optionalInteger(8));
  record.error = row.text(9);
  record.created_at_ms = row.integer(10);
  record.started_at_ms = row.optionalInteger(11);
  record.ended_at_ms = row.optionalInteger(12);
  record.pid = narrow(row.optionalInteger(13));
  record.stdout_path = row.text(14);
  record.stderr_path = row.text(15);
  record.timeout_seconds = static_cast<int>(row.integer(16));
  record.idempotency_key = row.text(17);
  // NULL: no result (create() and apply() store a null result as NULL).
  if (!row.isNull(18)) record.result = nlohmann::json::parse(row.text(18));
  record.usage = decodeUsage(row);
  // '' in all three for a row recorded before schema version 5 (migration 5).
  record.pack_version = row.text(22);
  record.pack_source = row.text(23);
  record.pack_digest = row.text(24);
  return record;
}

StatusOr<std::vector<sdk::ExecutionRecord>> decodeExecutions(Statement& statement) {
  std::vector<sdk::ExecutionRecord> records;
  while (true) {
    auto row = statement.step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto record = decodeExecution(statement);
    if (!record.ok()) return record.status();
    records.push_back(std::move(record).value());
  }
  return records;
}

StatusOr<std::optional<std::int64_t>> findSeq(Database& database, const std::string& id) {
  auto statement = database.prepare("SELECT seq FROM executions WHERE id = :id");
  if (!statement.ok()) return statement.status();
  statement->bind(":id", id);
  auto row = statement->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(statement->integer(0));
}

StatusOr<std::optional<std::string>> encodeResult(const nlohmann::json& result,
                                                  std::int64_t max_bytes, const std::string& id) {
  if (result.is_null()) return std::optional<std::string>();
  std::string text;
  try {
    text = result.dump();
  } catch (const nlohmann::json::exception& error) {
    return Status(ErrorCode::invalid_argument,
                  "execution '" + id + "': result cannot be stored as JSON: " + error.what());
  }
  if (static_cast<std::uint64_t>(text.size()) > static_cast<std::uint64_t>(max_bytes)) {
    return Status(ErrorCode::too_large, "execution '" + id + "': result of " +
                                            std::to_string(text.size()) + " bytes is over the " +
                                            describeBytes(max_bytes) +
                                            " limit ([storage-sqlite] max_result_bytes)");
  }
  return std::optional<std::string>(std::move(text));
}

void bindOptionalText(Statement& statement, const char* name,
                      const std::optional<std::string>& text) {
  if (text) {
    statement.bind(name, *text);
  } else {
    statement.bindNull(name);
  }
}

void bindUsage(Statement& statement, const std::optional<sdk::ResourceUsage>& usage) {
  if (!usage) {
    for (const char* name : {":peak_memory_bytes", ":cpu_time_us", ":oom_killed"}) {
      statement.bindNull(name);
    }
    return;
  }
  statement.bind(":peak_memory_bytes", countToColumn(usage->peak_memory_bytes));
  statement.bind(":cpu_time_us", countToColumn(usage->cpu_time_us));
  statement.bind(":oom_killed", static_cast<std::int64_t>(usage->oom_killed));
}

}  // namespace rivet::plugins::storage_sqlite
