/** The outbox table: every event to forward is stored here in the same transaction as the change it reports. */
import type { Db } from '../store/db.ts';
import { migrate } from '../store/db.ts';
import { formatSequence, type CloudEvent } from './envelope.ts';

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
];

export class OutboxStore {
  private insertStmt!: import('better-sqlite3').Statement<unknown[]>;

  constructor(private readonly db: Db) {}

  start(): void {
    migrate(this.db, 'outbox', OUTBOX_MIGRATIONS);
    this.insertStmt = this.db.prepare('INSERT INTO outbox (id, type, subject, envelope, size, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  }

  /** Stores the event; call inside the transaction of the change. Sets `sequence` on the event. */
  append(event: CloudEvent): number {
    const { sequence: _s, ...rest } = event;
    const json = JSON.stringify(rest);
    const info = this.insertStmt.run(event.id, event.type, event.subject ?? null, json, Buffer.byteLength(json), Date.now());
    const seq = Number(info.lastInsertRowid);
    event.sequence = formatSequence(seq);
    return seq;
  }
}
