/**
 * The agent's one SQLite database: WAL, synchronous=FULL, versioned migrations per concern.
 * Each concern (outbox, printing, queue…) owns its migrations (<concern>/migrations.ts); opening
 * the database applies them all, in the order of src/store/schema.ts: one migration phase.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_SCHEMA, type ConcernMigrations } from './schema.ts';

export type Db = Database.Database;

export class StoreError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export interface OpenOptions {
  file?: string;
  /** The migrations to apply; tests give an older or empty list to build a database of an earlier release. */
  schema?: readonly ConcernMigrations[];
}

export function openDatabase(dataDir: string, { file = 'agent.db', schema = AGENT_SCHEMA }: OpenOptions = {}): Db {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, file);
  let db: Db;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new StoreError(`database ${path} failed its integrity check: ${String(check)}`, 'corrupt');
  } catch (err) {
    if (err instanceof StoreError) throw err;
    const e = err as { code?: string; message: string };
    throw new StoreError(`cannot open database ${path}: ${e.message}`, e.code ?? 'open');
  }
  cachePreparedStatements(db);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    concern TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL,
    PRIMARY KEY (concern, version))`);
  try {
    for (const m of schema) migrate(db, m.concern, m.steps);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * Repositories prepare their SQL where they use it, which keeps each query next to its code;
 * preparing costs tens of microseconds, so the database keeps prepared statements by SQL text.
 * (No caller switches a statement to pluck/raw/expand mode, which a shared statement would leak.)
 */
function cachePreparedStatements(db: Db, max = 512): void {
  const cache = new Map<string, Database.Statement>();
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = prepare(sql);
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(sql, stmt);
    }
    return stmt;
  }) as Db['prepare'];
}

/**
 * Applies the steps of one concern that have not run yet, each in its own transaction.
 * Versions are the 1-based index in `steps`: append new steps, never edit applied ones.
 */
export function migrate(db: Db, concern: string, steps: readonly string[]): void {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations WHERE concern = ?').get(concern) as { v: number | null };
  const done = row.v ?? 0;
  if (done > steps.length) throw new StoreError(`database has ${concern} schema version ${done}, newer than this agent (${steps.length})`, 'too-new');
  for (let v = done + 1; v <= steps.length; v++) {
    db.transaction(() => {
      db.exec(steps[v - 1]);
      db.prepare('INSERT INTO schema_migrations (concern, version, applied_at) VALUES (?, ?, ?)').run(concern, v, new Date().toISOString());
    })();
  }
}
