// ExecutionStore on one SQLite database in WAL mode.
//
// One connection serves every call, behind one mutex: reads are short indexed lookups and
// every write waits for an fsync anyway, so a connection pool would add locking subtleties
// without adding throughput. Other processes (the CLI, sqlite3) may read the file meanwhile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rivet/sdk/storage.hpp"
#include "sqlite_database.hpp"

namespace rivet::plugins::storage_sqlite {

class SqliteExecutionStore : public sdk::ExecutionStore {
 public:
  sdk::Status configure(const sdk::PluginContext& context) override;

  sdk::Status create(const sdk::ExecutionRecord& record) override;
  sdk::Status apply(const std::string& id, const sdk::ExecutionUpdate& update) override;
  sdk::StatusOr<sdk::ExecutionRecord> get(const std::string& id) const override;
  sdk::StatusOr<sdk::ExecutionRecord> getByIdempotencyKey(const std::string& requester_subject,
                                                          const std::string& key) const override;
  sdk::StatusOr<std::vector<sdk::ExecutionRecord>> listUnfinished() const override;
  sdk::StatusOr<std::vector<sdk::ExecutionRecord>> purgeEndedBefore(
      std::int64_t ended_before_ms, std::size_t max_count) override;
  sdk::Status check() const override;
  sdk::StatusOr<sdk::ExecutionPage> list(const sdk::ExecutionQuery& query) const override;
  sdk::StatusOr<std::vector<sdk::StatusTransition>> transitions(
      const std::string& id) const override;

 private:
  // The bodies of the public calls, run with mutex_ held and database_ open.
  sdk::Status openDatabase(const sdk::PluginContext& context);
  sdk::Status insertExecution(const sdk::ExecutionRecord& record);
  sdk::Status updateExecution(const std::string& id, const sdk::ExecutionUpdate& update);
  sdk::StatusOr<sdk::ExecutionRecord> selectExecution(const std::string& id) const;
  sdk::StatusOr<sdk::ExecutionRecord> selectByIdempotencyKey(const std::string& requester_subject,
                                                             const std::string& key) const;
  sdk::StatusOr<std::vector<sdk::ExecutionRecord>> selectUnfinished() const;
  sdk::StatusOr<std::vector<sdk::ExecutionRecord>> deleteEndedBefore(std::int64_t ended_before_ms,
                                                                     std::size_t max_count);
  sdk::Status probeDatabase() const;
  sdk::StatusOr<sdk::ExecutionPage> selectPage(const sdk::ExecutionQuery& query) const;
  sdk::StatusOr<std::vector<sdk::StatusTransition>> selectTransitions(const std::string& id) const;

  // Reads lend cached statements from the connection too, hence one lock for everything.
  mutable std::mutex mutex_;
  std::unique_ptr<Database> database_;  // null until configure() succeeds
  std::string path_;                    // the database file, for messages
  std::int64_t max_result_bytes_ = 0;   // [storage-sqlite] max_result_bytes
  bool synchronous_full_ = true;        // [storage-sqlite] synchronous = FULL
};

}  // namespace rivet::plugins::storage_sqlite
