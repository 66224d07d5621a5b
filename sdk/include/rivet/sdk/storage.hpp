// Where execution history lives. The embedded default is SQLite (plugins/storage-sqlite);
// another store (PostgreSQL for a replicated orchestrator, say) implements this interface
// without touching core/.
//
// Guarantees the host relies on:
// - create() and apply() are durable when they return ok: the API answers 202 only after
//   create() has returned, so an accepted execution is never lost.
// - apply() records the change and its StatusTransition atomically.
// - All methods are safe to call from several threads at once.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/status.hpp"
#include "rivet/sdk/types.hpp"

namespace rivet::sdk {

struct ExecutionQuery {
  std::optional<std::string> pack;        // with action: one action; alone: a whole pack
  std::optional<std::string> action;      // only together with pack (else invalid_argument)
  std::optional<ExecutionStatus> status;
  // Cursor: only executions created before the execution with this id (which must exist).
  std::optional<std::string> before;
  std::size_t limit = 50;                 // at least 1 (0 is invalid_argument)
};

struct ExecutionPage {
  std::vector<ExecutionRecord> items;     // newest first
  std::optional<std::string> next_before; // pass as `before` for the next page; empty at end
};

class BOOST_SYMBOL_VISIBLE ExecutionStore : public Plugin {
 public:
  // Stores a new execution with its first transition (to record.status). conflict if the id
  // exists.
  virtual Status create(const ExecutionRecord& record) = 0;

  // Applies one status change to execution `id`. not_found if there is no such execution;
  // conflict if it is already in a terminal status. Fields the update leaves empty keep
  // their stored values.
  virtual Status apply(const std::string& id, const ExecutionUpdate& update) = 0;

  virtual StatusOr<ExecutionRecord> get(const std::string& id) const = 0;

  // not_found if `before` names no execution.
  virtual StatusOr<ExecutionPage> list(const ExecutionQuery& query) const = 0;

  // Oldest first; not_found for an unknown id.
  virtual StatusOr<std::vector<StatusTransition>> transitions(const std::string& id) const = 0;
};

}  // namespace rivet::sdk
