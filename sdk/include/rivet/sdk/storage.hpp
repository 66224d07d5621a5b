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
#include <cstdint>
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
  // exists, or if the record has an idempotency key that the same requester subject has
  // already used (look that execution up with getByIdempotencyKey).
  virtual Status create(const ExecutionRecord& record) = 0;

  // Applies one status change to execution `id`. not_found if there is no such execution;
  // conflict if it is already in a terminal status. Fields the update leaves empty keep
  // their stored values.
  virtual Status apply(const std::string& id, const ExecutionUpdate& update) = 0;

  virtual StatusOr<ExecutionRecord> get(const std::string& id) const = 0;

  // The execution created by `requester_subject` with `key`; not_found if none.
  virtual StatusOr<ExecutionRecord> getByIdempotencyKey(const std::string& requester_subject,
                                                        const std::string& key) const = 0;

  // Every execution not in a terminal status, oldest first: what a starting rivetd must
  // re-adopt, reconcile or start.
  virtual StatusOr<std::vector<ExecutionRecord>> listUnfinished() const = 0;

  // Deletes up to `max_count` terminal executions that ended before `ended_before_ms`, with
  // their transitions, oldest first, and returns them (the caller removes their files).
  virtual StatusOr<std::vector<ExecutionRecord>> purgeEndedBefore(std::int64_t ended_before_ms,
                                                                  std::size_t max_count) = 0;

  // Whether the store can be read and written now; the message says why not.
  virtual Status check() const = 0;

  // not_found if `before` names no execution.
  virtual StatusOr<ExecutionPage> list(const ExecutionQuery& query) const = 0;

  // Oldest first; not_found for an unknown id.
  virtual StatusOr<std::vector<StatusTransition>> transitions(const std::string& id) const = 0;
};

}  // namespace rivet::sdk
