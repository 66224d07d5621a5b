// The schema migrations, in a header of their own so the tests can build a database at an
// older version (by running only the first steps) and check that the plugin upgrades it.
#pragma once

#include <array>

namespace rivet::plugins::storage_sqlite {

// Migration N (1-based) takes the schema from version N-1 to N. Append only: never edit a
// step that has shipped, since databases in the field already ran it.
inline constexpr std::array<const char*, 5> kMigrations{
    // 1: executions and their status transitions.
    // seq is the rowid: it orders history (newest first) and backs the list cursor.
    // AUTOINCREMENT keeps it from reusing the number of a purged newest row.
    // Each index ends in seq so a filtered list reads newest-first straight from the index,
    // stopping after `limit` rows instead of sorting every match.
    R"sql(
CREATE TABLE executions (
  seq               INTEGER PRIMARY KEY AUTOINCREMENT,
  id                TEXT    NOT NULL UNIQUE,
  pack              TEXT    NOT NULL,
  action            TEXT    NOT NULL,
  parameters        TEXT    NOT NULL,
  requester_subject TEXT    NOT NULL,
  requester_sans    TEXT    NOT NULL,
  status            TEXT    NOT NULL,
  exit_code         INTEGER,
  term_signal       INTEGER,
  error             TEXT    NOT NULL DEFAULT '',
  created_at_ms     INTEGER NOT NULL,
  started_at_ms     INTEGER,
  ended_at_ms       INTEGER,
  pid               INTEGER,
  stdout_path       TEXT    NOT NULL DEFAULT '',
  stderr_path       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX executions_by_action ON executions (pack, action, seq);
CREATE INDEX executions_by_pack ON executions (pack, seq);
CREATE INDEX executions_by_status ON executions (status, seq);
CREATE TABLE execution_transitions (
  execution_id TEXT    NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  seq          INTEGER NOT NULL,
  from_status  TEXT,
  to_status    TEXT    NOT NULL,
  at_ms        INTEGER NOT NULL,
  reason       TEXT    NOT NULL DEFAULT '',
  PRIMARY KEY (execution_id, seq)
) WITHOUT ROWID;
)sql",
    // 2: timeouts, idempotency keys, and the indexes behind listUnfinished() and
    // purgeEndedBefore(). Existing rows get the defaults: no timeout, no key.
    // Partial indexes are used only by a query whose WHERE repeats the index's condition
    // word for word, so the queries in execution_queries.hpp copy these conditions exactly,
    // and name their index (INDEXED BY) so preparing fails rather than silently scanning.
    // - executions_by_idempotency_key: one key per requester subject; rows without a key
    //   ("") are left out, so they never collide.
    // - executions_unfinished: only the non-terminal rows, in seq order, so listUnfinished()
    //   reads a handful of entries however long the history.
    // - executions_purgeable: only the terminal rows, by end time, so a purge seeks the
    //   oldest ones and stops after max_count.
    R"sql(
ALTER TABLE executions ADD COLUMN timeout_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE executions ADD COLUMN idempotency_key TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX executions_by_idempotency_key ON executions (requester_subject, idempotency_key)
  WHERE idempotency_key != '';
CREATE INDEX executions_unfinished ON executions (seq)
  WHERE status IN ('requested', 'scheduled', 'running', 'canceling');
CREATE INDEX executions_purgeable ON executions (ended_at_ms)
  WHERE status IN ('succeeded', 'failed', 'timeout', 'canceled', 'abandoned');
)sql",
    // 3: the structured result of an execution, as JSON text; NULL when it has none (which
    // is what existing rows get).
    R"sql(
ALTER TABLE executions ADD COLUMN result TEXT;
)sql",
    // 4: what the execution used, read from its sandbox cell. oom_killed is NULL exactly when
    // there is no usage (what existing rows get): it marks the usage as present, since a usage
    // may have neither number. The two counts are NULL when the cell did not report them.
    R"sql(
ALTER TABLE executions ADD COLUMN peak_memory_bytes INTEGER;
ALTER TABLE executions ADD COLUMN cpu_time_us INTEGER;
ALTER TABLE executions ADD COLUMN oom_killed INTEGER CHECK (oom_killed IN (0, 1));
)sql",
    // 5: which copy of the pack the execution ran, written once by create(): pack.yaml's
    // version, where the pack came from ('packs_dir', 'store' or 'dev') and the artifact's
    // 'sha256:...' digest ('' for 'packs_dir'). Existing rows get '' in all three: an empty
    // pack_source means the execution was recorded before schema version 5.
    R"sql(
ALTER TABLE executions ADD COLUMN pack_version TEXT NOT NULL DEFAULT '';
ALTER TABLE executions ADD COLUMN pack_source TEXT NOT NULL DEFAULT '';
ALTER TABLE executions ADD COLUMN pack_digest TEXT NOT NULL DEFAULT '';
)sql",
};

}  // namespace rivet::plugins::storage_sqlite
