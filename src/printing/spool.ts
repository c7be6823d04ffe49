/** The print spool table: every job with its data, state and outcome, in the agent's SQLite database. */
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db.ts';
import type { JobState, TemplateName } from './api.ts';
import type { Vault } from '../security/vault.ts';

export interface JobRow {
  seq: number;
  id: string;
  printer: string;
  template: TemplateName;
  format: 'thermal' | 'a4';
  data: string;
  subject: string | null;
  state: JobState;
  code: string | null;
  error: string | null;
  error_vi: string | null;
  guarantee: string | null;
  attempts: number;
  bytes: number | null;
  created_at: string;
  updated_at: string;
  printed_at: string | null;
  purged_at: string | null;
}

export interface Outcome {
  code?: string | null;
  error?: string | null;
  errorVi?: string | null;
  guarantee?: string | null;
  bytes?: number | null;
}

/** Templates whose data names a citizen: their data is stored encrypted. */
const PERSONAL_TEMPLATES: ReadonlySet<TemplateName> = new Set(['dossier-receipt', 'result-slip']);

export class SpoolStore {
  constructor(
    private readonly db: Db,
    /** Encrypts personal job data at rest; absent in unit tests. */
    private readonly vault?: Vault,
  ) {}

  private open<T extends JobRow | undefined>(row: T): T {
    if (row && this.vault && row.data.startsWith('v1:')) row.data = this.vault.openString(row.data, row.id) ?? '{}';
    return row;
  }


  insert(j: { printer: string; template: TemplateName; format: 'thermal' | 'a4'; data: unknown; subject?: string }): JobRow {
    const now = new Date().toISOString();
    const id = randomUUID();
    this.db
      .prepare('INSERT INTO print_jobs (id, printer, template, format, data, subject, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, j.printer, j.template, j.format, this.vault && PERSONAL_TEMPLATES.has(j.template) ? this.vault.sealString(JSON.stringify(j.data), id) : JSON.stringify(j.data), j.subject ?? null, 'queued', now, now);
    return this.get(id)!;
  }

  get(id: string): JobRow | undefined {
    return this.open(this.db.prepare('SELECT * FROM print_jobs WHERE id = ?').get(id) as JobRow | undefined);
  }

  list(opts: { state?: JobState; printer?: string; limit: number }): JobRow[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (opts.state) {
      where.push('state = ?');
      args.push(opts.state);
    }
    if (opts.printer) {
      where.push('printer = ?');
      args.push(opts.printer);
    }
    return (this.db.prepare(`SELECT * FROM print_jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`).all(...args, opts.limit) as JobRow[]).map((r) => this.open(r));
  }

  /** The printer's next job in order: the oldest queued or waiting one. */
  next(printer: string): JobRow | undefined {
    return this.open(this.db.prepare("SELECT * FROM print_jobs WHERE printer = ? AND state IN ('queued','waiting') ORDER BY seq LIMIT 1").get(printer) as JobRow | undefined);
  }

  printersWith(states: JobState[]): string[] {
    return (this.db.prepare(`SELECT DISTINCT printer FROM print_jobs WHERE state IN (${states.map(() => '?').join(',')})`).all(...states) as { printer: string }[]).map((r) => r.printer);
  }

  /** Bumped on every state change, so readers (health) can keep an answer until the next change. */
  version = 0;

  setState(id: string, state: JobState, o: Outcome = {}): void {
    this.version++;
    const now = new Date().toISOString();
    this.db
      .prepare('UPDATE print_jobs SET state = ?, code = ?, error = ?, error_vi = ?, guarantee = COALESCE(?, guarantee), bytes = COALESCE(?, bytes), updated_at = ?, printed_at = CASE WHEN ? = \'printed\' THEN ? ELSE printed_at END, attempts = attempts + CASE WHEN ? = \'printing\' THEN 1 ELSE 0 END WHERE id = ?')
      .run(state, o.code ?? null, o.error ?? null, o.errorVi ?? null, o.guarantee ?? null, o.bytes ?? null, now, state, now, state, id);
  }

  /** Every pending job of a printer waits for the same reason; returns those whose state or reason changed. */
  markWaiting(printer: string, o: Outcome): string[] {
    const rows = this.db.prepare("SELECT id, state, code FROM print_jobs WHERE printer = ? AND state IN ('queued','waiting')").all(printer) as { id: string; state: JobState; code: string | null }[];
    const changed = rows.filter((r) => r.state !== 'waiting' || r.code !== (o.code ?? null));
    for (const r of changed) this.setState(r.id, 'waiting', o);
    return changed.map((r) => r.id);
  }

  /** Erases the data of finished jobs last changed before `before`; returns how many. */
  purge(before: Date): number {
    return this.db
      .prepare("UPDATE print_jobs SET data = '{}', purged_at = ? WHERE purged_at IS NULL AND state IN ('printed','failed','interrupted') AND updated_at < ?")
      .run(new Date().toISOString(), before.toISOString()).changes;
  }

  /** How many jobs wait for a printer (cheap: health asks on every call). */
  waitingCount(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM print_jobs WHERE state = 'waiting'").get() as { n: number }).n;
  }

  countByState(): Record<string, number> {
    const out: Record<string, number> = { queued: 0, printing: 0, printed: 0, failed: 0, waiting: 0, interrupted: 0 };
    for (const r of this.db.prepare('SELECT state, COUNT(*) AS n FROM print_jobs GROUP BY state').all() as { state: string; n: number }[]) out[r.state] = r.n;
    return out;
  }

  /** After a crash: jobs caught mid-transfer. */
  printingJobs(): JobRow[] {
    return (this.db.prepare("SELECT * FROM print_jobs WHERE state = 'printing'").all() as JobRow[]).map((r) => this.open(r));
  }
}
