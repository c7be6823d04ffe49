/** The outbox table: events waiting for, or delivered to, the central system. Versions are the 1-based index: append new steps, never edit applied ones. */
export const OUTBOX_MIGRATIONS = [
  `CREATE TABLE outbox (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     type TEXT NOT NULL,
     subject TEXT,
     envelope TEXT NOT NULL,
     size INTEGER NOT NULL,
     state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','delivered','dead')),
     attempts INTEGER NOT NULL DEFAULT 0,
     last_error TEXT,
     created_at INTEGER NOT NULL,
     delivered_at INTEGER
   );
   CREATE INDEX outbox_state_seq ON outbox(state, seq);`,
  // Dead events hold back later events of their subject (order per subject); pruning walks delivered_at.
  `CREATE INDEX outbox_dead_subject ON outbox(subject, seq) WHERE state = 'dead';
   CREATE INDEX outbox_delivered_at ON outbox(delivered_at) WHERE state = 'delivered';`,
];
