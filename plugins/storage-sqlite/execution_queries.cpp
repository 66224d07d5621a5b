#include "execution_queries.hpp"

#include <vector>

namespace rivet::plugins::storage_sqlite {

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

}  // namespace rivet::plugins::storage_sqlite
