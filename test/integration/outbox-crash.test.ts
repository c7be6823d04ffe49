/**
 * Crash test: a child agent process enqueues through its API and relays to a loopback receiver;
 * it is killed with SIGKILL at random moments (20 rounds over two agents side by side, sometimes
 * while still starting). After a last clean run every event the API acknowledged has been delivered, in order per subject, and
 * `PRAGMA integrity_check` is ok.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Receiver } from '../../src/outbox/receiver.ts';
import { tempDir } from '../helpers/agent.ts';
import { until } from './outbox-helpers.ts';

/** Two agents (own data dir, own agent id) crash side by side: 2 × 10 = 20 SIGKILL rounds in half the wall time. */
const LANES = 2;
const ROUNDS_PER_LANE = 10;
const CHILD = fileURLToPath(new URL('./outbox-crash-agent.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A tiny deterministic PRNG so a failing run can be replayed (seed printed on failure). */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function spawnChild(dataDir: string, url: string, agentId: string): { proc: ChildProcess; ready: Promise<number>; exited: Promise<void> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, CENTRAL_URL: url, AGENT_ID: agentId }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const ready = new Promise<number>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    let err = '';
    proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    void exited.then(() => reject(new Error(`child exited before ready${err ? `: ${err.slice(0, 500)}` : ''}`)));
  });
  ready.catch(() => undefined);
  return { proc, ready, exited };
}

describe('outbox crash safety', () => {
  it(`loses no acknowledged event across ${LANES * ROUNDS_PER_LANE} SIGKILLs`, async () => {
    const seed = Date.now() % 100000;
    const rnd = mulberry32(seed);
    // Slow, flaky receiver so kills land mid-batch, and some answers are lost after storing.
    const r = await new Receiver({ behave: () => { const x = rnd(); return x < 0.15 ? { delayMs: 40 } : x < 0.2 ? { record: true, reset: true } : x < 0.25 ? { status: 503 } : undefined; } }).start();
    const dirs: string[] = [];
    const acked = new Map<string, string>(); // id -> agent id
    let killsWhileRunning = 0;

    async function lane(agentId: string): Promise<void> {
      const dataDir = tempDir('hcc-crash-');
      dirs.push(dataDir);
      for (let round = 0; round < ROUNDS_PER_LANE; round++) {
        const child = spawnChild(dataDir, r.url, agentId);
        if (round % 5 === 4) {
          // Now and then kill it while it starts (migrations, relay start).
          await new Promise((res) => setTimeout(res, 100 + rnd() * 900));
          child.proc.kill('SIGKILL');
          await child.exited;
          continue;
        }
        const port = await child.ready;
        let alive = true;
        const load = (async () => {
          for (let i = 0; alive; i++) {
            try {
              const res = await fetch(`http://127.0.0.1:${port}/crash/enqueue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject: `D${(round * 7 + i) % 5}`, n: 1 + Math.floor(rnd() * 5) }) });
              if (res.ok) for (const id of ((await res.json()) as { ids: string[] }).ids) acked.set(id, agentId);
            } catch {
              return; // killed: this request was never acknowledged
            }
          }
        })();
        await new Promise((res) => setTimeout(res, 100 + rnd() * 600));
        child.proc.kill('SIGKILL');
        killsWhileRunning++;
        alive = false;
        await child.exited;
        await load;
      }
      // A last clean run drains what is left: nothing pending (events stored but never acknowledged go out too).
      const child = spawnChild(dataDir, r.url, agentId);
      const port = await child.ready;
      const pending = async () => ((await (await fetch(`http://127.0.0.1:${port}/api/v1/outbox`)).json()) as { pending: number }).pending;
      await until(async () => (await pending()) === 0, 60000).catch(() => undefined);
      child.proc.kill('SIGTERM');
      await child.exited;
      const db = new Database(join(dataDir, 'agent.db'));
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'").get()).toEqual({ n: 0 });
      } finally {
        db.close();
      }
    }

    try {
      await Promise.all(Array.from({ length: LANES }, (_, i) => lane(`crash-desk-${i}`)));
      const received = new Set(r.events.map((e) => e.id));
      const missing = [...acked.keys()].filter((id) => !received.has(id));
      expect(missing, `seed ${seed}`).toEqual([]);
      expect(acked.size).toBeGreaterThan(50);
      expect(killsWhileRunning).toBe(LANES * (ROUNDS_PER_LANE - 2));
      // Order per source and subject of first arrivals; every arrival is a stored event (duplicates keep the id).
      const last = new Map<string, number>();
      for (const e of r.events) {
        const k = `${e.source} ${e.subject}`;
        expect(Number(e.sequence)).toBeGreaterThan(last.get(k) ?? 0);
        last.set(k, Number(e.sequence));
      }
    } finally {
      await r.close();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  }, 240_000);
});
