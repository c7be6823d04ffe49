/**
 * A real full disk: SQLite fails at COMMIT (the WAL cannot grow), after the outbox row was inserted.
 * A child agent runs under a file size limit (`ulimit -f`, so writes past it fail with EFBIG and
 * SQLite answers SQLITE_IOERR_WRITE at COMMIT); its outbox must see the full disk (health, live
 * alarm), keep every committed event, and clear the state once a commit succeeds again.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/agent.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The child, run as an ES module from the repository root (PHASE=prep builds the database without a limit). */
const CHILD = `
import { pino } from 'pino';
import { openDatabase } from './src/store/db.ts';
import { OutboxStore } from './src/outbox/store.ts';
import { OutboxService } from './src/outbox/service.ts';
import { Events } from './src/events.ts';
import { EventBus } from './src/bus.ts';
import { Health } from './src/health.ts';
import { testConfig } from './test/helpers/agent.ts';
const dir = process.env.DIR;
const log = pino({ level: 'silent' });
const db = openDatabase(dir);
const store = new OutboxStore(db);
store.start();
const bus = new EventBus(log);
const live = [];
bus.subscribe((e) => live.push(e));
const events = new Events(db, bus, store, 'urn:hcc:s:a');
const alarms = () => live.filter((e) => e.subject === 'outbox').map((e) => e.data.code);
if (process.env.PHASE === 'prep') {
  // A database with free pages inside its file, so a checkpoint later has room without growing it.
  for (let i = 0; i < 2000; i++) events.record('hcc.test', 'S' + i, { pad: 'x'.repeat(300) });
  db.prepare('DELETE FROM outbox WHERE seq > 10').run();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  process.stdout.write(JSON.stringify({ prepared: true }));
} else {
  const health = new Health();
  const svc = new OutboxService(testConfig({ agent: { dataDir: dir }, queue: { role: 'host', services: [], counters: [] }, devices: [] }), store, events, health, log);
  await svc.start();
  const append = store.append.bind(store);
  let appendThrew = false;
  store.append = (...a) => { try { return append(...a); } catch (e) { appendThrew = true; throw e; } };
  let failed = null;
  const committed = [];
  for (let i = 0; i < 5000 && !failed; i++) {
    try { committed.push(events.record('hcc.test', 'T' + i, { pad: 'y'.repeat(2000) }).id); } catch (e) { failed = e; }
  }
  await new Promise((r) => setImmediate(r));
  const out = { committed, code: failed && failed.code, appendThrew, diskFullSince: svc.status().diskFullSince, health: health.report().checks.outbox, alarms: alarms() };
  // Room again: the checkpoint moves the WAL into free pages of the database and truncates it.
  db.pragma('wal_checkpoint(TRUNCATE)');
  committed.push(events.record('hcc.test', 'after', {}).id);
  await new Promise((r) => setImmediate(r));
  out.after = { diskFullSince: svc.status().diskFullSince, healthOk: health.report().checks.outbox.ok, alarms: alarms() };
  await svc.stop();
  db.close();
  process.stdout.write(JSON.stringify(out));
}
`;

function runChild(dir: string, phase: 'prep' | 'run', limitKb?: number): Promise<Record<string, any>> {
  const cmd = `${limitKb ? `ulimit -f ${limitKb}; ` : ''}exec "$NODE" --import tsx --input-type=module -e "$CHILD_SRC"`;
  const proc = spawn('bash', ['-c', cmd], { cwd: ROOT, env: { ...process.env, NODE: process.execPath, CHILD_SRC: CHILD, DIR: dir, PHASE: phase }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    proc.once('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`child ${phase} exited ${code ?? signal}: ${err.slice(0, 2000)}`));
      resolve(JSON.parse(out) as Record<string, any>);
    });
  });
}

describe('outbox on a full disk (file size limit)', () => {
  it('a COMMIT that fails for lack of space sets the full state, health and alarm; a later commit clears it; nothing committed is lost', async () => {
    const dir = tempDir();
    try {
      await runChild(dir, 'prep');
      // About 2 MB: the 1.5 MB database fits, the WAL cannot grow much.
      const r = await runChild(dir, 'run', 2000);
      expect(r.code).toMatch(/^SQLITE_(FULL|IOERR_WRITE)$/);
      expect(r.appendThrew).toBe(false); // the insert went through; COMMIT failed
      expect(r.committed.length).toBeGreaterThan(1);
      expect(r.diskFullSince).not.toBeNull();
      expect(r.health.ok).toBe(false);
      expect(r.health.message).toMatch(/disk is full/);
      expect(r.health.messageVi).toMatch(/Ổ đĩa đã đầy/);
      expect(r.alarms).toEqual(['disk-full']);
      expect(r.after).toEqual({ diskFullSince: null, healthOk: true, alarms: ['disk-full', 'ok'] });

      const db = new Database(join(dir, 'agent.db'), { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const ids = new Set((db.prepare("SELECT id FROM outbox WHERE type = 'hcc.test'").all() as { id: string }[]).map((x) => x.id));
        for (const id of r.committed as string[]) expect(ids.has(id), id).toBe(true);
        expect(ids.size).toBe(10 + r.committed.length); // the failed one left nothing behind
      } finally {
        db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);
});
