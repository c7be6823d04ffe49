/** The outbox table: every event to forward is stored here in the same transaction as the change it reports. */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/db.ts';
import { diskFullCode } from '../store/disk.ts';
import { formatSequence, type CloudEvent } from './envelope.ts';
import { VaultError, type Vault } from '../security/vault.ts';

/** An event ready to send: its stored JSON with the `sequence` extension added. */
export interface OutboundEvent {
  seq: number;
  id: string;
  type: string;
  subject: string | null;
  /** CloudEvents JSON (structured mode) including `sequence`. */
  json: string;
  size: number;
  /** Stored sealed: it carries personal data. */
  personal?: boolean;
}

/** Shown instead of a central reply about personal events: it may quote the citizen's data. */
export const REPLY_WITHHELD = '‹central reply withheld: the event carries personal data›';
const SEALED_REPLY = /: v1:[A-Za-z0-9+/=]+$/;

export interface OutboxCounts {
  pending: number;
  delivered: number;
  dead: number;
  /** Pending events held back behind a dead event of the same subject. */
  held: number;
  /** created_at (ms) of the oldest pending event. */
  oldestPendingAt: number | null;
}

export interface DeadEvent {
  seq: number;
  id: string;
  type: string;
  subject: string | null;
  attempts: number;
  error: string | null;
  createdAt: string;
}

export class OutboxStore {
  private stmts!: {
    insert: Statement<unknown[]>;
    batch: Statement<unknown[]>;
    delivered: Statement<unknown[]>;
    sealedRow: Statement<unknown[]>;
    dead: Statement<unknown[]>;
    attempt: Statement<unknown[]>;
    counts: Statement<unknown[]>;
    held: Statement<unknown[]>;
    oldest: Statement<unknown[]>;
    deadList: Statement<unknown[]>;
    retry: Statement<unknown[]>;
    prune: Statement<unknown[]>;
    bytes: Statement<unknown[]>;
  };
  private readonly appendListeners = new Set<() => void>();
  /** Bytes of event JSON stored (all states); kept in memory, recomputed after pruning. */
  private storedBytes = 0;
  /**
   * Set when a write failed for lack of space (see diskFullCode), including at COMMIT, where a real full
   * disk fails; cleared once a write of the outbox has committed.
   */
  fullSince: number | null = null;
  /** The code of the failure that set fullSince. */
  fullError: string | null = null;
  private readonly fullListeners = new Set<() => void>();
  /** Set at start when the vault has just created a new key although sealed events wait: they cannot be opened. */
  keyProblem: string | null = null;

  constructor(
    private readonly db: Db,
    /** Encrypts personal events at rest; without one they are stored as they are (unit tests). */
    private readonly vault?: Vault,
  ) {}

  readonly name = 'outbox-store';

