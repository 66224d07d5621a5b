#include "execution_queries.hpp"

#include <vector>

namespace rivet::plugins::storage_sqlite {

namespace {

// The WHERE conditions of the partial indexes of migration 2, copied exactly.
constexpr const char* kUnfinishedCondition =
    "status IN ('requested', 'scheduled', 'running', 'canceling')";
constexpr const char* kTerminalCondition =
    "status IN ('succeeded', 'failed', 'timeout', 'canceled', 'abandoned')";

}  // namespace

std::string listExecutionsSql(const sdk::ExecutionQuery& query) {
  std::vector<std::string> conditions;
  if (query.pack) conditions.emplace_back("pack = :pack");
  if (query.action) conditions.emplace_back("action = :action");
  if (query.status) conditions.emplace_back("status = :status");
  if (query.before) conditions.emplace_back("seq < :before_seq");

  std::string sql = std::string("SELECT ") + kExecutionColumns + " FROM executions";
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    sql += i == 0 ? " WHERE " : " AND ";
    sql += conditions[i];
  }
  sql += " ORDER BY seq DESC LIMIT :limit";
  return sql;
}

std::string executionByIdempotencyKeySql() {
  return std::string("SELECT ") + kExecutionColumns +
         " FROM executions WHERE requester_subject = :requester_subject"
         " AND idempotency_key = :idempotency_key AND idempotency_key != ''";
}

std::string unfinishedExecutionsSql() {
  return std::string("SELECT ") + kExecutionColumns +
         " FROM executions INDEXED BY executions_unfinished WHERE " + kUnfinishedCondition +
         " ORDER BY seq";
}

std::string purgeCandidatesSql() {
  return std::string("SELECT ") + kExecutionColumns +
         " FROM executions INDEXED BY executions_purgeable WHERE " + kTerminalCondition +
         " AND ended_at_ms < :ended_before_ms ORDER BY ended_at_ms, seq LIMIT :limit";
}

}  // namespace rivet::plugins::storage_sqlite