  /** Prepares the statements and reads the stored size; the tables exist since the database opened. */
  start(): void {
    const p = (sql: string) => this.db.prepare(sql);
    this.stmts = {
      insert: p('INSERT INTO outbox (id, type, subject, envelope, size, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      // The envelope is stored without `sequence`; SQLite splices it in, so each event arrives as one flat string.
      batch: p(`SELECT seq, id, type, subject, size,
                       CASE WHEN envelope LIKE 'v1:%' THEN envelope
                            ELSE substr(envelope, 1, length(envelope) - 1) || ',"sequence":"' || printf('%016d', seq) || '"}' END AS json
                FROM outbox o
                WHERE state = 'pending'
                  AND (subject IS NULL OR NOT EXISTS (SELECT 1 FROM outbox d WHERE d.state = 'dead' AND d.subject = o.subject AND d.seq < o.seq))
                ORDER BY seq LIMIT ?`),
      // Personal data leaves the disk once the central side has confirmed it.
      delivered: p("UPDATE outbox SET state = 'delivered', delivered_at = ?, attempts = attempts + 1, envelope = CASE WHEN envelope LIKE 'v1:%' THEN '{}' ELSE envelope END WHERE seq IN (SELECT value FROM json_each(?)) AND state = 'pending'"),
      dead: p("UPDATE outbox SET state = 'dead', last_error = ?, attempts = attempts + 1 WHERE seq = ? AND state = 'pending'"),
      sealedRow: p("SELECT id, envelope LIKE 'v1:%' AS sealed FROM outbox WHERE seq = ?"),
      attempt: p('UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?'),
      counts: p('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state'),
      held: p(`SELECT COUNT(*) AS n FROM outbox o WHERE state = 'pending' AND subject IS NOT NULL
               AND EXISTS (SELECT 1 FROM outbox d WHERE d.state = 'dead' AND d.subject = o.subject AND d.seq < o.seq)`),
      oldest: p("SELECT created_at AS t FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT 1"),
      deadList: p("SELECT seq, id, type, subject, attempts, last_error AS error, created_at FROM outbox WHERE state = 'dead' ORDER BY seq LIMIT ?"),
      retry: p("UPDATE outbox SET state = 'pending' WHERE id = ? AND state = 'dead'"),
      prune: p("DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE state = 'delivered' AND delivered_at < ? LIMIT ?)"),
      bytes: p('SELECT COALESCE(SUM(size), 0) AS b FROM outbox'),
    };
    this.storedBytes = (this.stmts.bytes.get() as { b: number }).b;
    if (this.vault?.createdKey) {
      // Delivered events lose their sealed envelope, so only pending and dead ones count.
      const n = (this.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE envelope LIKE 'v1:%'").get() as { n: number }).n;
      if (n > 0) this.keyProblem = `a new key file ${this.vault.keyFile} was created, but the outbox holds ${n} events sealed with an earlier key: they cannot be decrypted and become dead letters until the original key file is restored`;
    }
  }

  /** Nothing to release: the database is closed by the agent after every component stopped. */
  stop(): void {}

  /** Called (synchronously, inside the writer's transaction) after each append: the relay wakes on it. */
  onAppend(listener: () => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  /** Stores the event; call inside the transaction of the change. Sets `sequence` on the event. */
  /** Stores the event; call inside the transaction of the change. `personal` events are stored encrypted. */
  append(event: CloudEvent, personal = false): number {
    const { sequence: _s, ...rest } = event;
    const json = JSON.stringify(rest);
    const size = Buffer.byteLength(json);
    const stored = personal && this.vault ? this.vault.sealString(json, event.id)! : json;
    let seq: number;
    try {
      seq = Number(this.stmts.insert.run(event.id, event.type, event.subject ?? null, stored, size, Date.now()).lastInsertRowid);
    } catch (err) {
      this.writeFailed(err);
      throw err;
    }
    // fullSince stays: this row is not committed yet (Events clears it after COMMIT).
    this.storedBytes += size;
    event.sequence = formatSequence(seq);
    for (const l of this.appendListeners) l();
    return seq;
  }

  get bytes(): number {
    return this.storedBytes;
  }

  /**
   * The next pending events in sequence order, at most `maxEvents` and `maxBytes` (the first event
   * always, however large). Events of a subject with an earlier dead event are held back.
   * A sealed (personal) event the vault cannot open becomes a dead letter (it keeps its sealed
   * envelope, so it can be retried once the right key is back) instead of stopping the outbox;
   * `onUnreadable` hears of it.
   */
  nextBatch(maxEvents: number, maxBytes: number, onUnreadable?: (seq: number, reason: string) => void): OutboundEvent[] {
    for (;;) {
      const out: OutboundEvent[] = [];
      let bytes = 0;
      for (const r of this.stmts.batch.iterate(maxEvents) as IterableIterator<OutboundEvent>) {
        if (out.length > 0 && bytes + r.size > maxBytes) break;
        bytes += r.size;
        out.push(r);
      }
      // Encrypted (personal) envelopes are opened here and get their sequence like the others.
      let unreadable = false;
      for (const r of out) {
        if (!r.json.startsWith('v1:')) continue;
        try {
          if (!this.vault) throw new Error('no vault to open it');
          const plain = this.vault.openString(r.json, r.id)!;
          r.json = `${plain.slice(0, -1)},"sequence":"${formatSequence(r.seq)}"}`;
          r.personal = true;
        } catch (err) {
          const reason = err instanceof VaultError && /authenticate/.test(err.message)
            ? 'cannot decrypt: the key file does not match (restored or replaced key?)'
            : `cannot decrypt: ${(err as Error).message}`;
          this.markDead(r.seq, reason);
          onUnreadable?.(r.seq, reason);
          unreadable = true;
        }
      }
      // Read again: later events of a dead event's subject are now held back, and order per subject holds.
      if (!unreadable) return out;
    }
  }

  /** Called (after each commit) when the full state starts or ends: the service raises or clears its alarm. */
  onFullChange(listener: () => void): () => void {
    this.fullListeners.add(listener);
    return () => this.fullListeners.delete(listener);
  }

  /** A write to the database failed (statement or COMMIT): notes a full disk. Other errors are ignored here. */
  writeFailed(err: unknown): void {
    const code = diskFullCode(err);
    if (!code || this.fullSince !== null) return;
    this.fullSince = Date.now();
    this.fullError = code;
    for (const l of this.fullListeners) l();
  }

  /** A transaction that wrote to the outbox has committed: there is room again. */
  committed(): void {
    if (this.fullSince === null) return;
    this.fullSince = null;
    this.fullError = null;
    for (const l of this.fullListeners) l();
  }

  private write<T>(fn: () => T): T {
    let r: T;
    try {
      r = this.db.transaction(fn)();
    } catch (err) {
      this.writeFailed(err);
      throw err;
    }
    this.committed();
    return r;
  }

  /**
   * Marks a batch delivered without its own fsync (synchronous=NORMAL for this commit only; WAL
   * stays consistent and the next FULL commit makes it durable). Losing the mark in a power cut only
   * means the batch is sent again with the same ids — at least once — and saves an fsync per batch.
   */
  markDelivered(seqs: readonly number[], now = Date.now()): void {
    if (!seqs.length) return;
    const level = this.db.pragma('synchronous', { simple: true }) as number;
    this.db.pragma('synchronous = NORMAL');
    try {
      this.write(() => this.stmts.delivered.run(now, JSON.stringify(seqs)));
    } finally {
      this.db.pragma(`synchronous = ${level}`);
    }
  }

  /**
   * Makes the event a dead letter with its reason. The central side's `reply` may quote the request:
   * when that carried personal data (`personal`, or this event is stored sealed) the reply is stored
   * sealed like the event itself, and never shown; else in clear.
   */
  markDead(seq: number, error: string, reply?: string, personal = false): void {
    let stored = error;
    if (reply) {
      const row = this.stmts.sealedRow.get(seq) as { id: string; sealed: number } | undefined;
      stored = `${error}: ${personal || row?.sealed ? (row && this.vault?.sealString(reply, row.id)) || REPLY_WITHHELD : reply}`;
    }
    this.write(() => this.stmts.dead.run(stored.slice(0, 4000), seq));
  }

  /** Counts a failed attempt on events that stay pending; the central reply is kept only when the request carried no personal data. */
  recordAttempt(seqs: readonly number[], error: string, reply?: string, personal = false): void {
    const e = (reply ? `${error}: ${personal ? REPLY_WITHHELD : reply}` : error).slice(0, 1000);
    if (seqs.length) this.write(() => { for (const s of seqs) this.stmts.attempt.run(e, s); });
  }

  /** The sealed central reply to a personal dead letter, for whoever holds the key (support, tests). */
  sealedReply(id: string): string | null {
    const r = this.db.prepare("SELECT last_error AS e FROM outbox WHERE id = ? AND state = 'dead'").get(id) as { e: string | null } | undefined;
    const sealed = r?.e ? SEALED_REPLY.exec(r.e)?.[0].slice(2) : undefined;
    return sealed && this.vault ? this.vault.openString(sealed, id) : null;
  }

  counts(): OutboxCounts {
    const c: OutboxCounts = { pending: 0, delivered: 0, dead: 0, held: 0, oldestPendingAt: null };
    for (const r of this.stmts.counts.all() as { state: 'pending' | 'delivered' | 'dead'; n: number }[]) c[r.state] = r.n;
    if (c.dead > 0 && c.pending > 0) c.held = (this.stmts.held.get() as { n: number }).n;
    c.oldestPendingAt = (this.stmts.oldest.get() as { t: number } | undefined)?.t ?? null;
    return c;
  }

  deadEvents(limit = 100): DeadEvent[] {
    return (this.stmts.deadList.all(limit) as (Omit<DeadEvent, 'createdAt'> & { created_at: number })[]).map(({ created_at, error, ...r }) => ({
      ...r,
      error: error && error.replace(SEALED_REPLY, `: ${REPLY_WITHHELD}`),
      createdAt: new Date(created_at).toISOString(),
    }));
  }

  /** Puts a dead event back in line. False when no dead event has that id. */
  retryDead(id: string): boolean {
    return this.write(() => this.stmts.retry.run(id).changes === 1);
  }

  /** Deletes delivered events delivered before `before` (ms), in chunks so writers are never blocked long. */
  prune(before: number, chunk = 5000): number {
    let total = 0;
    for (;;) {
      const n = this.write(() => this.stmts.prune.run(before, chunk).changes);
      total += n;
      if (n < chunk) break;
    }
    if (total > 0) this.storedBytes = (this.stmts.bytes.get() as { b: number }).b;
    return total;
  }
}
